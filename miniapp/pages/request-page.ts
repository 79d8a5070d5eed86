import type { Context } from 'hono'
import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { loadClaimInsight, type ClaimInsight } from '../../workflow/receipts/anomalies/claim-insight.js'
import { attachmentsOfRequest, type StoredAttachment } from '../../workflow/receipts/attachments/attachments.js'
import { invoiceSummary } from '../../workflow/receipts/invoices/invoice.js'
import { EXPENSE_CATEGORY_LABELS, type ExpenseCategoryCode } from '../../workflow/request-types.js'
import { loadRequestView, type RequestView } from '../../workflow/request-view.js'
import { roleAllows } from '../auth/roles.js'
import type { Viewer } from '../auth/viewer.js'
import { maySeeRequest } from '../receipts/request-access.js'
import { renderForbidden, renderPage } from '../ui/layout.js'
import { bi, html, postingBadge, requestBadge, when, yuan, type Html } from '../ui/html.js'

const TASK_LABEL: Record<string, string> = { approved: '已同意', rejected: '已驳回', pending: '待审批', cancelled: '无需审批' }

/** The request's story: submitted, each step with who decided what and when, then the ERP posting. */
function timeline(view: RequestView): Html {
  const steps = view.route.map((step, index) => {
    const tasks = view.tasks.filter((t) => t.step === index)
    const decided = tasks.filter((t) => t.status === 'approved' || t.status === 'rejected')
    const state = step.skippedBecause ? 'done' : tasks.some((t) => t.status === 'rejected') ? 'bad' : decided.length && !tasks.some((t) => t.status === 'pending') ? 'done' : index === view.currentStep && view.status === 'pending' ? 'now' : ''
    return html`<li class="${state}"><div class="item-title">${step.name} <span class="faint">${step.mode === 'all' ? '会签 all must approve' : '或签 any one'}</span></div>
      <div class="item-sub">${step.reason}</div>
      ${step.skippedBecause ? html`<div class="item-sub">跳过：${step.skippedBecause}</div>` : ''}
      ${tasks.map((t) => html`<div class="item-sub">${t.approverName} · ${TASK_LABEL[t.status] ?? t.status}${t.decidedAt ? html` <span class="when">${when(t.decidedAt)}</span>` : ''}${t.comment ? html`<br>“${t.comment}”` : ''}</div>`)}
    </li>`
  })
  return html`<ol class="timeline" id="timeline">
    <li class="done"><div class="item-title">提交 Submitted</div><div class="item-sub">${view.requester.name}</div><div class="when">${when(view.submittedAt ?? view.createdAt)}</div></li>
    ${steps}
    ${view.posting ? html`<li class="${view.posting.status === 'posted' ? 'done' : view.posting.status === 'dead' || view.posting.status === 'failed' ? 'bad' : 'now'}"><div class="item-title">入账 ERP posting ${postingBadge(view.posting.status)}</div>
      ${view.posting.documentNo ? html`<div class="item-sub">凭证号 <span class="mono">${view.posting.documentNo}</span></div>` : ''}
      ${view.posting.lastError ? html`<div class="item-sub">${view.posting.lastError}</div>` : ''}</li>` : ''}
  </ol>`
}

const kb = (bytes: number) => (bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`)

/** Each file with what was read from it; links go through the request's own access check. */
function attachmentsPanel(requestId: string, files: readonly StoredAttachment[]): Html {
  if (files.length === 0) return html``
  return html`<section class="panel" id="attachments"><h2>${bi('附件', 'Attachments')}</h2><ul class="list">${files.map((f) => {
    const i = f.invoice
    const detail = i
      ? html`发票 ${invoiceSummary(i)} · 号码 <span class="mono">${i.code ? `${i.code}-${i.number}` : i.number}</span>${i.seller.name ? html` · 销售方 ${i.seller.name}` : ''}${i.buyer.name || i.buyer.taxId ? html` · 购买方 ${i.buyer.name ?? ''}${i.buyer.taxId ? html`（<span class="mono">${i.buyer.taxId}</span>）` : ''}` : ''}`
      : html`需人工核对 Manual entry：${f.readingNote ?? ''}`
    return html`<li data-attachment="${f.id}"><div class="item-main"><a class="item-title" href="/miniapp/requests/${requestId}/attachments/${f.id}" target="_blank" rel="noopener">${f.name}</a><div class="item-sub">${detail}</div></div><div class="item-side faint">${kb(f.sizeBytes)}</div></li>`
  })}</ul></section>`
}

/** The approver's one line and the anomaly flags: facts to weigh, never a verdict. */
function insightPanel(insight: ClaimInsight | null): Html {
  if (!insight) return html``
  return html`<section class="panel" id="insight"><h2>${bi('审批参考', 'For approvers')}</h2><p id="context-line">${insight.context}</p>
  ${insight.flags.length ? html`<ul class="flag-list">${insight.flags.map((f) => html`<li data-flag="${f.code}">${f.reason}</li>`)}</ul>` : html`<p class="faint">没有异常提示 No flags</p>`}</section>`
}

export async function renderRequestPage(c: Context, db: Kysely<Schema>, viewer: Viewer, requestId: string, now: number): Promise<Response> {
  if (!(await maySeeRequest(db, viewer, requestId))) return renderForbidden(c, viewer, 'my')
  const view = await loadRequestView(db, requestId)
  const files = await attachmentsOfRequest(db, requestId)
  // Flags are for those who judge the request, not for the person it is about.
  const judges = view.requester.id !== viewer.id || roleAllows(viewer.roles, ['finance', 'auditor'])
  const insight = judges && view.status !== 'draft' ? await loadClaimInsight(db, requestId, now) : null
  const payload = view.payload as { category?: ExpenseCategoryCode; period?: { from: string; to: string }; date?: string; reason?: string }
  const body = html`
<div class="page-head"><div><h1>${view.title}</h1><p class="faint mono">${view.requestNo ?? '草稿 draft'}</p></div>${requestBadge(view.status)}</div>
<section class="panel"><dl class="kv">
  <dt>类型 Type</dt><dd>${view.typeLabel}${payload.category ? ` · ${EXPENSE_CATEGORY_LABELS[payload.category] ?? payload.category}` : ''}</dd>
  <dt>金额 Amount</dt><dd class="amount">${yuan(view.amountFen)}</dd>
  <dt>申请人 By</dt><dd>${view.requester.name} · ${view.requester.departmentName}</dd>
  ${payload.period ? html`<dt>期间 Period</dt><dd>${payload.period.from} ~ ${payload.period.to}</dd>` : ''}
  ${payload.date ? html`<dt>日期 Date</dt><dd>${payload.date}</dd>` : ''}
  ${payload.reason ? html`<dt>事由 Reason</dt><dd>${payload.reason}</dd>` : ''}
  <dt>提交 Submitted</dt><dd>${when(view.submittedAt)}</dd>
  <dt>完成 Finished</dt><dd>${when(view.finishedAt)}</dd>
</dl></section>
${insightPanel(insight)}
${attachmentsPanel(view.id, files)}
<section class="panel"><h2>${bi('审批进度', 'Timeline')}</h2>${timeline(view)}</section>`
  return renderPage(c, { title: view.requestNo ?? view.title, viewer, section: 'my', body })
}
