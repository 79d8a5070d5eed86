import type { Context } from 'hono'
import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { loadFlaggedClaims, type FlaggedClaim } from '../../workflow/receipts/anomalies/claim-insight.js'
import type { Viewer } from '../auth/viewer.js'
import { loadDashboard, type Dashboard } from '../dashboard/dashboard-data.js'
import { dashboardFilter } from '../dashboard/dashboard-filter.js'
import { renderPage } from '../ui/layout.js'
import { bi, empty, html, jsonBlock, requestBadge, yuan, type Html } from '../ui/html.js'

const kpi = (zh: string, en: string, value: number | string, unit = '', tone = ''): Html =>
  html`<div class="kpi ${tone}"><div class="kpi-label">${zh} <span class="en">${en}</span></div><div class="kpi-value">${value}${unit ? html`<small>${unit}</small>` : ''}</div></div>`

/** Hours as people say them: minutes under an hour, hours under two days, then days. */
const duration = (hours: number) => (hours < 1 ? `${Math.round(hours * 60)} 分钟 min` : hours < 48 ? `${Math.round(hours * 10) / 10} 小时 h` : `${Math.round((hours / 24) * 10) / 10} 天 d`)

function bars(rows: { label: string; value: number; note?: string }[], tone = ''): Html {
  const max = Math.max(1, ...rows.map((r) => r.value))
  return html`<ul class="bars">${rows.map(
    (r) => html`<li><span title="${r.label}">${r.label}</span><span class="bar ${tone}"><i style="width:${Math.round((r.value / max) * 100)}%"></i></span><span class="num">${r.value}</span></li>${r.note ? html`<li class="faint" style="display:block;margin-top:-6px">${r.note}</li>` : ''}`,
  )}</ul>`
}

function chartData(d: Dashboard) {
  return {
    charts: {
      perDay: {
        x: d.perDay.x,
        series: [
          { label: '提交 submitted', color: '#3370ff', values: d.perDay.submitted, fill: 'rgba(51,112,255,.08)' },
          { label: '通过 approved', color: '#2ea121', values: d.perDay.approved },
          { label: '驳回 rejected', color: '#f54a45', values: d.perDay.rejected },
        ],
      },
      postings: {
        x: d.postingsPerDay.x,
        series: [
          { label: '入账成功 posted', color: '#2ea121', values: d.postingsPerDay.posted, bars: true, fill: 'rgba(46,161,33,.5)' },
          { label: '失败/死信 failed', color: '#f54a45', values: d.postingsPerDay.failed, bars: true, fill: 'rgba(245,74,69,.5)' },
        ],
      },
    },
  }
}

/** Requests whose flags an approver or auditor should look at, each flag with its reason. */
function flagsPanel(flagged: readonly FlaggedClaim[]): Html {
  const shown = flagged.slice(0, 30)
  return html`<section class="panel" id="flags"><div class="panel-head"><h2>${bi('异常提示', 'Anomaly flags')}</h2><span class="faint">仅供参考，不会拦截 / facts for approvers, never a block</span></div>
    ${
      shown.length
        ? html`<ul class="list">${shown.map(
            (f) => html`<li data-request="${f.requestId}"><div class="item-main"><a class="item-title" href="/miniapp/requests/${f.requestId}">${f.title}</a>
          <div class="item-sub"><span class="mono">${f.requestNo ?? ''}</span> · ${f.requesterName}（${f.departmentName}）· ${yuan(f.amountFen)}</div>
          <ul class="flag-list">${f.flags.map((x) => html`<li data-flag="${x.code}">${x.reason}</li>`)}</ul></div><div class="item-side">${requestBadge(f.status)}</div></li>`,
          )}</ul>${flagged.length > shown.length ? html`<p class="faint">另有 ${flagged.length - shown.length} 条 / ${flagged.length - shown.length} more</p>` : ''}`
        : empty('该时段没有异常提示', 'No flags in this range')
    }</section>`
}

