import type { StoredAttachment } from '../../workflow/receipts/attachments/attachments.js'
import type { ClaimInsight } from '../../workflow/receipts/anomalies/claim-insight.js'
import { invoiceSummary } from '../../workflow/receipts/invoices/invoice.js'
import { EXPENSE_CATEGORY_LABELS, type ExpenseCategoryCode } from '../../workflow/request-types.js'
import { formatYuan } from '../../workflow/money.js'
import type { RequestView, TaskView } from '../../workflow/request-view.js'
import { isReturnableStep, MODE_LABELS, type RouteStep } from '../../workflow/routing/route.js'
import { companyDateTime } from '../../workflow/shanghai-time.js'
import { COMMENT_NOTE, type Card, type CardAction, type CardField, type CardTone } from './card.js'

/**
 * requester / approver: the cards the bot pushes, carrying only what the recipient is expected to
 * do now (confirm; decide; resubmit after a return), like the cards Feishu and DingTalk push.
 * requester-desk / approver-desk: cards the person asked for (「待我审批」「撤回」), with every action
 * they may take: 退回, 转交, 加签, 评论, 撤回, 催办. cc: a read-only copy for CC recipients.
 */
export type CardAudience = 'requester' | 'approver' | 'cc' | 'requester-desk' | 'approver-desk'

const APPROVE: CardAction = { id: 'approve', label: '同意', style: 'primary', withComment: true }
const REJECT: CardAction = { id: 'reject', label: '驳回', style: 'danger', withComment: true }
const CONFIRM: CardAction = { id: 'confirm', label: '确认提交', style: 'primary' }
/** Confirm with the approvers the requester chose, named in the comment. */
const CONFIRM_WITH_APPROVERS: CardAction = { id: 'confirm-select', label: '确认提交', style: 'primary', withComment: true }
const CANCEL: CardAction = { id: 'cancel', label: '取消', style: 'default' }
/** Offers the fields to change; the draft is revised and its checks run again. */
const EDIT: CardAction = { id: 'edit', label: '修改', style: 'default' }
const RETURN_TO_INITIATOR: CardAction = { id: 'return', label: '退回发起人', style: 'default', withComment: true }
const TRANSFER: CardAction = { id: 'transfer', label: '转交', style: 'default', withComment: true }
const ADD_BEFORE: CardAction = { id: 'add-before', label: '前加签', style: 'default', withComment: true }
const ADD_AFTER: CardAction = { id: 'add-after', label: '同意并后加签', style: 'default', withComment: true }
const COMMENT: CardAction = { id: 'comment', label: '评论', style: 'default', withComment: true }
const WITHDRAW: CardAction = { id: 'withdraw', label: '撤回', style: 'danger', withComment: true }
const URGE: CardAction = { id: 'urge', label: '催办', style: 'default' }
const RESUBMIT: CardAction = { id: 'resubmit', label: '重新提交', style: 'primary', withComment: true }

/** What a card shows besides the request itself: its files, and for approvers the context line and flags. */
export interface RequestExtras {
  attachments: StoredAttachment[]
  insight: ClaimInsight | null
  /** The LLM's summary of a long request: display-only text, labelled as AI. */
  summary?: string
}

/** Audiences that judge the request: they get the context line and the anomaly flags. */
export const JUDGING_AUDIENCES: ReadonlySet<CardAudience> = new Set(['approver', 'approver-desk', 'cc'])

/** One request as one recipient should see it right now; re-rendered on every change. */
export function renderRequestCard(view: RequestView, audience: CardAudience, recipientId: string, cardId: string, extras?: RequestExtras): Card {
  const insight = view.status !== 'draft' && JUDGING_AUDIENCES.has(audience) ? [...insightLines(extras?.insight ?? null), ...summaryLines(extras?.summary)] : []
  return {
    id: cardId,
    title: cardTitle(view, audience),
    requestNo: view.requestNo ?? undefined,
    status: statusLine(view),
    tone: tone(view),
    fields: [...fields(view), ...attachmentField(extras?.attachments ?? [])],
    notes: view.status === 'draft' ? draftNotes(view) : [...insight, ...notes(view, audience), ...hints(view, audience, recipientId)],
    actions: actions(view, audience, recipientId),
    ...actsOn(view, audience, recipientId),
  }
}

function actsOn(view: RequestView, audience: CardAudience, recipientId: string): { actsOn?: string } {
  if (audience !== 'approver' && audience !== 'approver-desk') return {}
  const task = heldTask(view, recipientId)
  return task ? { actsOn: task.id } : {}
}

const heldTask = (view: RequestView, recipientId: string) =>
  view.status === 'pending' ? view.tasks.find((t) => t.approverId === recipientId && t.status === 'pending' && t.step === view.currentStep) : undefined

