import { nextCounterValue } from '../db/counters.js'
import { inTransaction } from '../db/transaction.js'
import type { ApprovalTaskRow, RequestRow } from '../db/schema.js'
import { appendAudit } from './audit.js'
import { DomainError } from './errors.js'
import { formatYuan } from './money.js'
import { enqueuePosting } from './outbox.js'
import { EXPENSE_CATEGORY_LABELS, REQUEST_TYPES, expensePayloadSchema, type ExpensePayload } from './request-types.js'
import { resolveExpenseRoute } from './routing/expense-route.js'
import { companyMonth } from './shanghai-time.js'
import { lockRequest, openNextStep, type WorkflowContext } from './workflow-context.js'

export interface SubmitResult {
  request: RequestRow
  /** Tasks that now wait for someone: each approver gets a card. */
  openedTasks: ApprovalTaskRow[]
}

/** Drafts become requests: numbering, routing, first tasks. */
export class RequestService {
  constructor(private readonly ctx: WorkflowContext) {}

  async createExpenseDraft(requesterId: string, input: ExpensePayload): Promise<RequestRow> {
    const payload = expensePayloadSchema.parse(input)
    const requester = await this.ctx.org.employee(requesterId)
    if (!requester) throw new DomainError('NOT_FOUND', '找不到申请人', 'requester not found')
    const now = this.ctx.now()
    const row: RequestRow = {
      id: this.ctx.newId(),
      request_no: null,
      type: 'expense',
      requester_id: requesterId,
      title: `${EXPENSE_CATEGORY_LABELS[payload.category]} ${formatYuan(payload.amountFen)} 元`,
      payload: JSON.stringify(payload),
      amount_fen: payload.amountFen,
      status: 'draft',
      route: '[]',
      current_step: 0,
      version: 0,
      created_at: now,
      submitted_at: null,
      updated_at: now,
      finished_at: null,
    }
    await inTransaction(this.ctx.db, async (trx) => {
      await trx.insertInto('requests').values(row).execute()
      await appendAudit(trx, { at: now, actorId: requesterId, action: 'request.drafted', entityType: 'request', entityId: row.id, after: { status: 'draft', payload } })
    })
    return row
  }

  async submit(requestId: string, actorId: string): Promise<SubmitResult> {
    const draft = await this.ctx.db.selectFrom('requests').selectAll().where('id', '=', requestId).executeTakeFirst()
    if (!draft) throw new DomainError('NOT_FOUND', '找不到该申请', 'request not found')
    if (draft.requester_id !== actorId) throw new DomainError('FORBIDDEN', '只有申请人本人可以提交', 'only the requester can submit')
    const requester = await this.ctx.org.employee(actorId)
    if (!requester) throw new DomainError('NOT_FOUND', '找不到申请人', 'requester not found')
    // Routing reads the org outside the transaction: SQLite has one connection, held by the transaction.
    const route = await resolveExpenseRoute(this.ctx.org, requester, Number(draft.amount_fen))

    return inTransaction(this.ctx.db, async (trx) => {
      const request = await lockRequest(trx, requestId)
      if (request.status !== 'draft') {
        throw new DomainError('INVALID_STATE', `该申请已提交（${request.request_no ?? ''}），无需重复提交`, 'already submitted')
      }
      const now = this.ctx.now()
      const prefix = `${REQUEST_TYPES.expense.numberPrefix}-${companyMonth(now)}`
      const requestNo = `${prefix}-${String(await nextCounterValue(trx, prefix)).padStart(4, '0')}`
      const opened = await openNextStep(trx, this.ctx, request.id, route, 0)
      const submitted: RequestRow = {
        ...request,
        request_no: requestNo,
        route: JSON.stringify(route),
        status: opened.stepIndex === null ? 'approved' : 'pending',
        current_step: opened.stepIndex ?? route.length,
        submitted_at: now,
        updated_at: now,
        finished_at: opened.stepIndex === null ? now : null,
      }
      await trx
        .updateTable('requests')
        .set({
          request_no: submitted.request_no,
          route: submitted.route,
          status: submitted.status,
          current_step: submitted.current_step,
          submitted_at: now,
          updated_at: now,
          finished_at: submitted.finished_at,
        })
        .where('id', '=', request.id)
        .execute()
      await appendAudit(trx, {
        at: now,
        actorId,
        action: 'request.submitted',
        entityType: 'request',
        entityId: request.id,
        before: { status: 'draft' },
        after: { status: submitted.status, requestNo, route },
      })
      if (submitted.status === 'approved') await enqueuePosting(trx, submitted, this.ctx.newId, now)
      return { request: submitted, openedTasks: opened.tasks }
    })
  }

  async cancelDraft(requestId: string, actorId: string): Promise<RequestRow> {
    return inTransaction(this.ctx.db, async (trx) => {
      const request = await lockRequest(trx, requestId)
      if (request.requester_id !== actorId) throw new DomainError('FORBIDDEN', '只有申请人本人可以取消', 'only the requester can cancel')
      if (request.status !== 'draft') throw new DomainError('INVALID_STATE', '该申请已提交，不能取消', 'already submitted')
      const now = this.ctx.now()
      await trx.updateTable('requests').set({ status: 'cancelled', updated_at: now, finished_at: now }).where('id', '=', requestId).execute()
      await appendAudit(trx, { at: now, actorId, action: 'request.cancelled', entityType: 'request', entityId: requestId, before: { status: 'draft' }, after: { status: 'cancelled' } })
      return { ...request, status: 'cancelled', updated_at: now, finished_at: now }
    })
  }
}
