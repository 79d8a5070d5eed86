import type { Transaction } from 'kysely'
import type { Schema } from '../db/schema.js'
import { hashAuditRow } from './audit-chain.js'

export interface AuditEntry {
  at: number
  actorId: string | null
  action: string
  entityType: string
  entityId: string
  before?: unknown
  after?: unknown
}

/**
 * Append-only and hash-chained: rows are only ever inserted, in the same transaction as the change
 * they describe, each carrying a hash over its content and the previous row's hash.
 *
 * The head row (audit_chain) is updated first: on MySQL that UPDATE takes its row lock, so
 * concurrent appenders queue up and each links to the one committed before it; the chain never
 * forks. Callers append last in their transaction, so the lock is held only until commit.
 */
export async function appendAudit(trx: Transaction<Schema>, entry: AuditEntry): Promise<void> {
  await trx.updateTable('audit_chain').set((eb) => ({ seq: eb('seq', '+', 1) })).where('id', '=', 'audit').execute()
  const head = await trx.selectFrom('audit_chain').selectAll().where('id', '=', 'audit').executeTakeFirstOrThrow()
  const seq = Number(head.seq)
  const beforeState = entry.before === undefined ? null : JSON.stringify(entry.before)
  const afterState = entry.after === undefined ? null : JSON.stringify(entry.after)
  const entityId = entry.entityId.length > 64 ? entry.entityId.slice(0, 64) : entry.entityId
  const hash = await hashAuditRow({
    seq,
    at: entry.at,
    actorId: entry.actorId,
    action: entry.action,
    entityType: entry.entityType,
    entityId,
    beforeState,
    afterState,
    prevHash: head.last_hash,
  })
  await trx
    .insertInto('audit_log')
    .values({
      at: entry.at,
      actor_id: entry.actorId,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: entityId,
      before_state: beforeState,
      after_state: afterState,
      seq,
      prev_hash: head.last_hash,
      hash,
    })
    .execute()
  await trx.updateTable('audit_chain').set({ last_hash: hash }).where('id', '=', 'audit').execute()
}