/** "📊 张三本月第3笔差旅费报销，…" then one 🚩 line per flag: facts for the approver, never a block. */
function insightLines(insight: ClaimInsight | null): string[] {
  if (!insight) return []
  return [`📊 ${insight.context}`, ...insight.flags.map((f) => `🚩 ${f.reason}`)]
}

/** Labelled as machine-written and advisory: it may be wrong, and it never decides anything. */
function summaryLines(summary: string | undefined): string[] {
  return summary ? [`🤖 AI 摘要（仅供参考）：${summary}`] : []
}

function attachmentField(files: readonly StoredAttachment[]): CardField[] {
  if (files.length === 0) return []
  const described = files.map((f) => `${f.name}（${f.invoice ? `发票 ${invoiceSummary(f.invoice)}` : '需人工核对'}）`)
  return [{ label: '附件', value: described.join('；') }]
}

function cardTitle(view: RequestView, audience: CardAudience): string {
  if (view.status === 'draft') return `请确认${view.typeLabel}信息`
  if (audience === 'cc') return `${view.requester.name}的${view.typeLabel}（抄送）`
  return audience === 'approver' || audience === 'approver-desk' ? `${view.requester.name}的${view.typeLabel}` : `我的${view.typeLabel}`
}

type AnyPayload = {
  category?: ExpenseCategoryCode
  period?: { from: string; to: string }
  date?: string
  reason?: string
  city?: string
  nights?: number
  invoices?: { number: string; code?: string }[]
  item?: string
  quantity?: number
  neededBy?: string
  toDepartment?: string
  toPosition?: string
  effectiveDate?: string
  handoverTo?: string
  title?: string
  startDate?: string
}

function fields(view: RequestView): CardField[] {
  const p = view.payload as AnyPayload
  const list: CardField[] = []
  const add = (label: string, value: string | number | undefined) => {
    if (value !== undefined && value !== '') list.push({ label, value: String(value) })
  }
  if (view.requestNo) list.push({ label: '单号', value: view.requestNo })
  list.push({ label: '申请人', value: `${view.requester.name}（${view.requester.departmentName}）` })
  switch (view.type) {
    case 'expense':
      add('费用类型', p.category && EXPENSE_CATEGORY_LABELS[p.category])
      list.push({ label: '金额', value: `¥${formatYuan(view.amountFen)}` })
      add('费用期间', p.period && (p.period.from === p.period.to ? p.period.from : `${p.period.from} 至 ${p.period.to}`))
      add('发生日期', p.date)
      add('城市', p.city)
      add('晚数', p.nights)
      add('发票', p.invoices?.map((i) => (i.code ? `${i.code}-${i.number}` : i.number)).join('、'))
      break
    case 'purchase':
      add('物品', p.item)
      add('数量', p.quantity)
      list.push({ label: '预算', value: `¥${formatYuan(view.amountFen)}` })
      add('需要日期', p.neededBy)
      break
    case 'hr.transfer':
      add('调入部门', p.toDepartment)
      add('新岗位', p.toPosition)
      add('生效日期', p.effectiveDate)
      break
    case 'hr.resign':
      add('最后工作日', p.effectiveDate)
      add('交接人', p.handoverTo)
      break
    case 'project':
      add('项目名称', p.title)
      list.push({ label: '预算', value: `¥${formatYuan(view.amountFen)}` })
      add('开始日期', p.startDate)
      break
  }
  add('事由', p.reason)
  if (view.submittedAt) list.push({ label: '提交时间', value: companyDateTime(view.submittedAt) })
  return list
}

/** Before submitting: the route it will take, why, and what the policy checks found, with fixes. */
function draftNotes(view: RequestView): string[] {
  const lines = view.route.map((step, i) => {
    if (awaitsSelection(step)) return `· 第${i + 1}步 ${step.name}：请在备注中填写审批人姓名后确认提交（${step.reason}）`
    if (step.kind === 'cc') return `· ${step.name}：${step.skippedBecause ?? namesOf(view, step)}（${step.reason}）`
    return `· 第${i + 1}步 ${step.name}${modeOf(step)}：${step.rejectWhenReached ?? step.skippedBecause ?? namesOf(view, step)}（${step.reason}）`
  })
  lines.push(...view.routingNotes.map((n) => `· ${n}`))
  lines.push(...findingLines(view, true))
  lines.push(blocked(view) ? '存在未通过的规则，请点「修改」按提示修改，或取消 / Edit to fix the findings above, or cancel' : '确认后将提交审批；可点「修改」或直接说「金额改成500」 / Confirm to submit, or edit a field first')
  return lines
}

