import { zValidator } from '@hono/zod-validator'
import { Hono } from 'hono'
import { z } from 'zod'
import type { PolicyStore } from '../../workflow/policy/policy-store.js'
import { requireRole } from '../auth/require-role.js'
import { viewerOf, type AdminEnv } from '../auth/viewer.js'
import { domainErrorResponse, validationFailed } from '../http/api-errors.js'

const policyBody = z.object({ kind: z.string().min(1).max(40), severity: z.string().min(1).max(10), params: z.unknown() })

/** The approval engine's policy rules (limits, invoice checks, split claims): finance and admins. */
export function policiesApi(policies: PolicyStore): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>()
  const finance = requireRole('finance')
  app.get('/api/admin/policies', finance, async (c) => c.json(await policies.list()))
  app.put('/api/admin/policies/:code', finance, zValidator('json', policyBody, validationFailed), async (c) => {
    const saved = await policies.save({ code: c.req.param('code'), ...c.req.valid('json') }, viewerOf(c).id)
    return c.json({ ok: true, message: `已保存规则 ${saved.code} / saved`, policy: saved })
  })
  app.delete('/api/admin/policies/:code', finance, async (c) => {
    await policies.disable(c.req.param('code'), viewerOf(c).id)
    return c.json({ ok: true, message: '已停用 / disabled' })
  })
  app.onError(domainErrorResponse)
  return app
}
