import { html, raw } from 'hono/html'
import { formatYuan } from '../../workflow/money.js'
import { companyDateTime } from '../../workflow/shanghai-time.js'

export { html, raw }
/** A rendered, escaped fragment (hono/html escapes every interpolated string). */
export type Html = ReturnType<typeof html>

export const yuan = (fen: number) => `¥${formatYuan(fen)}`
export const when = (ms: number | null | undefined) => (ms ? companyDateTime(ms) : '—')

/** Chinese label with its English beside it, the way every heading reads. */
export const bi = (zh: string, en: string): Html => html`${zh}<span class="en">${en}</span>`

const REQUEST_STATUS: Record<string, [string, string]> = {
  draft: ['草稿', ''],
  pending: ['审批中', 'blue'],
  approved: ['已通过', 'green'],
  rejected: ['已驳回', 'red'],
  cancelled: ['已撤回', ''],
}
const POSTING_STATUS: Record<string, [string, string]> = {
  pending: ['待入账', 'blue'],
  sending: ['入账中', 'blue'],
  unknown: ['待核对', 'orange'],
  failed: ['失败', 'orange'],
  posted: ['已入账', 'green'],
  dead: ['死信', 'red'],
  cancelled: ['已取消', ''],
}

export const requestBadge = (status: string): Html => {
  const [label, tone] = REQUEST_STATUS[status] ?? [status, '']
  return html`<span class="badge ${tone}" data-status="${status}">${label}</span>`
}

export const postingBadge = (status: string | null): Html => {
  if (!status) return html``
  const [label, tone] = POSTING_STATUS[status] ?? [status, '']
  return html`<span class="badge ${tone}" data-posting="${status}">${label}</span>`
}

export const empty = (zh: string, en: string): Html => html`<div class="empty">${zh}<br><span class="faint">${en}</span></div>`

/** Data for a page's script, in a JSON block the CSP lets through (it never executes). `<` is escaped so it cannot close the tag. */
export const jsonBlock = (id: string, data: unknown): Html =>
  html`<script type="application/json" id="${id}">${raw(JSON.stringify(data).replace(/</g, '\\u003c'))}</script>`
