import { zValidator } from '@hono/zod-validator'
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import type { ErpAdminService } from '../../erp-bridge/admin/erp-admin-service.js'
import { ErpError } from '../../erp-bridge/erp-adapter.js'
import { MAPPING_KIND_LIST, type MappingKind } from '../../erp-bridge/mapping/mapping-kinds.js'
import type { OutboxStatus } from '../../erp-bridge/outbox-claim.js'
import { requireRole } from '../auth/require-role.js'
import { viewerOf, type AdminEnv } from '../auth/viewer.js'
import { domainErrorResponse, validationFailed } from '../http/api-errors.js'
import { importSourceFields, importText, oneSource } from '../import/import-source.js'

const OUTBOX_STATUSES: readonly OutboxStatus[] = ['pending', 'sending', 'posted', 'failed', 'unknown', 'dead', 'cancelled']
const kind = z.enum(MAPPING_KIND_LIST as [MappingKind, ...MappingKind[]])
const connectionBody = z.object({
  id: z.string().max(64).optional(),
  name: z.string().trim().min(1).max(100),
  adapter: z.string().min(1).max(40),
  settings: z.record(z.string(), z.unknown()),
})
const mappingEntry = z.object({ kind, localKey: z.string().trim().min(1).max(200), erpCode: z.string().max(100), erpName: z.string().trim().max(200).nullable().optional() })
const importRequest = z.object({ ...importSourceFields, dryRun: z.boolean(), kind: kind.optional() }).refine(oneSource.check, oneSource.issue)

/** An ERP refusal is the admin's to read: 409 with the sentence the bridge wrote. */
function erpErrorResponse(error: Error, c: Context): Response {
  if (error instanceof ErpError) return c.json({ ok: false, code: 'ERP', message: error.userMessage }, 409)
  return domainErrorResponse(error, c)
}

/**
 * /api/admin/erp/*: the ERP bridge's admin service over HTTP, for finance and admins. Secrets go
 * in and never come out (the service returns only which secrets are set).
 */
export function erpApi(admin: ErpAdminService): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>()
  const finance = requireRole('finance')

  app.get('/api/admin/erp/adapters', finance, (c) => c.json(admin.adapterKinds()))
  app.get('/api/admin/erp/connections', finance, async (c) => c.json(await admin.connections()))
  app.post('/api/admin/erp/connections', finance, zValidator('json', connectionBody, validationFailed), async (c) => {
    const saved = await admin.saveConnection(c.req.valid('json'), viewerOf(c).id)
    return c.json({ ok: true, message: `已保存连接「${saved.name}」/ saved`, connection: saved })
  })
  app.post('/api/admin/erp/connections/test', finance, zValidator('json', z.object({ id: z.string().optional(), input: connectionBody.optional() }), validationFailed), async (c) => {
    const result = await admin.testConnection(c.req.valid('json'))
    return c.json({ ...result, message: `${result.ok ? '连接成功 / connected' : '连接失败 / failed'}：${result.detail}（${result.durationMs} ms）` }, result.ok ? 200 : 502)
  })
  // "ledger" activates none: postings go to the built-in ledger.
  app.post('/api/admin/erp/connections/:id/activate', finance, async (c) => {
    const id = c.req.param('id')
    await admin.activateConnection(id === 'ledger' ? null : id, viewerOf(c).id)
    return c.json({ ok: true, message: '已切换入账目标 / postings now go there' })
  })
  app.delete('/api/admin/erp/connections/:id', finance, async (c) => {
    await admin.removeConnection(c.req.param('id'), viewerOf(c).id)
    return c.json({ ok: true, message: '已删除 / removed' })
  })

  app.get('/api/admin/erp/postings', finance, async (c) => {
    const statuses = c.req.queries('status')?.filter((s): s is OutboxStatus => (OUTBOX_STATUSES as readonly string[]).includes(s))
    return c.json(await admin.postings({ statuses: statuses?.length ? statuses : undefined }))
  })
  app.get('/api/admin/erp/postings/counts', finance, async (c) => c.json(await admin.postingCounts()))
  app.post('/api/admin/erp/postings/:id/retry', finance, async (c) => {
    await admin.retry(c.req.param('id'), viewerOf(c).id)
    return c.json({ ok: true, message: '已重新排队入账 / queued again' })
  })
  app.post('/api/admin/erp/postings/:id/cancel', finance, zValidator('json', z.object({ note: z.string().trim().max(200).optional() }), validationFailed), async (c) => {
    await admin.cancel(c.req.param('id'), viewerOf(c).id, c.req.valid('json').note || undefined)
    return c.json({ ok: true, message: '已取消该笔入账 / cancelled' })
  })

  app.get('/api/admin/erp/mappings', finance, async (c) => {
    const k = c.req.query('kind')
    return c.json(await admin.mappingList(k ? kind.parse(k) : undefined))
  })
  app.get('/api/admin/erp/mappings/check', finance, async (c) => c.json(await admin.check()))
  app.put('/api/admin/erp/mappings', finance, zValidator('json', z.object({ entries: z.array(mappingEntry).min(1).max(5000) }), validationFailed), async (c) => {
    const entries = c.req.valid('json').entries.map((e) => ({ ...e, erpName: e.erpName || null }))
    await admin.saveMappings(entries, viewerOf(c).id)
    return c.json({ ok: true, message: `已保存 ${entries.length} 条映射 / saved` })
  })
  app.delete('/api/admin/erp/mappings/:kind/:localKey', finance, zValidator('param', z.object({ kind, localKey: z.string().min(1) }), validationFailed), async (c) => {
    const { kind: mappingKind, localKey } = c.req.valid('param')
    const removed = await admin.removeMapping(mappingKind, localKey, viewerOf(c).id)
    return removed ? c.json({ ok: true, message: '已删除 / removed' }) : c.json({ ok: false, code: 'NOT_FOUND', message: '没有这条映射 / no such mapping' }, 404)
  })
  app.post('/api/admin/erp/mappings/import', finance, zValidator('json', importRequest, validationFailed), async (c) => {
    const { dryRun, kind: k, ...source } = c.req.valid('json')
    const result = await admin.importMappingsCsv(await importText(source), viewerOf(c).id, { kind: k, dryRun })
    const errors = result.errors.map((message, i) => ({ line: Number(/第 (\d+) 行/.exec(message)?.[1] ?? i + 1), message }))
    const message = errors.length
      ? `有 ${errors.length} 处错误，未导入任何映射 / ${errors.length} error(s); nothing imported`
      : dryRun
        ? `检查通过：将导入 ${result.imported} 条映射 / ready to import ${result.imported}`
        : `已导入 ${result.imported} 条映射 / imported ${result.imported}`
    return c.json({ ok: errors.length === 0, valid: errors.length ? 0 : result.imported, errors, message }, errors.length ? 422 : 200)
  })

  app.onError(erpErrorResponse)
  return app
}
