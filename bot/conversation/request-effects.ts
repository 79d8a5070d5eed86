import type { FlowResult } from '../../workflow/actions/flow-action.js'
import { handOverFromDeactivated } from '../../workflow/actions/resigned-handover.js'
import type { Decision } from '../../workflow/decisions.js'
import { DomainError } from '../../workflow/errors.js'
import { loadRequestView } from '../../workflow/request-view.js'
import type { SubmitResult } from '../../workflow/request-service.js'
import type { RouteStep } from '../../workflow/routing/route.js'
import { SlaTimers, type TimerRun } from '../../workflow/time/sla-timers.js'
import { createWorkflowContext } from '../../workflow/workflow-context.js'
import type { BotServices } from '../bot-services.js'
import type { Slots } from '../nlu/command.js'
import type { InboundCardAction } from '../platform.js'
import { payloadChanges } from './draft-fields.js'
import { editedSlots } from './field-edits.js'
import { requirePeople, peopleNamedIn } from './handlers/named-people.js'

/**
 * What the chat side does after the domain moved a request: new approvers get cards, CC recipients
 * get a copy, every copy of every card is re-rendered, the requester hears about the outcome, the
 * ERP posting is woken. Shared by card taps, text commands and timers so all behave the same.
 */
export async function announceFlow(services: BotServices, result: FlowResult, actorId: string | null, comment?: string): Promise<void> {
  const { request } = result
  if (result.request.status === 'approved') services.requestPosting()
  await fanOut(services, 'approver card', result.openedTasks, (t) => services.cards.deliver(request.id, t.approver_id, 'approver'))
  const alreadyHolding = new Set((await services.db.selectFrom('cards').select('recipient_id').where('request_id', '=', request.id).execute()).map((c) => c.recipient_id))
  await fanOut(services, 'cc card', result.ccIds.filter((id) => !alreadyHolding.has(id)), (id) => services.cards.deliver(request.id, id, 'cc'))
  await services.cards.refresh(request.id)
  await fanOut(services, 'requester notice', [request.requester_id], () => tellRequester(services, result, actorId, comment))
}

/**
 * The domain change is already committed when we announce it: a recipient we cannot reach (no
 * account on the platform, platform down after its retries) must neither hide that from the person
 * who acted nor stop the other sends. Whoever missed a card still finds the task in 「待我审批」,
 * in the mini-app and in SLA reminders.
 */
async function fanOut<T>(services: BotServices, what: string, items: readonly T[], send: (item: T) => Promise<unknown>): Promise<void> {
  const results = await Promise.allSettled(items.map(send))
  results.forEach((r, i) => {
    if (r.status === 'rejected') services.log(`${what} not delivered (${JSON.stringify(items[i])}): ${String(r.reason)}`)
  })
}

export async function announceSubmission(services: BotServices, result: SubmitResult): Promise<string> {
  await announceFlow(services, result, result.request.requester_id)
  const { request, openedTasks } = result
  const names = await services.org.names(openedTasks.map((t) => t.approver_id))
  const waiting = [...names.values()].join('、')
  if (request.status === 'rejected') return `已提交，单号 ${request.request_no}，但流程无法继续，已自动驳回`
  return waiting ? `已提交，单号 ${request.request_no}，等待 ${waiting} 审批` : `已提交，单号 ${request.request_no}，已自动通过`
}

export async function decideAndAnnounce(
  services: BotServices,
  input: { requestId: string; actorId: string; decision: Decision; comment?: string; taskId?: string },
): Promise<string> {
  const result = await services.decisions.decide(input)
  await announceFlow(services, result, input.actorId, input.comment)
  return input.decision === 'approve' ? `已同意 ${result.request.request_no}` : `已驳回 ${result.request.request_no}`
}

async function tellRequester(services: BotServices, result: FlowResult, actorId: string | null, comment?: string): Promise<void> {
  const { request } = result
  const actor = actorId ? ((await services.org.employee(actorId))?.name ?? actorId) : '系统'
  const why = comment?.trim() || '未填写'
  switch (result.outcome) {
    case 'rejected':
      if (actorId) await services.messenger.sendText(request.requester_id, `你的申请 ${request.request_no} 已被 ${actor} 驳回。理由：${why}`)
      else await services.messenger.sendText(request.requester_id, `你的申请 ${request.request_no} 已被自动驳回：${systemReason(result)}`)
      return
    case 'approved': {
      const posting = await services.db.selectFrom('outbox').select('id').where('request_id', '=', request.id).executeTakeFirst()
      await services.messenger.sendText(request.requester_id, `你的申请 ${request.request_no} 已审批通过${posting ? '，正在入账' : ''}`)
      return
    }
    case 'returned':
      await services.messenger.sendText(request.requester_id, `你的申请 ${request.request_no} 被 ${actor} 退回。理由：${why}。请在卡片上修改后点「重新提交」，或「撤回」`)
      return
    default:
  }
}

