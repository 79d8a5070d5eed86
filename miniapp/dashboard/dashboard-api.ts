import { Hono } from 'hono'
import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { requireRole } from '../auth/require-role.js'
import type { AdminEnv } from '../auth/viewer.js'
import { loadDashboard } from './dashboard-data.js'
import { dashboardFilter } from './dashboard-filter.js'

/** Reports: finance and auditors (and admins). */
export function dashboardApi(db: Kysely<Schema>, now: () => number): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>()
  app.get('/api/admin/dashboard', requireRole('finance', 'auditor'), async (c) => {
    const filter = dashboardFilter(c.req.query(), now())
    if ('error' in filter) return c.json({ ok: false, code: 'VALIDATION', message: filter.error }, 400)
    return c.json(await loadDashboard(db, filter, now()))
  })
  return app
}
