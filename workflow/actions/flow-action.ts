import type { ApprovalTaskRow, RequestRow } from '../../db/schema.js'
import { inTransaction } from '../../db/transaction.js'
import { appendAudit } from '../audit.js'
import { FlowRun } from '../engine/flow-run.js'
import { DomainError } from '../errors.js'
import type { RequestStatus } from '../request-types.js'
import { lockRequest, type WorkflowContext } from '../workflow-context.js'

/**
 * recorded: a vote counted but the step still waits (会签, 票签); advanced: another step is now
 * current; approved / rejected / returned / withdrawn: the request's status changed so;
 * transferred / signer-added: the current step got new people.
 */
export type FlowOutcome = 'recorded' | 'advanced' | 'approved' | 'rejected' | 'returned' | 'withdrawn' | 'transferred' | 'signer-added' | 'submitted'

/** What every action on a request hands back to the chat side. */
export interface FlowResult {
  request: RequestRow
  outcome: FlowOutcome
  /** Tasks that now wait for someone: each approver gets a card. */
  openedTasks: ApprovalTaskRow[]
  /** CC recipients reached: each gets a read-only card. */
  ccIds: string[]
}

export interface ActionRecord {
  action: string
  actorId: string | null
  before?: Record<string, unknown>
  after?: Record<string, unknown>
  /** Overrides the outcome derived from the status and step change. */
  outcome?: FlowOutcome
}

/**
 * The frame of every action: lock the request, load its flow, let `act` authorise and change it,
 * save, and append exactly one audit row (none when `act` returns null), all in one transaction (retried when MySQL picks it as a
 * deadlock victim). A refusal throws before anything is written, so nothing changes.
 */
export async function runFlowAction(ctx: WorkflowContext, requestId: string, act: (run: FlowRun) => Promise<ActionRecord | null>): Promise<FlowResult> {
  return inTransaction(ctx.db, async (trx) => {
    const locked = await lockRequest(trx, requestId)
    const run = await FlowRun.load(trx, ctx, locked)
    const beforeStatus = run.status
    const beforeStep = run.current
    const record = await act(run)
    // Nothing to do after all (a timer that another worker already fired): write nothing.
    if (record === null) return { request: locked, outcome: 'recorded', openedTasks: [], ccIds: [] }
    const request = await run.save(beforeStatus)
    const outcome = record.outcome ?? deriveOutcome(beforeStatus, beforeStep, request)
    await appendAudit(trx, {
      at: run.now,
      actorId: record.actorId,
      action: record.action,
      entityType: 'request',
      entityId: request.id,
      before: { status: beforeStatus, step: beforeStep, ...record.before },
      after: {
        status: request.status,
        step: Number(request.current_step),
        outcome,
        ...record.after,
        ...(run.opened.length ? { opened: run.opened.map((t) => ({ approver: t.approver_id, step: Number(t.step), delegatedFrom: t.delegated_from ?? undefined })) } : {}),
        ...(run.ccReached.length ? { cc: run.ccReached } : {}),
      },
    })
    return { request, outcome, openedTasks: run.opened, ccIds: run.ccReached }
  })
}

function deriveOutcome(beforeStatus: RequestStatus, beforeStep: number, after: RequestRow): FlowOutcome {
  const status = after.status as RequestStatus
  if (status !== beforeStatus && (status === 'approved' || status === 'rejected' || status === 'returned' || status === 'withdrawn')) return status
  return Number(after.current_step) !== beforeStep ? 'advanced' : 'recorded'
}

/**
 * The pending task `actorId` holds on the current step; anyone else is refused with the reason
 * that fits: left the company, already decided, request finished, or not an approver here.
 */
/**
 * The actor's pending task on the current step. `shownTaskId` is the task the tapped card showed:
 * a tap from a card that has moved on (a double tap, and the next step is the actor's too) must not
 * decide a step the actor has not seen.
 */
export async function holderTask(run: FlowRun, actorId: string, shownTaskId?: string): Promise<ApprovalTaskRow> {
  // An old card in a departed approver's chat must not move a request his successor now holds.
  if ((await run.org.employee(actorId))?.active === false) {
    throw new DomainError('FORBIDDEN', '你的账号已停用（离职），不能再处理审批；你的待办已交接给他人', 'your account is deactivated (left the company); your approvals were handed over')
  }
  const pending = run.pendingOnCurrent().find((t) => t.approver_id === actorId)
  if (pending && shownTaskId !== undefined && pending.id !== shownTaskId) {
    if (run.tasks.some((t) => t.id === shownTaskId && t.status !== 'pending')) throw new DomainError('ALREADY_DECIDED', '你已处理过该审批', 'you have already decided on this request')
    throw new DomainError('INVALID_STATE', '这张卡片已过期，请在最新的卡片上操作', 'this card is out of date; act on the latest one')
  }
  if (pending) return pending
  if (run.tasks.some((t) => t.approver_id === actorId && t.auto_reason === null && Number(t.round) === run.round && ['approved', 'rejected', 'returned', 'transferred'].includes(t.status))) {
    throw new DomainError('ALREADY_DECIDED', '你已处理过该审批', 'you have already decided on this request')
  }
  if (run.status !== 'pending') throw finishedError(run.status)
  throw new DomainError('NOT_APPROVER', '你不是该申请当前节点的审批人', 'you are not an approver of the current step')
}

export function finishedError(status: RequestStatus): DomainError {
  if (status === 'returned') return new DomainError('INVALID_STATE', '该申请已退回发起人，等待重新提交', 'the request was returned to the requester')
  if (status === 'draft') return new DomainError('INVALID_STATE', '该申请尚未提交', 'the request has not been submitted')
  return new DomainError('INVALID_STATE', '该申请已结束，无需再审批', 'the request is already finished')
}

/** People named as targets (转交, 加签) must be real, active, and not the requester himself. */
export async function checkTargets(run: FlowRun, actorId: string, userIds: string[]): Promise<void> {
  if (userIds.length === 0) throw new DomainError('VALIDATION', '请指定人员', 'name at least one person')
  if (new Set(userIds).size !== userIds.length) throw new DomainError('VALIDATION', '人员重复', 'the same person is named twice')
  for (const id of userIds) {
    const person = await run.org.employee(id)
    if (!person?.active) throw new DomainError('VALIDATION', `找不到该人员或已离职：${id}`, `unknown or inactive person: ${id}`)
    if (id === actorId) throw new DomainError('VALIDATION', '不能指定自己', 'you cannot name yourself')
    if (id === run.request.requester_id) throw new DomainError('VALIDATION', '不能指定申请人本人审批', 'the requester cannot approve his own request')
  }
}