function systemReason(result: FlowResult): string {
  const route = JSON.parse(result.request.route) as RouteStep[]
  const step = route[Number(result.request.current_step)]
  return step?.rejectWhenReached ?? step?.notes?.at(-1) ?? '流程规则'
}

/**
 * Card actions beyond confirm/cancel/approve/reject. The comment box carries what the action
 * needs: names for 转交/加签/自选审批人, a reason for 退回/撤回, changes for 重新提交.
 */
export async function performRequestAction(services: BotServices, requestId: string, action: InboundCardAction): Promise<string> {
  const { requests, decisions } = services
  const actorId = action.userId
  const comment = action.comment?.trim() || undefined
  const taskId = action.taskId
  const returnStep = /^return:(\d+)$/.exec(action.actionId)
  if (returnStep) {
    const target = Number(returnStep[1])
    const result = await decisions.returnTo({ requestId, actorId, target, comment, taskId })
    await announceFlow(services, result, actorId, comment)
    return `已退回至第${target + 1}步 ${result.request.request_no}`
  }
  switch (action.actionId) {
    case 'confirm-select':
      return confirmDraft(services, requestId, actorId, comment)
    case 'resubmit': {
      const payload = comment ? await changesFrom(services, requestId, comment) : undefined
      const result = await requests.resubmit(requestId, actorId, { payload })
      await announceFlow(services, result, actorId)
      return `已重新提交 ${result.request.request_no}`
    }
    case 'withdraw':
      return withdrawAndAnnounce(services, requestId, actorId, comment)
    case 'urge':
      return urgeAndAnnounce(services, requestId, actorId)
    case 'return': {
      const result = await decisions.returnTo({ requestId, actorId, target: 'initiator', comment, taskId })
      await announceFlow(services, result, actorId, comment)
      return `已退回发起人 ${result.request.request_no}`
    }
    case 'transfer': {
      const named = await requirePeople(services, comment, '转交对象', true)
      const to = named.people[0]!
      const result = await decisions.transfer({ requestId, actorId, toUserId: to.id, comment: named.rest || undefined, taskId })
      await announceFlow(services, result, actorId)
      return `已转交给 ${to.name}`
    }
    case 'add-before':
    case 'add-after': {
      const named = await requirePeople(services, comment, '加签人', false)
      const position = action.actionId === 'add-before' ? 'before' : 'after'
      const result = await decisions.addSigners({ requestId, actorId, userIds: named.people.map((p) => p.id), position, comment: named.rest || undefined, taskId })
      await announceFlow(services, result, actorId)
      const who = named.people.map((p) => p.name).join('、')
      return position === 'before' ? `已前加签 ${who}，待其审批后回到你` : `已同意并后加签 ${who}`
    }
    case 'comment': {
      if (!comment) throw new DomainError('VALIDATION', '请先在意见框中写评论内容', 'write the comment first')
      await decisions.comment({ requestId, actorId, text: comment })
      await services.cards.refresh(requestId)
      const view = await loadRequestView(services.db, requestId)
      const text = `💬 ${await nameOf(services, actorId)} 评论了 ${view.requestNo}：${comment}`
      const told = new Set([view.requester.id, ...view.tasks.filter((t) => t.status === 'pending').map((t) => t.approverId)])
      told.delete(actorId)
      await fanOut(services, 'comment notice', [...told], (id) => services.messenger.sendText(id, text))
      return '已评论'
    }
    default:
      throw new DomainError('VALIDATION', `不支持的操作：${action.actionId}`, `unsupported action: ${action.actionId}`)
  }
}

/** 确认提交 by card or text; where the route has 发起人自选 steps, the comment names their approvers. */
export async function confirmDraft(services: BotServices, requestId: string, actorId: string, comment?: string): Promise<string> {
  const view = await loadRequestView(services.db, requestId)
  const selecting = view.route.some((s) => s.awaitingSelection)
  const options = selecting ? { selections: await selectionsFrom(services, requestId, comment) } : {}
  return announceSubmission(services, await services.requests.submit(requestId, actorId, options))
}

/** 撤回 by card or text: the approvers whose tasks it cancelled are told they need not act. */
export async function withdrawAndAnnounce(services: BotServices, requestId: string, actorId: string, reason?: string): Promise<string> {
  const result = await services.requests.withdraw(requestId, actorId, reason)
  await announceFlow(services, result, actorId)
  await tellApprovers(services, result.request.id, `${await nameOf(services, actorId)} 撤回了申请 ${result.request.request_no}，无需再审批`)
  return `已撤回 ${result.request.request_no}`
}

/** 催办 by card or text: the pending approvers get a nudge, the requester a confirmation. */
export async function urgeAndAnnounce(services: BotServices, requestId: string, actorId: string): Promise<string> {
  const { request, approverIds } = await services.requests.urge(requestId, actorId)
  const requester = await nameOf(services, actorId)
  await fanOut(services, 'urge notice', approverIds, (id) => services.messenger.sendText(id, `⏰ ${requester} 催办：请尽快审批 ${request.request_no}（${request.title}），发送「待我审批」查看`))
  const names = [...(await services.org.names(approverIds)).values()].join('、')
  return `已催办 ${names}`
}

