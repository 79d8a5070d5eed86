import { EXPENSE_CATEGORY_LABELS, type ExpenseCategoryCode } from '../../workflow/request-types.js'
import { formatYuan } from '../../workflow/money.js'
import type { RequestView, TaskView } from '../../workflow/request-view.js'
import { companyDateTime } from '../../workflow/shanghai-time.js'
import type { Card, CardAction, CardField, CardTone } from './card.js'

/** requester: the person who asked; approver: someone the route sent it to. */
export type CardAudience = 'requester' | 'approver'

const APPROVE: CardAction = { id: 'approve', label: '同意', style: 'primary', withComment: true }
const REJECT: CardAction = { id: 'reject', label: '驳回', style: 'danger', withComment: true }
const CONFIRM: CardAction = { id: 'confirm', label: '确认提交', style: 'primary' }
const CANCEL: CardAction = { id: 'cancel', label: '取消', style: 'default' }

/** One request as one recipient should see it right now; re-rendered on every change. */
export function renderRequestCard(view: RequestView, audience: CardAudience, recipientId: string, cardId: string): Card {
  return {
    id: cardId,
    title: cardTitle(view, audience),
    requestNo: view.requestNo ?? undefined,
    status: statusLine(view),
    tone: tone(view),
    fields: fields(view),
    notes: notes(view),
    actions: actions(view, audience, recipientId),
  }
}

function cardTitle(view: RequestView, audience: CardAudience): string {
  if (view.status === 'draft') return `请确认${view.typeLabel}信息`
  return audience === 'approver' ? `${view.requester.name}的${view.typeLabel}` : `我的${view.typeLabel}`
}

function fields(view: RequestView): CardField[] {
  const p = view.payload as { category?: ExpenseCategoryCode; period?: { from: string; to: string }; date?: string; reason?: string }
  const list: CardField[] = []
  if (view.requestNo) list.push({ label: '单号', value: view.requestNo })
  list.push({ label: '申请人', value: `${view.requester.name}（${view.requester.departmentName}）` })
  if (p.category) list.push({ label: '费用类型', value: EXPENSE_CATEGORY_LABELS[p.category] })
  list.push({ label: '金额', value: `¥${formatYuan(view.amountFen)}` })
  if (p.period) list.push({ label: '费用期间', value: p.period.from === p.period.to ? p.period.from : `${p.period.from} 至 ${p.period.to}` })
  if (p.date) list.push({ label: '发生日期', value: p.date })
  if (p.reason) list.push({ label: '事由', value: p.reason })
  if (view.submittedAt) list.push({ label: '提交时间', value: companyDateTime(view.submittedAt) })
  return list
}

/** The route with each step's outcome, and why each step is there. */
function notes(view: RequestView): string[] {
  if (view.status === 'draft') return ['确认后将提交审批 / Confirm to submit for approval']
  const lines = view.route.map((step, i) => {
    const tasks = view.tasks.filter((t) => t.step === i)
    const who = tasks.length > 0 ? tasks.map(taskLabel).join('、') : step.skippedBecause ?? '未开始'
    const marker = view.status === 'pending' && i === view.currentStep ? '▶' : '·'
    return `${marker} 第${i + 1}步 ${step.name}：${who}（${step.reason}）`
  })
  if (view.posting?.status === 'posted') lines.push(`✓ 已入账，凭证号 ${view.posting.documentNo}`)
  else if (view.posting?.status === 'failed' || view.posting?.status === 'dead') lines.push(`✗ 入账失败：${view.posting.lastError ?? ''}`)
  return lines
}

function taskLabel(task: TaskView): string {
  const comment = task.comment ? `「${task.comment}」` : ''
  switch (task.status) {
    case 'approved':
      return `${task.approverName} 已同意${comment}`
    case 'rejected':
      return `${task.approverName} 已驳回${comment}`
    case 'pending':
      return `${task.approverName} 待审批`
    case 'cancelled':
      return `${task.approverName} 无需处理`
  }
}

function lastDecision(view: RequestView): TaskView | undefined {
  return view.tasks
    .filter((t) => t.status === 'approved' || t.status === 'rejected')
    .sort((a, b) => (a.decidedAt ?? 0) - (b.decidedAt ?? 0))
    .at(-1)
}

function statusLine(view: RequestView): string {
  const last = lastDecision(view)
  const waiting = view.tasks.filter((t) => t.status === 'pending').map((t) => t.approverName)
  switch (view.status) {
    case 'draft':
      return '待确认'
    case 'cancelled':
      return '已取消'
    case 'rejected':
      return `已驳回 by ${last?.approverName ?? ''}`
    case 'pending':
      return last ? `已同意 by ${last.approverName} · 待 ${waiting.join('、')} 审批` : `待审批 · ${waiting.join('、')}`
    case 'approved':
      if (view.posting?.status === 'posted') return `已入账 · 凭证号 ${view.posting.documentNo}`
      if (view.posting?.status === 'failed' || view.posting?.status === 'dead') return '已通过 · 入账失败'
      return last ? `已同意 by ${last.approverName} · 审批通过，入账中` : '审批通过，入账中'
  }
}

function tone(view: RequestView): CardTone {
  if (view.status === 'rejected') return 'red'
  if (view.status === 'cancelled') return 'grey'
  if (view.status === 'approved') return view.posting?.status === 'failed' || view.posting?.status === 'dead' ? 'orange' : 'green'
  return view.status === 'draft' ? 'orange' : 'blue'
}

function actions(view: RequestView, audience: CardAudience, recipientId: string): CardAction[] {
  if (audience === 'requester') return view.status === 'draft' ? [CONFIRM, CANCEL] : []
  const holdsCurrentTask = view.status === 'pending' && view.tasks.some((t) => t.approverId === recipientId && t.status === 'pending' && t.step === view.currentStep)
  return holdsCurrentTask ? [APPROVE, REJECT] : []
}
