import { zValidator } from '@hono/zod-validator'
import { Hono } from 'hono'
import { z } from 'zod'
import type { BotServices } from '../../bot/bot-services.js'
import { DomainError } from '../../workflow/errors.js'
import { loadFlaggedClaims } from '../../workflow/receipts/anomalies/claim-insight.js'
import { requireRole } from '../auth/require-role.js'
import { viewerOf, type AdminEnv } from '../auth/viewer.js'
import { dashboardFilter } from '../dashboard/dashboard-filter.js'
import { domainErrorResponse, validationFailed } from '../http/api-errors.js'
import { requirePage } from '../pages/page-guard.js'
import { maySeeRequest } from './request-access.js'

/** Tax ids typed one per line or separated by commas, as an admin pastes them. */
const companyBody = z.object({
  name: z.string().trim().max(100).optional(),
  taxIds: z.union([z.array(z.string()), z.string()]).transform((v) => (Array.isArray(v) ? v : v.split(/[\s,，;；、]+/)).map((s) => s.trim()).filter(Boolean)),
})
/** Departments as a list, or as the settings page's checkboxes ({"d-rd": true, …}). */
const pilotBody = z.object({
  enabled: z.boolean(),
  departmentIds: z.array(z.string()).optional(),
  departments: z.record(z.string(), z.boolean()).optional(),
  elsewhere: z.string().trim().min(1).max(300).optional(),
})

/** Files people may open, in the shape they are served: known-safe types inline, anything else as a download. */
const INLINE_TYPES = new Set(['application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'image/webp'])

/**
 * The receipts part of the admin app: company and pilot settings, the anomaly list, and request
 * attachments behind the request's own access rule.
 */
export function receiptsApi(services: BotServices): Hono<AdminEnv> {
  const { db, settings, attachments } = services
  const app = new Hono<AdminEnv>()

  app.get('/api/admin/settings/company', requireRole('finance'), async (c) => c.json(await settings.read('company')))
  app.put('/api/admin/settings/company', requireRole('finance'), zValidator('json', companyBody, validationFailed), async (c) => {
    const body = c.req.valid('json')
    const saved = await settings.write('company', { name: body.name || null, taxIds: body.taxIds }, viewerOf(c).id)
    return c.json({ ok: true, message: `已保存公司税号（${saved.taxIds.length} 个）/ saved`, company: saved })
  })

  app.get('/api/admin/settings/pilot', requireRole('admin'), async (c) => c.json(await settings.read('pilot')))
  app.put('/api/admin/settings/pilot', requireRole('admin'), zValidator('json', pilotBody, validationFailed), async (c) => {
    const body = c.req.valid('json')
    const departmentIds = body.departmentIds ?? Object.entries(body.departments ?? {}).flatMap(([id, on]) => (on ? [id] : []))
    const known = new Set((await services.org.departments()).map((d) => d.id))
    const unknown = departmentIds.filter((id) => !known.has(id))
    if (unknown.length > 0) throw new DomainError('VALIDATION', `没有这些部门：${unknown.join('、')}`, `unknown departments: ${unknown.join(', ')}`)
    if (body.enabled && departmentIds.length === 0) throw new DomainError('VALIDATION', '开启试点时请至少选择一个部门', 'choose at least one department for the pilot')
    const current = await settings.read('pilot')
    const saved = await settings.write('pilot', { enabled: body.enabled, departmentIds, elsewhere: body.elsewhere ?? current.elsewhere }, viewerOf(c).id)
    return c.json({ ok: true, message: saved.enabled ? `试点已开启：${saved.departmentIds.length} 个部门 / pilot on` : '试点已关闭，全员可用 / pilot off', pilot: saved })
  })

  app.get('/api/admin/flags', requireRole('finance', 'auditor'), async (c) => {
    const filter = dashboardFilter(c.req.query(), services.now())
    if ('error' in filter) return c.json({ ok: false, code: 'VALIDATION', message: filter.error }, 400)
    return c.json(await loadFlaggedClaims(db, filter))
  })

  app.get('/api/admin/requests/:id/attachments', requireRole('employee'), async (c) => {
    const requestId = c.req.param('id')
    if (!(await maySeeRequest(db, viewerOf(c), requestId))) return c.json({ ok: false, code: 'FORBIDDEN', message: '无权查看该申请 / not allowed' }, 403)
    const files = await attachments.ofRequest(requestId)
    return c.json(files.map(({ id, name, mimeType, sizeBytes, reading, readingNote, invoice, createdAt }) => ({ id, name, mimeType, sizeBytes, reading, readingNote, invoice, createdAt, url: `/miniapp/requests/${requestId}/attachments/${id}` })))
  })

  // The file itself, for a link on the request page (inside Feishu/DingTalk's webview too).
  app.get('/miniapp/requests/:id/attachments/:attachmentId', requirePage('my', 'employee'), async (c) => {
    const requestId = c.req.param('id')
    const file = await attachments.find(c.req.param('attachmentId'))
    // Not yours to see and not there look the same: nothing tells an outsider which ids exist.
    if (!file || file.requestId !== requestId || !(await maySeeRequest(db, viewerOf(c), requestId))) return c.text('找不到该附件 / attachment not found', 404)
    const bytes = await attachments.content(file.id)
    if (!bytes) return c.text('附件文件已丢失，请联系管理员 / the stored file is missing', 410)
    const inline = INLINE_TYPES.has(file.mimeType)
    return new Response(new Uint8Array(bytes), {
      headers: {
        'content-type': inline ? file.mimeType : 'application/octet-stream',
        'content-length': String(bytes.byteLength),
        'content-disposition': `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(file.name)}`,
        // Uploaded bytes never run as a page of ours.
        'content-security-policy': "default-src 'none'; sandbox",
        'x-content-type-options': 'nosniff',
        'cache-control': 'private, no-store',
      },
    })
  })

  app.onError(domainErrorResponse)
  return app
}
