import { zValidator } from '@hono/zod-validator'
import { Hono } from 'hono'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { Schema } from '../../db/schema.js'
import { Delegations } from '../../workflow/time/delegations.js'
import { requireRole } from '../auth/require-role.js'
import { viewerOf, type AdminEnv } from '../auth/viewer.js'
import { domainErrorResponse, validationFailed } from '../http/api-errors.js'
import { upcomingDelegations } from './delegation-data.js'

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD')
const period = {
  delegateId: z.string().min(1).max(64),
  from: isoDate,
  to: isoDate,
  reason: z.string().trim().max(200).optional(),
}
const ownBody = z.object(period).refine((b) => b.to >= b.from, { message: '结束日期不能早于开始日期 / the end is before the start', path: ['to'] })
const anyoneBody = z.object({ principalId: z.string().min(1).max(64), ...period }).refine((b) => b.to >= b.from, { message: '结束日期不能早于开始日期 / the end is before the start', path: ['to'] })

/**
 * Out-of-office delegation (代理): everyone manages their own under /my, admins everyone's under
 * /org. The domain checks who may set or cancel what and writes the audit rows.
 */
export function delegationsApi(db: Kysely<Schema>, now: () => number): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>()
  const delegations = new Delegations(db, now)
  const saved = (d: { from: string; to: string }) => ({ ok: true, message: `已设置代理：${d.from} 至 ${d.to} / delegation set` })

  app.get('/api/admin/my/delegations', requireRole('employee'), async (c) => c.json(await upcomingDelegations(db, now(), viewerOf(c).id)))

  app.post('/api/admin/my/delegations', requireRole('employee'), zValidator('json', ownBody, validationFailed), async (c) => {
    const viewer = viewerOf(c)
    const delegation = await delegations.set({ actorId: viewer.id, principalId: viewer.id, ...c.req.valid('json') })
    return c.json({ ...saved(delegation), delegation })
  })

  app.delete('/api/admin/my/delegations/:id', requireRole('employee'), async (c) => {
    await delegations.revoke(c.req.param('id'), viewerOf(c).id)
    return c.json({ ok: true, message: '已取消代理 / delegation cancelled' })
  })

  app.get('/api/admin/org/delegations', requireRole('admin'), async (c) => c.json(await upcomingDelegations(db, now())))

  app.post('/api/admin/org/delegations', requireRole('admin'), zValidator('json', anyoneBody, validationFailed), async (c) => {
    const delegation = await delegations.set({ actorId: viewerOf(c).id, ...c.req.valid('json') })
    return c.json({ ...saved(delegation), delegation })
  })

  app.delete('/api/admin/org/delegations/:id', requireRole('admin'), async (c) => {
    await delegations.revoke(c.req.param('id'), viewerOf(c).id)
    return c.json({ ok: true, message: '已取消代理 / delegation cancelled' })
  })

  app.onError(domainErrorResponse)
  return app
}
