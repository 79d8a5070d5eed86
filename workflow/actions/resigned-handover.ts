import type { ApprovalTaskRow } from '../../db/schema.js'
import type { FlowRun } from '../engine/flow-run.js'
import type { Employee } from '../org.js'
import { replaceResigned } from '../routing/approver-sources.js'
import { replaceMember, seatsOf } from '../routing/route.js'
import type { WorkflowContext } from '../workflow-context.js'
import { runFlowAction, type ActionRecord, type FlowResult } from './flow-action.js'

const HANDED_OVER = '原审批人已离职，系统转交'

/**
 * 离职交接 (Feishu and DingTalk): each pending task held by someone deactivated is handed over
 * like a 转交 by the system: to his nearest active supervisor or to the admins, as the template's
 * resigned-approver rule says; never to the requester or to someone already on the step (then the
 * admins take it). A stand-in who leaves gives the task back to the approver he stood in for.
 *
 * It looks for every inactive holder rather than being told who left, so any path that deactivates
 * people (the employee form, imports, contact sync) only has to run it afterwards, and a run that
 * was interrupted is finished by the next. One transaction and one audit row per task handed over;
 * the results name the new holders, who need cards.
 */
export async function handOverFromDeactivated(ctx: WorkflowContext, deactivatedBy: string | null): Promise<FlowResult[]> {
  const held = await ctx.db
    .selectFrom('approval_tasks')
    .innerJoin('requests', 'requests.id', 'approval_tasks.request_id')
    .innerJoin('users', 'users.id', 'approval_tasks.approver_id')
    .select(['approval_tasks.request_id', 'approval_tasks.approver_id'])
    .distinct()
    .where('approval_tasks.status', '=', 'pending')
    .where('requests.status', '=', 'pending')
    .where('users.active', '=', 0)
    .orderBy('approval_tasks.request_id')
    .orderBy('approval_tasks.approver_id')
    .execute()
  const results: FlowResult[] = []
  for (const { request_id: requestId, approver_id: userId } of held) {
    let handed = false
    const result = await runFlowAction(ctx, requestId, async (run) => {
      const task = run.pendingOnCurrent().find((t) => t.approver_id === userId)
      const person = await run.org.employee(userId)
      // Decided, moved on, or reactivated since the query: nothing to hand over.
      if (!task || !person || person.active) return null
      handed = true
      return handOver(run, task, person, deactivatedBy)
    })
    if (handed) results.push(result)
  }
  return results
}

async function handOver(run: FlowRun, task: ApprovalTaskRow, leaver: Employee, deactivatedBy: string | null): Promise<ActionRecord> {
  const i = run.current
  const step = run.route[i]!
  const member = run.memberOf(task)
  const principal = member === leaver.id ? undefined : await run.org.employee(member)
  const record = (to: string[]): ActionRecord => ({ action: 'task.resigned_handover', actorId: null, after: { from: leaver.id, to, deactivatedBy }, ...(to.length ? { outcome: 'transferred' as const } : {}) })

  if (principal?.active) {
    await run.setTask(task, { status: 'transferred', decided_at: run.now, auto_reason: HANDED_OVER })
    run.note(i, `代理人 ${leaver.name} 已离职，交回 ${principal.name} 本人审批`)
    await run.createTask(i, member, { dedup: false })
    return record([member])
  }

  // An admin sharing a seat who leaves needs no successor: the others in the seat still hold it.
  const sharesSeat = seatsOf(step).some((seat) => seat.length > 1 && seat.includes(member))
  const replacement = sharesSeat ? null : await replaceResigned(run.org, principal ?? leaver, run.settings.resignedApprover, { requesterId: run.request.requester_id, onStep: step.approverIds })
  if (!replacement) {
    await run.setTask(task, { status: 'cancelled', decided_at: run.now, auto_reason: HANDED_OVER })
    run.note(i, sharesSeat ? `原审批人 ${leaver.name} 已离职，由同组其他人处理` : `原审批人 ${leaver.name} 已离职，且无人可接替，本步不再等待其审批`)
    replaceMember(step, member, [])
    await run.settle(i)
    return record([])
  }
  await run.setTask(task, { status: 'transferred', decided_at: run.now, auto_reason: HANDED_OVER })
  const names = await Promise.all(replacement.ids.map((id) => run.nameOf(id)))
  run.note(i, `原审批人 ${leaver.name} 已离职，转给 ${names.join('、')}${replacement.ids.length > 1 ? '（或签，一人处理即可）' : ''}`)
  replaceMember(step, member, replacement.ids)
  for (const id of replacement.ids) await run.createTask(i, id, { dedup: false })
  return record(replacement.ids)
}