/** The route with each step's outcome and why each step is there, then findings, history, comments. */
function notes(view: RequestView, audience: CardAudience): string[] {
  const lines: string[] = []
  view.route.forEach((step, i) => {
    if (step.kind === 'cc') {
      const state = step.skippedBecause ?? `${namesOf(view, step)} ${step.reachedAt !== undefined ? '已抄送' : '（到达时抄送）'}`
      lines.push(`· ${step.name}：${state}（${step.reason}）`)
      return
    }
    const tasks = tasksShown(view, i)
    const who = tasks.length > 0 ? tasks.map(taskLabel).join('、') : (step.rejectWhenReached ?? step.skippedBecause ?? `${namesOf(view, step)} 未开始`)
    const marker = view.status === 'pending' && i === view.currentStep ? '▶' : '·'
    lines.push(`${marker} 第${i + 1}步 ${step.name}${modeOf(step)}：${who}（${step.reason}）`)
    for (const note of step.notes ?? []) lines.push(`  ↳ ${note}`)
  })
  lines.push(...view.routingNotes.map((n) => `· 路由说明：${n}`))
  lines.push(...findingLines(view, audience === 'requester' || audience === 'requester-desk'))
  for (const c of view.comments) lines.push(`${COMMENT_NOTE} ${c.authorName}（${companyDateTime(c.at)}）：${c.text}`)
  if (view.status === 'returned') lines.push('↩ 已退回，请修改后重新提交（可在意见框写明修改，如「金额 3000」「事由：补充发票」）')
  if (view.posting?.status === 'posted') lines.push(`✓ 已入账，凭证号 ${view.posting.documentNo}`)
  else if (view.posting?.status === 'failed' || view.posting?.status === 'dead') lines.push(`✗ 入账失败：${view.posting.lastError ?? ''}`)
  return lines
}

/** Where the other actions are: pushed cards stay short, the desk cards have them all. */
function hints(view: RequestView, audience: CardAudience, recipientId: string): string[] {
  if (view.status !== 'pending') return []
  const holds = view.tasks.some((t) => t.approverId === recipientId && t.status === 'pending' && t.step === view.currentStep)
  if (audience === 'approver' && holds) return ['需要退回、转交或加签？发送「待我审批」']
  if (audience === 'approver-desk' && holds) return ['转交、加签：在意见框写姓名，如「王五」；退回：写明理由；发送「全部同意」可批量同意']
  if (audience === 'requester' && view.requester.id === recipientId) return ['需要撤回或催办？发送「撤回」']
  return []
}

function namesOf(view: RequestView, step: RouteStep): string {
  return step.approverIds.map((id) => view.people[id] ?? id).join('、')
}

function modeOf(step: RouteStep): string {
  if (step.approverIds.length < 2) return ''
  return `（${MODE_LABELS[step.mode]}${step.mode === 'vote' ? ` ${Math.round((step.passRatio ?? 1) * 100)}%` : ''}）`
}

function findingLines(view: RequestView, withFix: boolean): string[] {
  return view.policyFindings.map((f) => `${f.severity === 'block' ? '⛔' : '⚠️'} 规则 ${f.code}：${f.message}${withFix ? `。建议：${f.fix}` : ''}`)
}

function blocked(view: RequestView): boolean {
  return view.policyFindings.some((f) => f.severity === 'block')
}

function awaitsSelection(step: RouteStep): boolean {
  return step.awaitingSelection === true
}

/**
 * The tasks to show on step i: this round's; for steps already passed, the latest round of the
 * current route that reached them (a return to an earlier step starts a new round there).
 * A task paused by 加签 and reopened shows once.
 */
function tasksShown(view: RequestView, i: number): TaskView[] {
  const ofStep = view.tasks.filter((t) => t.step === i && t.round >= view.routeRound)
  let round = view.round
  if (!ofStep.some((t) => t.round === round) && i < view.currentStep) round = Math.max(-1, ...ofStep.map((t) => t.round))
  const shown = ofStep.filter((t) => t.round === round)
  const order = view.route[i]?.approverIds ?? []
  return shown
    .filter((t, k) => !(t.status === 'cancelled' && shown.slice(k + 1).some((later) => memberOf(later) === memberOf(t))))
    .sort((a, b) => rank(order, a) - rank(order, b))
}

const memberOf = (t: TaskView) => t.delegatedFrom?.id ?? t.approverId
const rank = (order: string[], t: TaskView) => {
  const k = order.indexOf(memberOf(t))
  return k < 0 ? order.length : k
}

function taskLabel(task: TaskView): string {
  const comment = task.comment ? `「${task.comment}」` : ''
  const who = task.delegatedFrom ? `${task.approverName}（代${task.delegatedFrom.name}）` : task.approverName
  switch (task.status) {
    case 'approved':
      return task.autoReason ? `${who} ${task.autoReason}` : `${who} 已同意${comment}`
    case 'rejected':
      return task.autoReason ? `${who} ${task.autoReason}` : `${who} 已驳回${comment}`
    case 'returned':
      return `${who} 已退回${comment}`
    case 'transferred':
      return `${who} 已转交${comment}`
    case 'pending':
      return `${who} 待审批`
    case 'cancelled':
      return task.autoReason ? `${who} ${task.autoReason}` : `${who} 无需处理`
  }
}

