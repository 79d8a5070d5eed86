import { inTransaction } from '../db/transaction.js'
import { checkTargets, holderTask, runFlowAction, type FlowOutcome, type FlowResult } from './actions/flow-action.js'
import { appendAudit } from './audit.js'
import { DomainError, isDomainError } from './errors.js'
import { isReturnableStep, replaceMember, type RouteStep } from './routing/route.js'
import { lockRequest, type WorkflowContext } from './workflow-context.js'

export type Decision = 'approve' | 'reject'

export interface DecisionInput {
  requestId: string
  actorId: string
  decision: Decision
  comment?: string
  /** The task the tapped card showed (holderTask). */
  taskId?: string
}

export type DecisionOutcome = FlowOutcome
export type DecisionResult = FlowResult

/** 退回: to the initiator (who may edit and resubmit) or to an earlier approval step (0-based index). */
export type ReturnTarget = 'initiator' | number

export interface BatchItem {
  requestId: string
  ok: boolean
  result?: FlowResult
  error?: DomainError
}

const MAX_COMMENT = 1000

/**
 * What approvers do on a request. Each action is accepted only from a holder of a pending task on
 * the current step; everyone else gets a refusal in Chinese and English and nothing changes.
 */
export class DecisionService {
  constructor(private readonly ctx: WorkflowContext) {}

  /** Approve or reject. Reject ends the flow (in a vote step: once the pass ratio is out of reach). */
  async decide(input: DecisionInput): Promise<DecisionResult> {
    return runFlowAction(this.ctx, input.requestId, async (run) => {
      const task = await holderTask(run, input.actorId, input.taskId)
      const step = run.current
      await run.setTask(task, { status: input.decision === 'approve' ? 'approved' : 'rejected', comment: cleanComment(input.comment), decided_at: run.now })
      await run.settle(step)
      return {
        action: input.decision === 'approve' ? 'task.approved' : 'task.rejected',
        actorId: input.actorId,
        before: { task: { id: task.id, status: 'pending' } },
        after: { comment: input.comment ?? null },
      }
    })
  }

  /** 批量同意: each request in its own transaction; one refusal does not stop the others. */
  async approveMany(actorId: string, requestIds: string[], comment?: string): Promise<BatchItem[]> {
    const items: BatchItem[] = []
    for (const requestId of requestIds) {
      try {
        items.push({ requestId, ok: true, result: await this.decide({ requestId, actorId, decision: 'approve', comment }) })
      } catch (error) {
        if (!isDomainError(error)) throw error
        items.push({ requestId, ok: false, error })
      }
    }
    return items
  }

  /** 退回 to the initiator or to an earlier step that had approvers; earlier approvals no longer de-duplicate. */
  async returnTo(input: { requestId: string; actorId: string; target: ReturnTarget; comment?: string; taskId?: string }): Promise<FlowResult> {
    return runFlowAction(this.ctx, input.requestId, async (run) => {
      const task = await holderTask(run, input.actorId, input.taskId)
      const current = run.current
      if (input.target !== 'initiator') checkReturnTarget(run.route, input.target, current)
      await run.setTask(task, { status: 'returned', comment: cleanComment(input.comment), decided_at: run.now })
      await run.cancelPending(() => true)
      run.request.round = run.round + 1
      const actor = await run.nameOf(input.actorId)
      if (input.target === 'initiator') {
        run.request.status = 'returned'
        run.note(current, `${actor} 退回发起人${input.comment ? `：${input.comment}` : ''}`)
      } else {
        run.note(input.target, `${actor} 从第${current + 1}步退回至此${input.comment ? `：${input.comment}` : ''}`)
        await run.openStep(input.target)
      }
      return { action: 'task.returned', actorId: input.actorId, after: { target: input.target, comment: input.comment ?? null } }
    })
  }

  /** 转交: the task goes to someone else, who takes the actor's place on the step. */
  async transfer(input: { requestId: string; actorId: string; toUserId: string; comment?: string; taskId?: string }): Promise<FlowResult> {
    return runFlowAction(this.ctx, input.requestId, async (run) => {
      const task = await holderTask(run, input.actorId, input.taskId)
      await checkTargets(run, input.actorId, [input.toUserId])
      const i = run.current
      const step = run.route[i]!
      if (step.approverIds.includes(input.toUserId)) throw new DomainError('VALIDATION', '对方已是本节点审批人', 'that person already approves this step')
      const member = run.memberOf(task)
      replaceMember(step, member, [input.toUserId])
      await run.setTask(task, { status: 'transferred', comment: cleanComment(input.comment), decided_at: run.now })
      run.note(i, `${await run.nameOf(input.actorId)} 转交给 ${await run.nameOf(input.toUserId)}${input.comment ? `：${input.comment}` : ''}`)
      await run.createTask(i, input.toUserId, { dedup: false })
      return { action: 'task.transferred', actorId: input.actorId, after: { to: input.toUserId, comment: input.comment ?? null }, outcome: 'transferred' }
    })
  }

