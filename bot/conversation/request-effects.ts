import type { Decision, DecisionResult } from '../../workflow/decisions.js'
import type { SubmitResult } from '../../workflow/request-service.js'
import type { BotServices } from '../bot-services.js'

/**
 * What the chat side does after the domain moved a request: new approvers get cards, every copy
 * of every card is re-rendered, the requester hears about the outcome, the ERP posting is woken.
 * Shared by card taps and text commands so both behave the same.
 */
export async function announceSubmission(services: BotServices, result: SubmitResult): Promise<string> {
  const { request, openedTasks } = result
  await Promise.all(openedTasks.map((t) => services.cards.deliver(request.id, t.approver_id, 'approver')))
  await services.cards.refresh(request.id)
  if (request.status === 'approved') services.requestPosting()
  const names = await services.org.names(openedTasks.map((t) => t.approver_id))
  const waiting = [...names.values()].join('、')
  return waiting ? `已提交，单号 ${request.request_no}，等待 ${waiting} 审批` : `已提交，单号 ${request.request_no}，已自动通过`
}

export async function decideAndAnnounce(
  services: BotServices,
  input: { requestId: string; actorId: string; decision: Decision; comment?: string },
): Promise<string> {
  const result = await services.decisions.decide(input)
  await Promise.all(result.openedTasks.map((t) => services.cards.deliver(result.request.id, t.approver_id, 'approver')))
  await services.cards.refresh(result.request.id)
  await tellRequester(services, result, input.actorId, input.comment)
  if (result.outcome === 'approved') services.requestPosting()
  return input.decision === 'approve' ? `已同意 ${result.request.request_no}` : `已驳回 ${result.request.request_no}`
}

async function tellRequester(services: BotServices, result: DecisionResult, actorId: string, comment?: string): Promise<void> {
  const { request } = result
  const actor = (await services.org.employee(actorId))?.name ?? actorId
  if (result.outcome === 'rejected') {
    await services.messenger.sendText(request.requester_id, `你的申请 ${request.request_no} 已被 ${actor} 驳回。理由：${comment?.trim() || '未填写'}`)
  } else if (result.outcome === 'approved') {
    await services.messenger.sendText(request.requester_id, `你的申请 ${request.request_no} 已审批通过，正在入账`)
  }
}