export async function renderDashboardPage(c: Context, db: Kysely<Schema>, viewer: Viewer, now: number): Promise<Response> {
  const departments = await db.selectFrom('departments').select(['id', 'name']).orderBy('id').execute()
  const filter = dashboardFilter(c.req.query(), now)
  if ('error' in filter) {
    return renderPage(c, { title: '概览', viewer, section: 'dashboard', body: html`<section class="panel notice warn">${filter.error} <a href="/miniapp/dashboard">重置 reset</a></section>` })
  }
  const d = await loadDashboard(db, filter, now)
  const flagged = await loadFlaggedClaims(db, filter)
  const body = html`
<div class="page-head"><div><h1>${bi('运行概览', 'Dashboard')}</h1><p class="faint">${d.filter.from} ~ ${d.filter.to}${d.filter.departmentId ? ` · ${departments.find((x) => x.id === d.filter.departmentId)?.name ?? ''}` : ' · 全公司 all departments'}</p></div></div>
<form class="panel filters" method="get" action="/miniapp/dashboard" id="dashboard-filter">
  <label class="field"><span>开始 From</span><input type="date" name="from" value="${d.filter.from}"></label>
  <label class="field"><span>结束 To</span><input type="date" name="to" value="${d.filter.to}"></label>
  <label class="field"><span>部门 Department</span><select name="departmentId"><option value="">全部 All</option>${departments.map((x) => html`<option value="${x.id}" ${x.id === d.filter.departmentId ? 'selected' : ''}>${x.name}</option>`)}</select></label>
  <button class="btn primary" type="submit">筛选 Apply</button>
</form>
<div class="kpis" id="kpis">
  ${kpi('提交', 'Submitted', d.totals.submitted)}
  ${kpi('审批中', 'Pending', d.totals.pending)}
  ${kpi('超时', 'SLA breaches', d.totals.slaBreaches, '', d.totals.slaBreaches ? 'warn' : '')}
  ${kpi('已通过', 'Approved', d.totals.approved, '', 'good')}
  ${kpi('入账成功', 'Posted', d.postings.posted, '', 'good')}
  ${kpi('入账中', 'Posting', d.postings.inFlight)}
  ${kpi('入账失败', 'Failed', d.postings.failed, '', d.postings.failed ? 'warn' : '')}
  ${kpi('死信', 'Dead', d.postings.dead, '', d.postings.dead ? 'warn' : '')}
</div>
<div class="grid two">
  <section class="panel"><h2>${bi('每日申请', 'Requests per day')}</h2><div class="chart" data-chart="perDay" id="chart-per-day"></div></section>
  <section class="panel"><h2>${bi('每日入账', 'ERP postings per day')}</h2><div class="chart" data-chart="postings" id="chart-postings"></div></section>
  <section class="panel" id="pending-by-step"><h2>${bi('待审批 · 按节点', 'Pending by step')}</h2>${d.pendingByStep.length ? bars(d.pendingByStep.map((s) => ({ label: s.name, value: s.count }))) : empty('没有待审批', 'Nothing pending')}</section>
  <section class="panel" id="pending-by-approver"><h2>${bi('待审批 · 按审批人', 'Pending by approver')}</h2>${d.pendingByApprover.length ? bars(d.pendingByApprover.map((s) => ({ label: `${s.name} ${s.employeeNo || s.approverId}`, value: s.count })), '') : empty('没有待审批', 'Nothing pending')}</section>
  <section class="panel" id="durations"><h2>${bi('审批时长', 'Approval time')}</h2>
    ${
      d.durationByType.length
        ? html`<div class="table-wrap"><table class="data"><thead><tr><th>类型 Type</th><th class="num">完成 Done</th><th class="num">平均 Avg</th><th class="num">P90</th></tr></thead>
      <tbody>${d.durationByType.map((t) => html`<tr><td>${t.label}</td><td class="num">${t.finished}</td><td class="num">${duration(t.avgHours)}</td><td class="num">${duration(t.p90Hours)}</td></tr>`)}</tbody></table></div>`
        : empty('该时段内没有完成的申请', 'No request finished in this range')
    }</section>
  <section class="panel" id="sla"><div class="panel-head"><h2>${bi('超时未批', 'SLA breaches')}</h2><span class="faint">按节点时限，未设置时 ${d.slaHours} 小时 / node SLA, default ${d.slaHours} h</span></div>
    ${
      d.slaBreaches.length
        ? html`<ul class="list">${d.slaBreaches.map((b) => html`<li><div class="item-main"><a class="item-title" href="/miniapp/requests/${b.requestId}">${b.title}</a><div class="item-sub"><span class="mono">${b.requestNo}</span> · ${b.stepName} · ${b.approverName} · 时限 ${duration(b.slaHours)}</div></div><div class="item-side"><span class="badge red">${duration(b.waitingHours)}</span></div></li>`)}</ul>`
        : empty('没有超时的审批', 'No approval is over its SLA')
    }</section>
</div>
${flagsPanel(flagged)}
${jsonBlock('dashboard-data', chartData(d))}`
  return renderPage(c, { title: '概览', viewer, section: 'dashboard', body, scripts: ['uplot.js'], styles: ['uplot.css'] })
}
