import { runInRequestContext } from '../../ops/request-context.js'

/**
 * Runs the outbox worker's work for one row (its ERP calls, settling, telling the requester) under
 * the request id of the callback that approved it, stored on the row with the posting (`trace_id`,
 * written in the approval's transaction): the whole story greps as one, in whichever process posts it.
 */
export function withinRowTrace<T>(row: { trace_id: string | null }, work: () => T): T {
  return row.trace_id ? runInRequestContext({ requestId: row.trace_id }, work) : work()
}