  /**
   * 加签. before: the added people decide first, then the step comes back to its members;
   * after: the actor approves now and the added people decide after this step.
   */
  async addSigners(input: { requestId: string; actorId: string; userIds: string[]; position: 'before' | 'after'; mode?: 'all' | 'any'; comment?: string; taskId?: string }): Promise<FlowResult> {
    return runFlowAction(this.ctx, input.requestId, async (run) => {
      const task = await holderTask(run, input.actorId, input.taskId)
      await checkTargets(run, input.actorId, input.userIds)
      const i = run.current
      const actor = await run.nameOf(input.actorId)
      const names = await Promise.all(input.userIds.map((id) => run.nameOf(id)))
      const added: RouteStep = {
        id: `added-${run.ctx.newId()}`,
        kind: 'approver',
        name: `加签：${names.join('、')}`,
        mode: input.userIds.length > 1 ? (input.mode ?? 'all') : 'any',
        approverIds: input.userIds,
        reason: `${actor} ${input.position === 'before' ? '前加签' : '后加签'}${input.comment ? `：${input.comment}` : ''}`,
        addedBy: input.actorId,
        ...(run.route[i]!.sla ? { sla: run.route[i]!.sla } : {}),
      }
      if (input.position === 'before') {
        await run.shiftStepsFrom(i)
        run.route.splice(i, 0, added)
        await run.cancelPending((t) => Number(t.step) === i + 1, '加签：待被加签人审批后继续')
        await run.openStep(i)
      } else {
        await run.setTask(task, { status: 'approved', comment: cleanComment(input.comment), decided_at: run.now })
        await run.shiftStepsFrom(i + 1)
        run.route.splice(i + 1, 0, added)
        await run.settle(i)
      }
      return { action: `task.signer_added_${input.position}`, actorId: input.actorId, after: { userIds: input.userIds, mode: added.mode, comment: input.comment ?? null }, outcome: 'signer-added' }
    })
  }

  /** 评论: anyone the request involves (requester, approvers past and present, CC recipients). */
  async comment(input: { requestId: string; actorId: string; text: string }): Promise<{ requestId: string; commentId: string }> {
    const text = input.text.trim()
    if (!text) throw new DomainError('VALIDATION', '评论内容不能为空', 'the comment is empty')
    if (text.length > MAX_COMMENT) throw new DomainError('VALIDATION', `评论不能超过 ${MAX_COMMENT} 字`, `comments are at most ${MAX_COMMENT} characters`)
    return inTransaction(this.ctx.db, async (trx) => {
      const request = await lockRequest(trx, input.requestId)
      if (request.status === 'draft' || request.status === 'cancelled') throw new DomainError('INVALID_STATE', '该申请尚未提交，不能评论', 'the request has not been submitted')
      const route = JSON.parse(request.route) as RouteStep[]
      const involved =
        request.requester_id === input.actorId ||
        route.some((s) => s.kind === 'cc' && s.reachedAt !== undefined && s.approverIds.includes(input.actorId)) ||
        (await trx
          .selectFrom('approval_tasks')
          .select('id')
          .where('request_id', '=', request.id)
          .where((eb) => eb.or([eb('approver_id', '=', input.actorId), eb('delegated_from', '=', input.actorId)]))
          .executeTakeFirst()) !== undefined
      if (!involved) throw new DomainError('FORBIDDEN', '只有申请人、审批人和抄送人可以评论', 'only the requester, approvers and CC recipients may comment')
      const now = this.ctx.now()
      const commentId = this.ctx.newId()
      await trx.insertInto('request_comments').values({ id: commentId, request_id: request.id, author_id: input.actorId, text, at: now }).execute()
      await appendAudit(trx, { at: now, actorId: input.actorId, action: 'request.commented', entityType: 'request', entityId: request.id, after: { commentId, text } })
      return { requestId: request.id, commentId }
    })
  }
}

function checkReturnTarget(route: RouteStep[], target: number, current: number): void {
  const step = route[target]
  if (!Number.isInteger(target) || target < 0 || target >= current || !step || !isReturnableStep(step)) {
    throw new DomainError('VALIDATION', '只能退回到之前有审批人的节点，或退回发起人', 'you can return only to an earlier approval step or to the requester')
  }
}

function cleanComment(comment: string | undefined): string | null {
  const text = comment?.trim()
  if (!text) return null
  if (text.length > MAX_COMMENT) throw new DomainError('VALIDATION', `意见不能超过 ${MAX_COMMENT} 字`, `comments are at most ${MAX_COMMENT} characters`)
  return text
}
