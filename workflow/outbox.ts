import type { Insertable, Transaction } from 'kysely'
import type { OutboxTable, RequestRow, Schema } from '../db/schema.js'

/** What the ERP bridge must do for an approved request of each type. */
const POSTING_ACTION: Record<string, string> = {
  expense: 'expense.voucher',
  purchase: 'purchase.requisition',
  'hr.transfer': 'hr.change',
  'hr.resign': 'hr.change',
  project: 'project.create',
}

/**
 * Written in the same transaction as the final approval, so an approval can never be committed
 * without its posting (and vice versa). Our request number is the idempotency key the ERP sees;
 * `traceId` (the approving request's id) lets the posting's logs be read with the approval's.
 */
export async function enqueuePosting(trx: Transaction<Schema>, request: RequestRow, newId: () => string, now: number, traceId?: string): Promise<void> {
  const row = postingRow(request, newId(), now)
  if (row) await trx.insertInto('outbox').values({ ...row, trace_id: traceId ?? null }).execute()
}

/** The pending outbox row that posts this request, or none when its type posts nothing. */
export function postingRow(request: Pick<RequestRow, 'id' | 'type' | 'request_no'>, id: string, now: number): Insertable<OutboxTable> | undefined {
  const actionKind = POSTING_ACTION[request.type]
  if (!actionKind || !request.request_no) return undefined
  return {
    id,
    request_id: request.id,
    action_kind: actionKind,
    idempotency_key: request.request_no,
    payload: JSON.stringify({ requestId: request.id }),
    status: 'pending',
    attempts: 0,
    next_attempt_at: now,
    locked_until: null,
    last_error: null,
    document_no: null,
    created_at: now,
    updated_at: now,
  }
}
