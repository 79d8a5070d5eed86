import type { Kysely, Transaction } from 'kysely'
import type { Schema } from '../db/schema.js'

/** prev_hash of the first row. */
export const GENESIS_HASH = '0'.repeat(64)

/** The fields a row's hash covers, as stored. */
export interface ChainedContent {
  seq: number
  at: number
  actorId: string | null
  action: string
  entityType: string
  entityId: string
  beforeState: string | null
  afterState: string | null
  prevHash: string
}

/**
 * SHA-256 (hex) over the row's content and the previous row's hash, as one JSON array so no two
 * different rows serialise alike. Web Crypto: the same code runs on Node and on Workers.
 */
export async function hashAuditRow(c: ChainedContent): Promise<string> {
  const content = JSON.stringify([c.seq, c.at, c.actorId, c.action, c.entityType, c.entityId, c.beforeState, c.afterState, c.prevHash])
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(content))
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

export interface ChainBreak {
  /** audit_log.id of the first row that does not check out (null when rows are missing at the end). */
  id: number | null
  seq: number
  reason: string
}

export interface ChainReport {
  rows: number
  ok: boolean
  firstBreak?: ChainBreak
}

const PAGE = 1000

/**
 * Where the chain starts once the retention job has removed its oldest rows: the seq and hash of
 * the last removed row, kept in audit_chain under this id. Later rows still link to that hash.
 */
export const AUDIT_ANCHOR_ID = 'anchor'

export async function auditAnchor(db: Kysely<Schema> | Transaction<Schema>): Promise<{ seq: number; hash: string } | undefined> {
  const row = await db.selectFrom('audit_chain').select(['seq', 'last_hash']).where('id', '=', AUDIT_ANCHOR_ID).executeTakeFirst()
  return row ? { seq: Number(row.seq), hash: row.last_hash } : undefined
}

/**
 * Walks the chain in order, from the first row or from the retention anchor, and stops at the
 * first row whose hash, link or position is wrong. An edited row breaks its own hash; a deleted
 * row breaks the sequence; a dropped tail disagrees with the head row that every append updates.
 */
export async function verifyAuditChain(db: Kysely<Schema>): Promise<ChainReport> {
  const anchor = await auditAnchor(db)
  const startSeq = anchor?.seq ?? 0
  let expectedSeq = startSeq + 1
  let prevHash = anchor?.hash ?? GENESIS_HASH
  let rows = 0
  const unchained = await db.selectFrom('audit_log').select(['id']).where('seq', 'is', null).orderBy('id').limit(1).executeTakeFirst()
  if (unchained) return { rows, ok: false, firstBreak: { id: Number(unchained.id), seq: 0, reason: '该行不在哈希链中（无序号）/ row is not chained (no seq)' } }
  if (anchor) {
    const before = await db.selectFrom('audit_log').select(['id', 'seq']).where('seq', '<=', anchor.seq).orderBy('seq').limit(1).executeTakeFirst()
    if (before) return broken(rows, { id: Number(before.id), seq: Number(before.seq), reason: '锚点之前仍有行（清理未完成）/ rows remain before the retention anchor' })
  }
  for (;;) {
    const page = await db.selectFrom('audit_log').selectAll().where('seq', '>=', expectedSeq).orderBy('seq').limit(PAGE).execute()
    for (const row of page) {
      const seq = Number(row.seq)
      const id = Number(row.id)
      if (seq !== expectedSeq) return broken(rows, { id, seq, reason: `缺少第 ${expectedSeq} 行（可能被删除）/ row ${expectedSeq} is missing` })
      if (row.prev_hash !== prevHash) return broken(rows, { id, seq, reason: '与上一行的哈希不衔接 / prev_hash does not match the previous row' })
      const hash = await hashAuditRow({
        seq,
        at: Number(row.at),
        actorId: row.actor_id,
        action: row.action,
        entityType: row.entity_type,
        entityId: row.entity_id,
        beforeState: row.before_state,
        afterState: row.after_state,
        prevHash,
      })
      if (hash !== row.hash) return broken(rows, { id, seq, reason: '内容与哈希不符（被修改）/ content does not match its hash (modified)' })
      prevHash = hash
      expectedSeq++
      rows++
    }
    if (page.length < PAGE) break
  }
  const head = await db.selectFrom('audit_chain').selectAll().where('id', '=', 'audit').executeTakeFirst()
  const last = startSeq + rows
  if (head && (Number(head.seq) !== last || head.last_hash !== prevHash)) {
    return broken(rows, { id: null, seq: last + 1, reason: `链尾缺失：应到第 ${Number(head.seq)} 行，实到第 ${last} 行 / the chain head says ${Number(head.seq)}, found ${last}` })
  }
  return { rows, ok: true }
}

function broken(rows: number, firstBreak: ChainBreak): ChainReport {
  return { rows, ok: false, firstBreak }
}
