import type { Kysely, Transaction } from 'kysely'
import type { RequestRow, Schema } from '../db/schema.js'
import { DomainError } from './errors.js'
import { OrgDirectory } from './org.js'

/** What the domain needs from its surroundings: storage, a clock and an id source. */
export interface WorkflowContext {
  db: Kysely<Schema>
  org: OrgDirectory
  now: () => number
  newId: () => string
  /** The id of the inbound request being served, if any: kept with a posting so its ERP calls can be traced back to it. */
  traceId: () => string | undefined
}

export function createWorkflowContext(db: Kysely<Schema>, now: () => number = Date.now, traceId: () => string | undefined = () => undefined): WorkflowContext {
  return { db, org: new OrgDirectory(db), now, newId: () => crypto.randomUUID(), traceId }
}

/**
 * Takes the request's row lock before anything is read, so decisions on one request are
 * serialised on MySQL (an UPDATE locks; the snapshot starts after it) and trivially on SQLite.
 */
export async function lockRequest(trx: Transaction<Schema>, requestId: string): Promise<RequestRow> {
  const locked = await trx
    .updateTable('requests')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('id', '=', requestId)
    .executeTakeFirst()
  if (Number(locked.numUpdatedRows) === 0) throw new DomainError('NOT_FOUND', '找不到该申请', 'request not found')
  return trx.selectFrom('requests').selectAll().where('id', '=', requestId).executeTakeFirstOrThrow()
}