async function tellApprovers(services: BotServices, requestId: string, text: string): Promise<void> {
  const cancelledJustNow = await services.db
    .selectFrom('approval_tasks')
    .innerJoin('requests', 'requests.id', 'approval_tasks.request_id')
    .select('approval_tasks.approver_id')
    .where('approval_tasks.request_id', '=', requestId)
    .where('approval_tasks.status', '=', 'cancelled')
    .whereRef('approval_tasks.decided_at', '=', 'requests.finished_at')
    .execute()
  await fanOut(services, 'withdraw notice', [...new Set(cancelledJustNow.map((t) => t.approver_id))], (id) => services.messenger.sendText(id, text))
}

async function nameOf(services: BotServices, userId: string): Promise<string> {
  return (await services.org.employee(userId))?.name ?? userId
}

/**
 * 发起人自选 from the confirm comment: "王五、赵六" fills the only such step; with several steps,
 * "立项评审：王五、赵六；专家评审：钱七" assigns by step name.
 */
async function selectionsFrom(services: BotServices, requestId: string, comment: string | undefined): Promise<Record<string, string[]>> {
  const view = await loadRequestView(services.db, requestId)
  const steps = view.route.filter((s) => s.awaitingSelection && s.id)
  const selections: Record<string, string[]> = {}
  for (const part of (comment ?? '').split(/[;；\n]/)) {
    const named = await peopleNamedIn(services, part)
    if (named.people.length === 0) continue
    const step = steps.find((s) => part.includes(s.name)) ?? steps.find((s) => !selections[s.id!])
    if (step) selections[step.id!] = named.people.map((p) => p.id)
  }
  const missing = steps.filter((s) => !selections[s.id!])
  if (missing.length > 0) {
    throw new DomainError('VALIDATION', `请在意见框中写明「${missing.map((s) => s.name).join('」「')}」的审批人姓名后再确认`, 'name the approvers to choose in the comment')
  }
  return selections
}

/**
 * 重新提交 changes in plain words, a clause at a time ("金额改成1,200，事由：补充发票", "金额 3000",
 * "改成交通"): edit phrases are read as at a confirmation card, other clauses by the command parser;
 * 事由：… runs to the end. A comment that changes nothing is the new reason.
 */
async function changesFrom(services: BotServices, requestId: string, comment: string): Promise<Record<string, unknown>> {
  const view = await loadRequestView(services.db, requestId)
  const now = new Date(services.now())
  const marked = /(?:事由|理由|原因)[:：]\s*(.+)$/.exec(comment)
  const slots: Slots = {}
  // Commas split clauses, except the one in "1,200".
  for (const clause of (marked ? comment.slice(0, marked.index) : comment).split(/[，；;。\n]|,(?!\d{3})/)) {
    if (!clause.trim()) continue
    Object.assign(slots, editedSlots(view.type, clause, now) ?? (await services.parser.parse(clause, now)).slots)
  }
  const patch = payloadChanges(view.type, { ...slots, reason: undefined })
  const reason = marked?.[1]?.trim()
  if (reason) patch.reason = reason
  else if (Object.keys(patch).length === 0) patch.reason = comment
  return patch
}

/**
 * 离职交接: the pending tasks of people who were deactivated go to their successors, who get cards;
 * every copy of those requests' cards is re-rendered, so the leaver's buttons disappear.
 */
export async function handOverFromLeavers(services: BotServices, deactivatedBy: string | null): Promise<number> {
  const results = await handOverFromDeactivated(createWorkflowContext(services.db, services.now), deactivatedBy)
  for (const result of results) await announceFlow(services, result, null)
  return results.length
}

/**
 * One pass of the approval clock, for the worker loop: tasks still held by people who left are handed
 * over (whatever deactivated them: the mini-app, an import, a contact sync, or a run cut short), then
 * reminders go out as messages and timeouts move the request exactly as a person's action would.
 */
export async function runApprovalTimers(services: BotServices, now: number = services.now()): Promise<TimerRun> {
  await handOverFromLeavers(services, null)
  const run = await new SlaTimers(createWorkflowContext(services.db, services.now)).runDueTimers(now)
  for (const reminder of run.reminders) {
    const view = await loadRequestView(services.db, reminder.requestId)
    const hours = Math.max(1, Math.round((now - reminder.waitingSince) / 3_600_000))
    await services.messenger.sendText(reminder.approverId, `⏰ 审批提醒：${view.requester.name}的${view.typeLabel} ${view.requestNo} 已等待你 ${hours} 小时，请尽快处理（发送「待我审批」查看）`)
  }
  for (const timeout of run.timeouts) await announceFlow(services, timeout.result, null)
  return run
}
