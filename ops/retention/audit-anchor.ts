import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { auditAnchor, verifyAuditChain, type ChainReport } from '../../workflow/audit-chain.js'

export { AUDIT_ANCHOR_ID, auditAnchor } from '../../workflow/audit-chain.js'

/** The chain report with the first seq it covers (1, or the row after the retention anchor). */
export async function verifyAuditChainFromAnchor(db: Kysely<Schema>): Promise<ChainReport & { from: number }> {
  const anchor = await auditAnchor(db)
  return { ...(await verifyAuditChain(db)), from: (anchor?.seq ?? 0) + 1 }
}
