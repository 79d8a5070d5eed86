import type { Kysely, Transaction } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { hashAuditRow, verifyAuditChain, type ChainReport } from '../../workflow/audit-chain.js'

/**
 * Where the audit chain starts once its oldest rows have been removed by the retention job: the
 * seq and hash of the last removed row, kept in audit_chain under this id. Rows after it still
 * link to that hash, so the remaining chain stays verifiable from the anchor on.
 */
export const AUDIT_ANCHOR_ID = 'anchor'

export async function auditAnchor(db: Kysely<Schema> | Transaction<Schema>): Promise<{ seq: number; hash: string } | undefined> {
  const row = await db.selectFrom('audit_chain').select(['seq', 'last_hash']).where('id', '=', AUDIT_ANCHOR_ID).executeTakeFirst()
  return row ? { seq: Number(row.seq), hash: row.last_hash } : undefined
}

const PAGE = 1000

/**
 * verifyAuditChain, starting at the anchor when old rows were pruned (and exactly it when none
 * were). The walk is the same: each row's hash over its content and its predecessor's hash, no gap
 * in seq, and the head row agreeing with the last row.
 */
export async function verifyAuditChainFromAnchor(db: Kysely<Schema>): Promise<ChainReport & { from: number }> {
  const anchor = await auditAnchor(db)
  if (!anchor) return { ...(await verifyAuditChain(db)), from: 1 }
  let expectedSeq = anchor.seq + 1
  let prevHash = anchor.hash
  let rows = 0
  const broken = (id: number | null, seq: number, reason: string) => ({ rows, ok: false, from: anchor.seq + 1, firstBreak: { id, seq, reason } })
  const before = await db.selectFrom('audit_log').select(['id', 'seq']).where('seq', '<=', anchor.seq).orderBy('seq').limit(1).executeTakeFirst()
  if (before) return broken(Number(before.id), Number(before.seq), '锚点之前仍有行（清理未完成）/ rows remain before the retention anchor')
  for (;;) {
    const page = await db.selectFrom('audit_log').selectAll().where('seq', '>=', expectedSeq).orderBy('seq').limit(PAGE).execute()
    for (const row of page) {
      const seq = Number(row.seq)
      const id = Number(row.id)
      if (seq !== expectedSeq) return broken(id, seq, `缺少第 ${expectedSeq} 行（可能被删除）/ row ${expectedSeq} is missing`)
      if (row.prev_hash !== prevHash) return broken(id, seq, '与上一行的哈希不衔接 / prev_hash does not match the previous row')
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
      if (hash !== row.hash) return broken(id, seq, '内容与哈希不符（被修改）/ content does not match its hash (modified)')
      prevHash = hash
      expectedSeq++
      rows++
    }
    if (page.length < PAGE) break
  }
  const head = await db.selectFrom('audit_chain').selectAll().where('id', '=', 'audit').executeTakeFirst()
  if (head && (Number(head.seq) !== anchor.seq + rows || head.last_hash !== prevHash)) {
    return broken(null, expectedSeq, `链尾缺失：应到第 ${Number(head.seq)} 行，实到第 ${anchor.seq + rows} 行 / the chain head says ${Number(head.seq)}, found ${anchor.seq + rows}`)
  }
  return { rows, ok: true, from: anchor.seq + 1 }
}

