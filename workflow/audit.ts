import type { Transaction } from 'kysely'
import type { Schema } from '../db/schema.js'

export interface AuditEntry {
  at: number
  actorId: string | null
  action: string
  entityType: string
  entityId: string
  before?: unknown
  after?: unknown
}

/** Append-only: rows are only ever inserted, in the same transaction as the change they describe. */
export async function appendAudit(trx: Transaction<Schema>, entry: AuditEntry): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({
      at: entry.at,
      actor_id: entry.actorId,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: entry.entityId,
      before_state: entry.before === undefined ? null : JSON.stringify(entry.before),
      after_state: entry.after === undefined ? null : JSON.stringify(entry.after),
    })
    .execute()
}
