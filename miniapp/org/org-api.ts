import { Hono } from 'hono'
import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { requireRole } from '../auth/require-role.js'
import type { AdminEnv } from '../auth/viewer.js'
import { listEmployees } from './org-data.js'

/** The employee master and departments: admins only. */
export function orgApi(db: Kysely<Schema>): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>()
  app.get('/api/admin/org/employees', requireRole('admin'), async (c) => c.json(await listEmployees(db)))
  return app
}