/** The latest decision a person made (system decisions are explained in the notes instead). */
function lastHumanDecision(view: RequestView, statuses: TaskView['status'][]): TaskView | undefined {
  return view.tasks
    .filter((t) => statuses.includes(t.status) && t.autoReason === null)
    .sort((a, b) => (a.decidedAt ?? 0) - (b.decidedAt ?? 0))
    .at(-1)
}

function statusLine(view: RequestView): string {
  const waiting = view.tasks.filter((t) => t.status === 'pending').map((t) => t.approverName)
  switch (view.status) {
    case 'draft':
      return blocked(view) ? '未通过规则检查' : '待确认'
    case 'cancelled':
      return '已取消'
    case 'withdrawn':
      return '已撤回'
    case 'returned': {
      const by = lastHumanDecision(view, ['returned'])
      return `已退回${by ? ` by ${by.approverName}` : ''} · 待修改后重新提交`
    }
    case 'rejected': {
      const by = lastHumanDecision(view, ['rejected'])
      const auto = view.tasks.find((t) => t.status === 'rejected' && t.autoReason)
      if (by) return `已驳回 by ${by.approverName}`
      return `已驳回（${auto?.autoReason ?? view.route[view.currentStep]?.rejectWhenReached ?? '系统'}）`
    }
    case 'pending': {
      const last = lastHumanDecision(view, ['approved'])
      const current = last && last.round === view.round ? last : undefined
      return current ? `已同意 by ${current.approverName} · 待 ${waiting.join('、')} 审批` : `待审批 · ${waiting.join('、')}`
    }
    case 'approved': {
      const last = lastHumanDecision(view, ['approved'])
      if (view.posting?.status === 'posted') return `已入账 · 凭证号 ${view.posting.documentNo}`
      if (view.posting?.status === 'failed' || view.posting?.status === 'dead') return '已通过 · 入账失败'
      if (!view.posting) return last ? `已同意 by ${last.approverName} · 审批通过` : '审批通过'
      return last ? `已同意 by ${last.approverName} · 审批通过，入账中` : '审批通过，入账中'
    }
  }
}

function tone(view: RequestView): CardTone {
  if (view.status === 'rejected') return 'red'
  if (view.status === 'cancelled' || view.status === 'withdrawn') return 'grey'
  if (view.status === 'approved') return view.posting?.status === 'failed' || view.posting?.status === 'dead' ? 'orange' : 'green'
  return view.status === 'draft' || view.status === 'returned' ? 'orange' : 'blue'
}

function actions(view: RequestView, audience: CardAudience, recipientId: string): CardAction[] {
  const holdsCurrentTask = heldTask(view, recipientId) !== undefined
  const isRequester = view.requester.id === recipientId
  switch (audience) {
    case 'requester':
      if (view.status === 'draft') return blocked(view) ? [EDIT, CANCEL] : [view.route.some(awaitsSelection) ? CONFIRM_WITH_APPROVERS : CONFIRM, EDIT, CANCEL]
      return view.status === 'returned' && isRequester ? [RESUBMIT, WITHDRAW] : []
    case 'approver':
      return holdsCurrentTask ? [APPROVE, REJECT] : []
    case 'cc':
      return view.status === 'draft' ? [] : [COMMENT]
    case 'requester-desk':
      if (!isRequester) return []
      if (view.status === 'returned') return [RESUBMIT, WITHDRAW, COMMENT]
      if (view.status === 'pending') return [URGE, ...(canWithdraw(view) ? [WITHDRAW] : []), COMMENT]
      return view.status === 'draft' || view.status === 'cancelled' ? [] : [COMMENT]
    case 'approver-desk':
      if (!holdsCurrentTask) return view.status === 'draft' ? [] : [COMMENT]
      return [APPROVE, REJECT, RETURN_TO_INITIATOR, ...returnTargets(view), TRANSFER, ADD_BEFORE, ADD_AFTER, COMMENT]
  }
}

/** 撤回 is possible after a return, and while nobody has decided on the current step in this round. */
export function canWithdraw(view: RequestView): boolean {
  if (view.status === 'returned') return true
  return view.status === 'pending' && !view.tasks.some((t) => t.step === view.currentStep && t.round === view.round && t.autoReason === null && (t.status === 'approved' || t.status === 'rejected'))
}

function returnTargets(view: RequestView): CardAction[] {
  return view.route.flatMap((step, i) =>
    i < view.currentStep && isReturnableStep(step)
      ? [{ id: `return:${i}`, label: `退回至第${i + 1}步`, style: 'default' as const, withComment: true }]
      : [],
  )
}
