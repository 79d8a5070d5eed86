import { zValidator } from '@hono/zod-validator'
import { Hono } from 'hono'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { Schema } from '../../db/schema.js'
import { DomainError } from '../../workflow/errors.js'
import type { OrgDirectory } from '../../workflow/org.js'
import { isRequestType, type RequestType } from '../../workflow/request-types.js'
import { buildRoute } from '../../workflow/routing/build-route.js'
import { checkFlowDefinition, type FlowTemplates } from '../../workflow/templates/flow-templates.js'
import { requireRole } from '../auth/require-role.js'
import { viewerOf, type AdminEnv } from '../auth/viewer.js'
import { domainErrorResponse, validationFailed } from '../http/api-errors.js'
import { flowSummaries } from './flows-data.js'

const validateBody = z.object({
  definition: z.unknown(),
  /** A sample request to route through the draft: who asks, for how much (yuan). */
  sample: z.object({ requesterId: z.string().min(1), amountYuan: z.number().nonnegative(), category: z.string().optional() }).optional(),
})

const publishBody = z.object({
  definition: z.unknown(),
  /** The latest version when the editor opened; optional so scripts and older clients publish as before. */
  baseVersion: z.number().int().min(0).optional(),
})

function requestType(type: string): RequestType {
  if (!isRequestType(type)) throw new DomainError('NOT_FOUND', `没有这种申请类型：${type}`, `unknown request type: ${type}`)
  return type
}

/** Flow templates: list, versions, validate a draft (with a sample route), publish a new version. Admins only. */
export function flowsApi(db: Kysely<Schema>, org: OrgDirectory, templates: FlowTemplates): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>()
  const admin = requireRole('admin')

  app.get('/api/admin/flows', admin, async (c) => c.json(await flowSummaries(db, templates)))
  app.get('/api/admin/flows/:type', admin, async (c) => {
    const type = requestType(c.req.param('type'))
    return c.json({ latest: await templates.latest(type), history: await templates.history(type) })
  })
  app.get('/api/admin/flows/:type/versions/:version', admin, async (c) => c.json(await templates.version(requestType(c.req.param('type')), Number(c.req.param('version')))))

  // Checks the draft like publish would, and shows the route a sample request would take through it.
  app.post('/api/admin/flows/:type/validate', admin, zValidator('json', validateBody, validationFailed), async (c) => {
    const type = requestType(c.req.param('type'))
    const { definition: input, sample } = c.req.valid('json')
    const definition = await checkFlowDefinition(input, org)
    if (!sample) return c.json({ ok: true, message: '校验通过 / valid' })
    const requester = await org.employee(sample.requesterId)
    if (!requester) throw new DomainError('NOT_FOUND', '找不到试算的申请人', 'sample requester not found')
    const department = await org.department(requester.departmentId)
    const amountFen = Math.round(sample.amountYuan * 100)
    const route = await buildRoute({
      definition,
      org,
      requester,
      preview: true,
      facts: { type, amountFen, category: sample.category, departmentId: requester.departmentId, departmentName: department?.name ?? '', requesterLevel: requester.level, payload: { amountFen, category: sample.category } },
    })
    const names = await org.names(route.steps.flatMap((s) => s.approverIds))
    const steps = route.steps.map((s) => ({ name: s.name, kind: s.kind ?? 'approver', mode: s.mode, reason: s.reason, approvers: s.approverIds.map((id) => names.get(id) ?? id), skipped: s.skippedBecause ?? null }))
    return c.json({ ok: true, message: '校验通过 / valid', steps, notes: route.notes })
  })

  app.post('/api/admin/flows/:type/publish', admin, zValidator('json', publishBody, validationFailed), async (c) => {
    const type = requestType(c.req.param('type'))
    const { definition, baseVersion } = c.req.valid('json')
    const published = await templates.publish(type, definition, viewerOf(c).id, { baseVersion })
    return c.json({ ok: true, version: published.version, message: `已发布第 ${published.version} 版；新提交的申请将按此版本审批，进行中的申请不受影响 / published v${published.version}` })
  })

  app.onError(domainErrorResponse)
  return app
}
