import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { inTransaction } from '../../db/transaction.js'
import { GENESIS_HASH } from '../../workflow/audit-chain.js'
import { AUDIT_ANCHOR_ID } from './audit-anchor.js'

const DAY_MS = 24 * 60 * 60_000

/** The audit log is evidence: never kept for less than three years (issue 13, PIPL and internal-control practice). */
export const MIN_AUDIT_RETENTION_DAYS = 3 * 365

/** How long each kind of record is kept (README, "Operations runbook" → "Data lifecycle"). */
export interface RetentionPolicy {
  /** audit_log rows, oldest first, keeping the chain verifiable from an anchor. ≥ 3 years. */
  auditDays: number
  /** Platform event ids kept for de-duplication; platforms redeliver for hours, not days. */
  inboundEventDays: number
  /** Unfinished chat dialogues, the simulator's transcript, and chat messages given up on (failed, dead). */
  conversationDays: number
}

export const DEFAULT_RETENTION: RetentionPolicy = { auditDays: MIN_AUDIT_RETENTION_DAYS, inboundEventDays: 8, conversationDays: 30 }

export type RetentionReport = Record<'audit_log' | 'inbound_events' | 'conversations' | 'sim_messages' | 'chat_deliveries', number>

/** Large deletes go in slices, so no single statement holds locks long on a busy MySQL. */
const SLICE = 1000

/**
 * Removes what is older than the policy allows. Idempotent and safe to run from several instances
 * at once (each delete names its rows by age, or, for the audit log, by seq inside a transaction
 * that moves the anchor). Requests, approvals, cards, vouchers and the outbox are business records
 * and are not touched here.
 */
export async function enforceRetention(db: Kysely<Schema>, policy: RetentionPolicy, now: number): Promise<RetentionReport> {
  if (policy.auditDays < MIN_AUDIT_RETENTION_DAYS) throw new Error(`audit retention must be at least ${MIN_AUDIT_RETENTION_DAYS} days`)
  const deleted = (result: { numDeletedRows: bigint }[]) => result.reduce((n, r) => n + Number(r.numDeletedRows), 0)
  return {
    inbound_events: await pruneInboundEvents(db, now - policy.inboundEventDays * DAY_MS),
    conversations: deleted(await db.deleteFrom('conversations').where('updated_at', '<', now - policy.conversationDays * DAY_MS).execute()),
    sim_messages: deleted(await db.deleteFrom('sim_messages').where('at', '<', now - policy.conversationDays * DAY_MS).execute()),
    // Messages still waiting are never removed here: only those given up on, once the operator had time to see why.
    chat_deliveries: deleted(
      await db.deleteFrom('chat_deliveries').where('status', 'in', ['failed', 'dead']).where('updated_at', '<', now - policy.conversationDays * DAY_MS).execute(),
    ),
    audit_log: await pruneAuditLog(db, now - policy.auditDays * DAY_MS),
  }
}

/**
 * Event ids older than the cutoff, oldest first, about SLICE at a time along the received_at index
 * (migration 0010): every callback's dedupe write goes to this table, and one DELETE of a busy
 * day's ids would hold its locks for the whole of it.
 */
async function pruneInboundEvents(db: Kysely<Schema>, cutoff: number): Promise<number> {
  let removed = 0
  for (;;) {
    const boundary = await db.selectFrom('inbound_events').select('received_at').where('received_at', '<', cutoff).orderBy('received_at').limit(1).offset(SLICE - 1).executeTakeFirst()
    // Rows sharing the boundary's time go in the same slice, so a slice may hold a few more than SLICE.
    const result = await db.deleteFrom('inbound_events').where('received_at', boundary ? '<=' : '<', boundary ? boundary.received_at : cutoff).executeTakeFirst()
    removed += Number(result.numDeletedRows)
    if (!boundary) return removed
  }
}

/**
 * Removes the chain's oldest rows up to (not including) the first row younger than the cutoff —
 * always a prefix, so no gap opens inside the chain — and records the last removed row's seq and
 * hash as the anchor the remaining chain is verified from (ops/retention/audit-anchor.ts). The
 * anchor row is locked first, so two instances pruning at once take turns and it never moves back.
 */
async function pruneAuditLog(db: Kysely<Schema>, cutoff: number): Promise<number> {
  let removed = 0
  for (;;) {
    const slice = await inTransaction(db, async (trx) => {
      await trx.insertInto('audit_chain').orIgnore().values({ id: AUDIT_ANCHOR_ID, seq: 0, last_hash: GENESIS_HASH }).execute()
      await trx.updateTable('audit_chain').set((eb) => ({ seq: eb.ref('seq') })).where('id', '=', AUDIT_ANCHOR_ID).execute()
      const anchor = await trx.selectFrom('audit_chain').select('seq').where('id', '=', AUDIT_ANCHOR_ID).executeTakeFirstOrThrow()
      const keepFrom = await trx.selectFrom('audit_log').select(['seq']).where('at', '>=', cutoff).orderBy('seq').limit(1).executeTakeFirst()
      const start = Number(anchor.seq) + 1
      const end = Math.min(keepFrom ? Number(keepFrom.seq) - 1 : Number.MAX_SAFE_INTEGER, start + SLICE - 1)
      const last = await trx.selectFrom('audit_log').select(['seq', 'hash']).where('seq', '>=', start).where('seq', '<=', end).orderBy('seq', 'desc').limit(1).executeTakeFirst()
      if (!last) return 0
      const result = await trx.deleteFrom('audit_log').where('seq', '>=', start).where('seq', '<=', Number(last.seq)).executeTakeFirst()
      await trx.updateTable('audit_chain').set({ seq: Number(last.seq), last_hash: last.hash ?? '' }).where('id', '=', AUDIT_ANCHOR_ID).execute()
      return Number(result.numDeletedRows)
    })
    removed += slice
    if (slice < SLICE) return removed
  }
}
