import type { Context } from 'hono'
import type { ErpAdminService, PostingRow } from '../../erp-bridge/admin/erp-admin-service.js'
import { STATUS_LABELS } from '../../erp-bridge/admin/erp-admin-service.js'
import { adapterKind } from '../../erp-bridge/connections/adapter-kinds.js'
import type { ErpConnectionView } from '../../erp-bridge/connections/erp-connection-store.js'
import type { Viewer } from '../auth/viewer.js'
import { settingsFields } from '../erp/settings-form.js'
import { renderPage } from '../ui/layout.js'
import { bi, empty, html, postingBadge, when, type Html } from '../ui/html.js'

type AdapterKindInfo = { id: string; label: string; secretFields: readonly string[] }

function posting(row: PostingRow): Html {
  return html`<li data-outbox-id="${row.id}" data-request-no="${row.requestNo}" data-status="${row.status}"><div class="item-main">
    <div class="item-title"><span class="mono">${row.requestNo}</span> · ${row.requestTypeLabel} · ${row.requester}</div>
    ${row.reason ? html`<div class="item-sub">${row.reason}</div>` : ''}
    ${row.detail ? html`<details><summary>技术细节 details</summary><pre class="json">${row.detail}</pre></details>` : ''}
    <div class="faint">已尝试 ${row.attempts} 次 attempts · ${when(row.updatedAt)}</div>
    <div class="btn-row" style="margin-top:6px">
      <button class="btn small primary" type="button" data-call="/api/admin/erp/postings/${row.id}/retry">重试 Retry</button>
      ${row.status === 'unknown' ? '' : html`<button class="btn small danger" type="button" data-call="/api/admin/erp/postings/${row.id}/cancel" data-confirm="确定放弃这笔入账？（已在 ERP 之外处理）Cancel this posting?">取消 Cancel</button>`}
    </div></div>
    <div class="item-side">${postingBadge(row.status)}</div></li>`
}

function connectionForm(kind: AdapterKindInfo, existing?: ErpConnectionView): Html {
  const plain = existing ? existing.settings : {}
  return html`<form class="grid" data-post="/api/admin/erp/connections" data-adapter="${kind.id}">
    ${existing ? html`<input type="hidden" name="id" value="${existing.id}">` : ''}
    <input type="hidden" name="adapter" value="${kind.id}">
    <label class="field"><span>名称 Name</span><input type="text" name="name" required maxlength="100" value="${existing?.name ?? kind.label}"></label>
    ${settingsFields(adapterKind(kind.id).settingsSchemas, kind.secretFields, plain)}
    ${kind.secretFields.map(
      (f) => html`<label class="field"><span>${f}（密钥，只写 secret, write-only）</span><input type="password" name="settings.${f}" autocomplete="new-password" data-optional
        placeholder="${existing?.secretsSet.includes(f) ? '已设置，留空则保持不变 / set; leave empty to keep' : '未设置 / not set'}"></label>`,
    )}
    <div class="btn-row"><button class="btn primary" type="submit">保存 Save</button></div>
  </form>`
}

function connection(view: ErpConnectionView, kinds: AdapterKindInfo[]): Html {
  const kind = kinds.find((k) => k.id === view.adapter)
  return html`<li data-connection-id="${view.id}"><div class="item-main">
    <div class="item-title">${view.name} ${view.active ? html`<span class="badge green">当前 Active</span>` : ''}</div>
    <div class="item-sub">${kind?.label ?? view.adapter}${view.secretsSet.length ? html` · 密钥已设置 secrets set: ${view.secretsSet.join(', ')}` : ''}</div>
    ${view.lastTest ? html`<div class="item-sub">上次测试 last test: <span class="badge ${view.lastTest.ok ? 'green' : 'red'}">${view.lastTest.ok ? '成功 OK' : '失败 failed'}</span> ${when(view.lastTest.at)} · ${view.lastTest.detail}</div>` : ''}
    <div class="btn-row" style="margin-top:6px">
      <button class="btn small" type="button" data-call="/api/admin/erp/connections/test" data-body="${JSON.stringify({ id: view.id })}">测试连接 Test</button>
      ${view.active ? '' : html`<button class="btn small primary" type="button" data-call="/api/admin/erp/connections/${view.id}/activate" data-confirm="之后的入账将发往「${view.name}」。确定？Post to this ERP from now on?">设为当前 Use</button>`}
      <button class="btn small danger" type="button" data-call="/api/admin/erp/connections/${view.id}" data-method="DELETE" data-confirm="删除该连接？Remove this connection?">删除 Remove</button>
    </div>
    ${kind ? html`<details><summary>编辑 Edit</summary>${connectionForm(kind, view)}</details>` : ''}
  </div></li>`
}

export async function renderErpPage(c: Context, admin: ErpAdminService, viewer: Viewer): Promise<Response> {
  const [counts, problems, connections] = await Promise.all([admin.postingCounts(), admin.postings(), admin.connections()])
  const kinds = admin.adapterKinds()
  const active = connections.find((x) => x.active)
  const body = html`
<div class="page-head"><div><h1>${bi('ERP 连接与入账', 'ERP connection & postings')}</h1>
  <p class="faint">当前入账目标 Posting to: <strong id="current-target">${active ? active.name : '内置账簿 Built-in ledger'}</strong></p></div></div>
<div class="kpis" id="posting-counts">
  ${(['posted', 'pending', 'failed', 'dead'] as const).map((s) => html`<div class="kpi ${s === 'posted' ? 'good' : (counts[s] ?? 0) > 0 && (s === 'failed' || s === 'dead') ? 'warn' : ''}"><div class="kpi-label">${STATUS_LABELS[s]} <span class="en">${s}</span></div><div class="kpi-value">${counts[s] ?? 0}</div></div>`)}
</div>
<section class="panel" id="outbox-problems">
  <div class="panel-head"><h2>${bi('需要处理的入账', 'Postings that need you')}</h2><span class="badge ${problems.length ? 'red' : 'green'}">${problems.length}</span></div>
  ${problems.length ? html`<ul class="list">${problems.map(posting)}</ul>` : empty('所有入账都正常', 'Every posting is fine')}
</section>
<section class="panel" id="connections">
  <div class="panel-head"><h2>${bi('ERP 连接', 'Connections')}</h2>
    ${active ? html`<button class="btn small" type="button" data-call="/api/admin/erp/connections/ledger/activate" data-confirm="改回内置账簿？Post to the built-in ledger?">改用内置账簿 Use built-in ledger</button>` : ''}</div>
  ${connections.length ? html`<ul class="list">${connections.map((x) => connection(x, kinds))}</ul>` : empty('还没有连接外部 ERP，入账进入内置账簿', 'No external ERP yet; postings go to the built-in ledger')}
  <div class="btn-row" style="margin-top:10px"><button class="btn small" type="button" data-call="/api/admin/erp/connections/test" data-body="{}">测试当前入账目标 Test current target</button></div>
</section>
<section class="panel" id="new-connection"><h2>${bi('新建连接', 'New connection')}</h2>
  ${kinds.filter((k) => k.id !== 'ledger').map((k) => html`<details><summary>${k.label}</summary>${connectionForm(k)}</details>`)}
</section>`
  return renderPage(c, { title: 'ERP', viewer, section: 'erp', body })
}
