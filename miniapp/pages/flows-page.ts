import type { Context } from 'hono'
import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { EXPENSE_CATEGORY_LABELS } from '../../workflow/request-types.js'
import type { OrgDirectory } from '../../workflow/org.js'
import { DomainError } from '../../workflow/errors.js'
import { isRequestType, REQUEST_TYPES } from '../../workflow/request-types.js'
import type { FlowTemplates } from '../../workflow/templates/flow-templates.js'
import type { Viewer } from '../auth/viewer.js'
import { flowSummaries } from '../flows/flows-data.js'
import { renderPage } from '../ui/layout.js'
import { bi, html, jsonBlock, when } from '../ui/html.js'

export async function renderFlowsPage(c: Context, db: Kysely<Schema>, templates: FlowTemplates, viewer: Viewer): Promise<Response> {
  const flows = await flowSummaries(db, templates)
  const body = html`
<div class="page-head"><div><h1>${bi('审批流程', 'Flow templates')}</h1><p class="faint">发布新版本只影响之后提交的申请 / a new version applies to requests submitted after it</p></div></div>
<section class="panel" id="flow-list"><ul class="list">${flows.map(
    (f) => html`<li data-flow-type="${f.type}"><div class="item-main">
      <a class="item-title" href="/miniapp/flows/${f.type}">${f.label} · ${f.name}</a>
      <div class="item-sub">当前第 ${f.latestVersion} 版 v${f.latestVersion} · 发布于 ${when(f.publishedAt)}</div>
      <div class="item-sub">${f.running.length ? `进行中 running: ${f.running.map((r) => `v${r.version} × ${r.count}`).join('，')}` : '没有进行中的申请 none running'}</div>
    </div><div class="item-side"><a class="btn small" href="/miniapp/flows/${f.type}">编辑 Edit</a></div></li>`,
  )}</ul></section>`
  return renderPage(c, { title: '审批流程', viewer, section: 'flows', body })
}

/** The visual editor: the page carries the template and the org it can pick from; flow-editor.js does the rest. */
export async function renderFlowEditorPage(c: Context, db: Kysely<Schema>, org: OrgDirectory, templates: FlowTemplates, viewer: Viewer, type: string): Promise<Response> {
  if (!isRequestType(type)) throw new DomainError('NOT_FOUND', `没有这种申请类型：${type}`, `unknown request type: ${type}`)
  const requested = Number(c.req.query('version'))
  const [latest, history, summaries, employees, departments, roleRows] = await Promise.all([
    templates.latest(type),
    templates.history(type),
    flowSummaries(db, templates),
    org.employees(),
    org.departments(),
    db.selectFrom('users').select('roles').where('active', '=', 1).execute(),
  ])
  const shown = Number.isInteger(requested) && requested > 0 ? await templates.version(type, requested) : latest
  const running = summaries.find((s) => s.type === type)?.running ?? []
  const roles = [...new Set(roleRows.flatMap((r) => JSON.parse(r.roles) as string[]))].sort()
  const body = html`
<div class="page-head"><div><h1>${REQUEST_TYPES[type].label} · <span id="flow-name-title">${shown.definition.name}</span></h1>
  <p class="faint">正在查看第 ${shown.version} 版 viewing v${shown.version}${shown.version !== latest.version ? html` · <strong>不是最新版 not the latest (v${latest.version})</strong>` : ''}</p></div>
  <a class="btn small" href="/miniapp/flows">返回 Back</a></div>
<section class="panel" id="versions"><div class="panel-head"><h2>${bi('版本', 'Versions')}</h2></div>
  <div class="btn-row">${history.map(
    (t) => html`<a class="btn small ${t.version === shown.version ? 'primary' : ''}" href="/miniapp/flows/${type}?version=${t.version}" data-version="${t.version}">v${t.version}${
      running.find((r) => r.version === t.version) ? html` <span class="badge orange">${running.find((r) => r.version === t.version)!.count} 进行中</span>` : ''
    }</a>`,
  )}</div>
  <p class="faint">每个申请按提交时的版本走完流程 / each request keeps the version it was submitted with.</p></section>
<section class="panel" id="flow-settings"></section>
<section class="panel"><div class="panel-head"><h2>${bi('流程图', 'Flow')}</h2><span class="faint">点节点编辑 tap a node to edit</span></div>
  <ol class="flow" id="flow-canvas"></ol></section>
<section class="panel" id="flow-check"><div class="panel-head"><h2>${bi('校验与发布', 'Validate & publish')}</h2></div>
  <div class="filters">
    <label class="field"><span>试算申请人 Sample requester</span><select id="sample-requester">${employees.map((e) => html`<option value="${e.id}">${e.name} ${e.employeeNo}</option>`)}</select></label>
    <label class="field"><span>金额（元）Amount</span><input type="number" id="sample-amount" value="3500" min="0" step="0.01"></label>
  </div>
  <div class="btn-row" style="margin-top:10px"><button class="btn" type="button" id="flow-validate">校验并试算 Validate</button><button class="btn primary" type="button" id="flow-publish">发布为第 ${latest.version + 1} 版 Publish v${latest.version + 1}</button></div>
  <div id="flow-result" aria-live="polite"></div>
  <details style="margin-top:10px"><summary>JSON（高级 advanced）</summary><textarea id="flow-json" rows="12" class="mono" spellcheck="false"></textarea>
    <button class="btn small" type="button" id="flow-json-apply">应用 JSON Apply</button></details>
</section>
${jsonBlock('flow-data', {
  type,
  // The latest, not the version shown: republishing an older version is fine, overwriting an unseen newer one is not.
  baseVersion: latest.version,
  definition: shown.definition,
  people: employees.map((e) => ({ id: e.id, name: e.name })),
  departments: departments.map((d) => ({ id: d.id, name: d.name })),
  roles,
  categories: EXPENSE_CATEGORY_LABELS,
})}`
  return renderPage(c, { title: '编辑流程', viewer, section: 'flows', body, scripts: ['flow-editor.js'] })
}
