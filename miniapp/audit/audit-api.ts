import { zValidator } from '@hono/zod-validator'
import { Hono } from 'hono'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { Schema } from '../../db/schema.js'
import { inTransaction } from '../../db/transaction.js'
import { appendAudit } from '../../workflow/audit.js'
import { verifyAuditChain } from '../../workflow/audit-chain.js'
import { requireRole } from '../auth/require-role.js'
import { viewerOf, type AdminEnv } from '../auth/viewer.js'
import { validationFailed } from '../http/api-errors.js'
import { auditCsv } from './audit-csv.js'
import { searchAudit } from './audit-data.js'

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD')
export const auditQuerySchema = z.object({
  requestNo: z.string().max(40).optional(),
  actor: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  from: day.optional(),
  to: day.optional(),
  beforeId: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
})

const EXPORT_LIMIT = 10_000

const revealBody = z.object({
  ids: z.array(z.number().int().positive()).min(1).max(200),
  reason: z.string().trim().min(2, '请填写查看原因 / give a reason').max(200),
})

/** The audit log, read-only: admins and auditors. Personal data stays masked unless revealed, and a reveal is itself audited (PIPL). */
export function auditApi(db: Kysely<Schema>, now: () => number): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>()

  app.get('/api/admin/audit', requireRole('auditor'), zValidator('query', auditQuerySchema, validationFailed), async (c) =>
    c.json(await searchAudit(db, c.req.valid('query'), { reveal: false })),
  )

  // Walks the whole hash chain: an edited, deleted or truncated row shows up as the first break.
  app.get('/api/admin/audit/verify', requireRole('auditor'), async (c) => c.json(await verifyAuditChain(db)))

  // Masked like the screen; the export itself is recorded, with the filter that produced it.
  app.get('/api/admin/audit.csv', requireRole('auditor'), zValidator('query', auditQuerySchema, validationFailed), async (c) => {
    const query = { ...c.req.valid('query'), limit: EXPORT_LIMIT }
    const items = await searchAudit(db, query, { reveal: false })
    const viewer = viewerOf(c)
    await inTransaction(db, (trx) =>
      appendAudit(trx, { at: now(), actorId: viewer.id, action: 'audit.exported', entityType: 'audit_log', entityId: 'csv', after: { filter: c.req.valid('query'), rows: items.length } }),
    )
    c.header('Content-Type', 'text/csv; charset=utf-8')
    c.header('Content-Disposition', `attachment; filename="audit-log-${new Date(now()).toISOString().slice(0, 10)}.csv"`)
    c.header('Cache-Control', 'no-store')
    return c.body(auditCsv(items))
  })

  app.post('/api/admin/audit/reveal', requireRole('auditor'), zValidator('json', revealBody, validationFailed), async (c) => {
    const { ids, reason } = c.req.valid('json')
    const viewer = viewerOf(c)
    const items = await searchAudit(db, { ids, limit: ids.length }, { reveal: true })
    await inTransaction(db, (trx) =>
      appendAudit(trx, { at: now(), actorId: viewer.id, action: 'pii.viewed', entityType: 'audit_log', entityId: ids.join(','), after: { reason, entries: items.map((i) => i.id) } }),
    )
    return c.json(items)
  })

  return app
}
