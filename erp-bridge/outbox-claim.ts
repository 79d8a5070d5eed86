import type { Kysely } from 'kysely'
import type { SqlDialectName } from '../db/connect.js'
import type { OutboxRow, Schema } from '../db/schema.js'
import { inTransaction } from '../db/transaction.js'

/** Outbox row states: pending → sending → posted | failed | unknown | dead (cancelled by an admin). */
export type OutboxStatus = 'pending' | 'sending' | 'posted' | 'failed' | 'unknown' | 'dead' | 'cancelled'

export interface ClaimedRow extends OutboxRow {
  /** The status the row had before this claim: anything but `pending` means an earlier call may have landed. */
  claimedFrom: OutboxStatus
}

/**
 * Claims due rows for one worker: pending rows whose time has come, `unknown` rows due for
 * reconciliation, and rows left `sending` by a worker that died (its lease ran out). On
 * MySQL/MariaDB `FOR UPDATE SKIP LOCKED` lets any number of workers claim side by side without
 * waiting on each other; SQLite has one writer anyway and rejects that clause.
 */
export async function claimDueRows(
  db: Kysely<Schema>,
  dialect: SqlDialectName,
  now: number,
  limit: number,
  leaseMs: number,
): Promise<ClaimedRow[]> {
  return inTransaction(db, async (trx) => {
    let query = trx
      .selectFrom('outbox')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb.and([eb('status', 'in', ['pending', 'unknown']), eb('next_attempt_at', '<=', now)]),
          eb.and([eb('status', '=', 'sending'), eb('locked_until', '<', now)]),
        ]),
      )
      .orderBy('next_attempt_at')
      .limit(limit)
    if (dialect === 'mysql') query = query.forUpdate().skipLocked()
    const rows = await query.execute()
    if (rows.length === 0) return []
    await trx
      .updateTable('outbox')
      .set((eb) => ({ status: 'sending', locked_until: now + leaseMs, attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('id', 'in', rows.map((r) => r.id))
      .execute()
    return rows.map((r) => ({
      ...r,
      claimedFrom: r.status as OutboxStatus,
      status: 'sending',
      locked_until: now + leaseMs,
      attempts: Number(r.attempts) + 1,
    }))
  })
}
