import type { Context } from 'hono'
import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { ROLE_LABELS, adminRolesOf, type AdminRole } from '../auth/roles.js'
import { ASSET_VERSION } from '../assets/asset-version.js'
import { contentSecurityPolicy } from '../ui/layout.js'
import { html } from '../ui/html.js'

/**
 * The hosts' JS bridges (tt.requestAccess in Feishu/Lark, dd.requestAuthCode in DingTalk). They are
 * part of the host app, only work inside it, and are loaded only on this page and only there.
 */
export const PLATFORM_BRIDGES = {
  feishu: 'https://lf1-cdn-tos.bytegoofy.com/goofy/lark/op/h5-js-sdk-1.5.30.js',
  dingtalk: 'https://g.alicdn.com/dingding/dingtalk-jsapi/3.0.25/dingtalk.open.js',
} as const

export interface LoginPageOptions {
  devMode: boolean
  feishuAppId?: string
  dingtalkClientId?: string
  enabledPlatforms: ('feishu' | 'dingtalk')[]
}

function hostApp(userAgent: string): 'feishu' | 'dingtalk' | null {
  if (/Lark|Feishu/i.test(userAgent)) return 'feishu'
  if (/DingTalk/i.test(userAgent)) return 'dingtalk'
  return null
}

export async function renderLoginPage(c: Context, db: Kysely<Schema>, options: LoginPageOptions): Promise<Response> {
  const host = hostApp(c.req.header('user-agent') ?? '')
  const bridge = host && options.enabledPlatforms.includes(host) ? PLATFORM_BRIDGES[host] : null
  const people = options.devMode
    ? await db
        .selectFrom('users')
        .leftJoin('departments', 'departments.id', 'users.department_id')
        .select(['users.id', 'users.name', 'users.title', 'users.roles', 'departments.name as department'])
        .where('users.active', '=', 1)
        .orderBy('users.employee_no')
        .execute()
    : []
  c.header('Content-Security-Policy', contentSecurityPolicy(bridge ? [new URL(bridge).origin] : []))
  c.header('Cache-Control', 'no-store')
  const mainRole = (roles: AdminRole[]) => roles.find((r) => r !== 'employee') ?? 'employee'
  return c.html(html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<link rel="icon" href="data:,">
<title>登录 · 审批助手管理后台</title>
<link rel="stylesheet" href="/miniapp/assets/app.css?v=${ASSET_VERSION}">
</head>
<body>
<main class="login" id="login" data-feishu-app-id="${options.feishuAppId ?? ''}" data-dingtalk-client-id="${options.dingtalkClientId ?? ''}">
  <div class="login-hero">
    <div class="logo" aria-hidden="true">审</div>
    <h1>审批助手 · 管理后台</h1>
    <p class="faint">Approval Bridge admin</p>
  </div>
  ${
    options.enabledPlatforms.length
      ? html`<section class="panel"><h2>在飞书 / 钉钉中打开<span class="en">Open inside Feishu or DingTalk</span></h2>
  <p class="muted" id="platform-status">${host ? '正在识别身份… / identifying you…' : '请从飞书或钉钉工作台打开本应用，将自动登录。'}</p>
  <p class="faint">${host ? '' : 'Open the app from the Feishu or DingTalk workplace to sign in automatically.'}</p></section>`
      : ''
  }
  ${
    options.devMode
      ? html`<section class="panel"><div class="panel-head"><h2>选择演示用户<span class="en">Pick a demo user</span></h2><span class="badge orange">开发模式 Dev</span></div>
  <ul class="people">${people.map((p) => {
    const roles = adminRolesOf(JSON.parse(p.roles) as string[])
    const role = mainRole(roles)
    return html`<li><button type="button" data-login-user="${p.id}"><span class="avatar ${role}">${p.name.slice(0, 1)}</span>
      <span class="item-main"><span class="item-title">${p.name}</span> <span class="faint">${p.title ?? ''}</span><br><span class="item-sub">${p.department ?? ''}</span></span>
      <span class="badge ${role === 'employee' ? '' : 'blue'}">${ROLE_LABELS[role]}</span></button></li>`
  })}</ul></section>`
      : ''
  }
  ${!options.devMode && !options.enabledPlatforms.length ? html`<section class="panel"><p>尚未配置飞书或钉钉，无法登录。</p><p class="faint">No chat platform is configured, so there is no way to sign in yet.</p></section>` : ''}
</main>
<div class="toasts" id="toasts" role="status" aria-live="polite"></div>
${bridge ? html`<script src="${bridge}"></script>` : ''}
<script src="/miniapp/assets/app.js?v=${ASSET_VERSION}"></script>
</body>
</html>`)
}
