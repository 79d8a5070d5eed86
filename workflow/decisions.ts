import type { Transaction } from 'kysely'
import { inTransaction } from '../db/transaction.js'
import type { ApprovalTaskRow, RequestRow, Schema } from '../db/schema.js'
import { appendAudit } from './audit.js'
import { DomainError } from './errors.js'
import { enqueuePosting } from './outbox.js'
import type { RouteStep } from './routing/route.js'
import { lockRequest, openNextStep, type WorkflowContext } from './workflow-context.js'

export type Decision = 'approve' | 'reject'

export interface DecisionInput {
  requestId: string
  actorId: string
  decision: Decision
  comment?: string
}

/**
 * recorded: the actor's vote counted but the step still waits for others (会签);
 * advanced: the next step opened; approved / rejected: the request is finished.
 */
export type DecisionOutcome = 'recorded' | 'advanced' | 'approved' | 'rejected'

export interface DecisionResult {
  request: RequestRow
  outcome: DecisionOutcome
  openedTasks: ApprovalTaskRow[]
}

/** Approve or reject: accepted only from a holder of a pending task on the current step. */
export class DecisionService {
  constructor(private readonly ctx: WorkflowContext) {}

  async decide(input: DecisionInput): Promise<DecisionResult> {
    return inTransaction(this.ctx.db, async (trx) => {
      const request = await lockRequest(trx, input.requestId)
      const task = await this.currentTaskOf(trx, request, input.actorId)
      const now = this.ctx.now()
      const taken = await trx
        .updateTable('approval_tasks')
        .set({ status: input.decision === 'approve' ? 'approved' : 'rejected', comment: input.comment ?? null, decided_at: now })
        .where('id', '=', task.id)
        .where('status', '=', 'pending')
        .executeTakeFirst()
      if (Number(taken.numUpdatedRows) !== 1) throw alreadyDecided()

      const route = JSON.parse(request.route) as RouteStep[]
      const result =
        input.decision === 'reject'
          ? await this.finish(trx, request, 'rejected', now)
          : await this.afterApproval(trx, request, route, now)
      await appendAudit(trx, {
        at: now,
        actorId: input.actorId,
        action: input.decision === 'approve' ? 'task.approved' : 'task.rejected',
        entityType: 'request',
        entityId: request.id,
        before: { status: request.status, step: request.current_step, task: { id: task.id, status: 'pending' } },
        after: { status: result.request.status, step: result.request.current_step, outcome: result.outcome, comment: input.comment ?? null },
      })
      return result
    })
  }

  private async currentTaskOf(trx: Transaction<Schema>, request: RequestRow, actorId: string): Promise<ApprovalTaskRow> {
    const tasks = await trx.selectFrom('approval_tasks').selectAll().where('request_id', '=', request.id).where('approver_id', '=', actorId).execute()
    const pending = tasks.find((t) => t.status === 'pending' && Number(t.step) === Number(request.current_step))
    if (pending && request.status === 'pending') return pending
    if (tasks.some((t) => t.status === 'approved' || t.status === 'rejected')) throw alreadyDecided()
    if (request.status !== 'pending') {
      throw new DomainError('INVALID_STATE', '该申请已结束，无需再审批', 'the request is already finished')
    }
    throw new DomainError('NOT_APPROVER', '你不是该申请当前节点的审批人', 'you are not an approver of the current step')
  }

  private async afterApproval(trx: Transaction<Schema>, request: RequestRow, route: RouteStep[], now: number): Promise<DecisionResult> {
    const step = Number(request.current_step)
    if (route[step]?.mode === 'all') {
      const waiting = await trx
        .selectFrom('approval_tasks')
        .select('id')
        .where('request_id', '=', request.id)
        .where('step', '=', step)
        .where('status', '=', 'pending')
        .execute()
      if (waiting.length > 0) return { request, outcome: 'recorded', openedTasks: [] }
    }
    await this.cancelPending(trx, request.id, now)
    const opened = await openNextStep(trx, this.ctx, request.id, route, step + 1)
    if (opened.stepIndex === null) return this.finish(trx, request, 'approved', now)
    await trx.updateTable('requests').set({ current_step: opened.stepIndex, updated_at: now }).where('id', '=', request.id).execute()
    return { request: { ...request, current_step: opened.stepIndex, updated_at: now }, outcome: 'advanced', openedTasks: opened.tasks }
  }

  private async finish(trx: Transaction<Schema>, request: RequestRow, status: 'approved' | 'rejected', now: number): Promise<DecisionResult> {
    await this.cancelPending(trx, request.id, now)
    await trx.updateTable('requests').set({ status, updated_at: now, finished_at: now }).where('id', '=', request.id).execute()
    const finished = { ...request, status, updated_at: now, finished_at: now }
    if (status === 'approved') await enqueuePosting(trx, finished, this.ctx.newId, now)
    return { request: finished, outcome: status, openedTasks: [] }
  }

  /** Or-sign and rejection settle a step: the others' tasks no longer wait. */
  private async cancelPending(trx: Transaction<Schema>, requestId: string, now: number): Promise<void> {
    await trx
      .updateTable('approval_tasks')
      .set({ status: 'cancelled', decided_at: now })
      .where('request_id', '=', requestId)
      .where('status', '=', 'pending')
      .execute()
  }
}

function alreadyDecided(): DomainError {
  return new DomainError('ALREADY_DECIDED', '你已处理过该审批', 'you have already decided on this request')
}
