import type { Kysely } from 'kysely'
import type { SqlDialectName } from '../db/connect.js'
import type { OutboxRow, Schema } from '../db/schema.js'
import { inTransaction } from '../db/transaction.js'

/** Outbox row states: pending → sending → posted | failed | unknown | dead (cancelled by an admin). */
export type OutboxStatus = 'pending' | 'sending' | 'posted' | 'failed' | 'unknown' | 'dead' | 'cancelled'

/** The audit action of an admin's retry: it also starts a fresh window before the worker gives a posting up. */
export const POSTING_RETRIED = 'erp.posting.retried'

export interface ClaimedRow extends OutboxRow {
  /** The status the row had before this claim: anything but `pending` means an earlier call may have landed. */
  claimedFrom: OutboxStatus
}

export interface ClaimTiming {
  /** How long a claim holds before it must be renewed (holdLease). */
  leaseMs: number
  /** How long a call may still be on its way into the ERP after it ended without an answer (ErpTarget.reconcileAfterMs). */
  reconcileAfterMs: number
}

/**
 * Claims due rows for one worker: pending rows whose time has come, `unknown` rows due for
 * reconciliation, and rows left `sending` by a worker that died. Such a row is taken only once
 * its lease has run out and the reconcile wait has passed too: the dead worker started no call
 * after its lease ended, so by then every call it made has landed or died, and the lookup that
 * precedes any resend cannot miss a document still being made. On MySQL/MariaDB
 * `FOR UPDATE SKIP LOCKED` lets any number of workers claim side by side without waiting on each
 * other; SQLite has one writer anyway and rejects that clause.
 */
export async function claimDueRows(db: Kysely<Schema>, dialect: SqlDialectName, now: number, limit: number, timing: ClaimTiming): Promise<ClaimedRow[]> {
  const { leaseMs, reconcileAfterMs } = timing
  return inTransaction(db, async (trx) => {
    let query = trx
      .selectFrom('outbox')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb.and([eb('status', 'in', ['pending', 'unknown']), eb('next_attempt_at', '<=', now)]),
          eb.and([eb('status', '=', 'sending'), eb('locked_until', '<', now - reconcileAfterMs)]),
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

/** A claim kept alive while its posting runs. */
export interface HeldLease {
  /** False once the lease may have run out: the row may be another worker's by then, so this one must not send it. */
  held(): boolean
  /**
   * Aborts once the lease may have run out by this worker's own clock, or the row was handed back:
   * the posting's ERP calls stop then (ErpCallOptions.signal). A worker cut off from the database
   * cannot renew and learns nothing from it, so its own clock is what keeps it from calling the
   * ERP after another worker may have taken the row over.
   */
  readonly signal: AbortSignal
  /** The row was handed back (any worker may look it up now): its calls stop at once. */
  abandon(reason: string): void
  release(): void
}

/**
 * Renews the claim on `row` every third of the lease until released, so a posting that makes
 * several slow calls keeps its row however long they take: only a worker that died (or lost the
 * database for a whole lease) lets it go. A renewal that fails is tried again at the next tick.
 */
export function holdLease(db: Kysely<Schema>, row: ClaimedRow, leaseMs: number, now: () => number, log?: (message: string) => void): HeldLease {
  let until = Number(row.locked_until)
  const fence = new AbortController()
  const renew = async () => {
    const next = now() + leaseMs
    const result = await db
      .updateTable('outbox')
      .set({ locked_until: next })
      .where('id', '=', row.id)
      .where('status', '=', 'sending')
      .where('attempts', '=', row.attempts)
      .executeTakeFirst()
    if (Number(result.numUpdatedRows) === 1) until = next
  }
  const timer = setInterval(() => renew().catch((error: unknown) => log?.(`outbox ${row.idempotency_key}: lease not renewed: ${String(error)}`)), leaseMs / 3)
  // A posting abandoned at shutdown must not hold the process open (Workers have no unref).
  timer.unref?.()
  // Wakes at the deadline it was set for; one renewed since then sets it again for the new one.
  let deadline: ReturnType<typeof setTimeout> | undefined
  const watch = () => {
    const left = until - now()
    if (left > 0) {
      deadline = setTimeout(watch, left)
      deadline.unref?.()
    } else fence.abort(`claim ran out at ${new Date(until).toISOString()}`)
  }
  watch()
  return {
    held: () => !fence.signal.aborted && now() < until,
    signal: fence.signal,
    abandon: (reason) => fence.abort(reason),
    release: () => {
      clearInterval(timer)
      clearTimeout(deadline)
    },
  }
}
