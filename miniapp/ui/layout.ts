import type { Context } from 'hono'
import { ROLE_LABELS } from '../auth/roles.js'
import type { Viewer } from '../auth/viewer.js'
import { ASSET_VERSION } from '../assets/asset-version.js'
import { html, type Html } from './html.js'
import { navFor, type Section } from './nav.js'

/**
 * Only our own scripts and styles (no inline script, no CDN). Inside Feishu/DingTalk the login page
 * additionally loads the host app's JS bridge from the platform's own domain (see login-page.ts).
 */
export function contentSecurityPolicy(extraScriptSources: readonly string[] = []): string {
  return [
    "default-src 'self'",
    `script-src 'self' ${extraScriptSources.join(' ')}`.trim(),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ')
}

export interface PageOptions {
  title: string
  viewer: Viewer
  section: Section
  body: Html
  /** Extra asset names under /miniapp/assets/ (e.g. the chart library on the dashboard). */
  scripts?: string[]
  styles?: string[]
}

const asset = (name: string) => `/miniapp/assets/${name}?v=${ASSET_VERSION}`

/** The shell every signed-in page shares: top bar with who is signed in, role-filtered navigation, content. */
export function renderPage(c: Context, options: PageOptions): Response | Promise<Response> {
  const { viewer } = options
  const mainRole = viewer.roles.find((r) => r !== 'employee') ?? 'employee'
  const items = navFor(viewer.roles)
  c.header('Content-Security-Policy', contentSecurityPolicy())
  c.header('Cache-Control', 'no-store')
  return c.html(html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="color-scheme" content="light">
<link rel="icon" href="data:,">
<title>${options.title} · 审批助手管理后台</title>
<link rel="stylesheet" href="${asset('app.css')}">
${(options.styles ?? []).map((s) => html`<link rel="stylesheet" href="${asset(s)}">`)}
</head>
<body class="has-nav" data-section="${options.section}">
<header class="topbar">
  <div class="topbar-row">
    <a class="brand" href="/miniapp"><span class="logo" aria-hidden="true">审</span><span>审批助手</span></a>
    <div class="who">
      <span class="who-name" id="who-name">${viewer.name}</span>
      <span class="who-role" data-role="${mainRole}">${ROLE_LABELS[mainRole]}</span>
      <button class="linkish" type="button" id="logout">退出<span class="sr-only"> Sign out</span></button>
    </div>
  </div>
  <nav class="nav" aria-label="导航 Navigation">
    ${items.map((item) => html`<a href="${item.href}" data-section="${item.section}" ${item.section === options.section ? html`aria-current="page"` : ''}>${item.zh}<span class="en">${item.en}</span></a>`)}
  </nav>
</header>
<main class="content" id="content">
${options.body}
</main>
<div class="toasts" id="toasts" role="status" aria-live="polite"></div>
${(options.scripts ?? []).map((s) => html`<script src="${asset(s)}"></script>`)}
<script src="${asset('app.js')}"></script>
</body>
</html>`)
}

/** A page-sized refusal: the same rule as the API's 403, shown to a person. */
export function renderForbidden(c: Context, viewer: Viewer, section: Section): Response | Promise<Response> {
  c.status(403)
  return renderPage(c, {
    title: '无权访问',
    viewer,
    section,
    body: html`<section class="panel" id="forbidden"><h1>无权访问<span class="en">Not allowed</span></h1>
<p class="muted">你的角色（${viewer.roles.map((r) => ROLE_LABELS[r]).join('、')}）不能查看此页面。如需开通，请联系系统管理员。</p>
<p class="faint">Your role cannot open this page. Ask an administrator for access.</p>
<p><a class="btn" href="/miniapp/my">去“我的”<span class="en">My work</span></a></p></section>`,
  })
}
