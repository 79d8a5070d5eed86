import { zValidator } from '@hono/zod-validator'
import { Hono } from 'hono'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { Schema } from '../../db/schema.js'
import { requireRole } from '../auth/require-role.js'
import { viewerOf, type AdminEnv } from '../auth/viewer.js'
import { domainErrorResponse, validationFailed } from '../http/api-errors.js'
import { employeeUpdateSchema, updateEmployee } from './employee-update.js'
import { importDepartments, importEmployees } from './org-import.js'
import { listDepartments, listEmployees } from './org-data.js'

const importBody = z.object({ csv: z.string().min(1).max(900_000), dryRun: z.boolean() })

/** The employee master and departments: admins only. */
export function orgApi(db: Kysely<Schema>, now: () => number): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>()
  app.get('/api/admin/org/employees', requireRole('admin'), async (c) => c.json(await listEmployees(db)))
  app.get('/api/admin/org/departments', requireRole('admin'), async (c) => c.json(await listDepartments(db)))

  app.patch('/api/admin/org/employees/:id', requireRole('admin'), zValidator('json', employeeUpdateSchema, validationFailed), async (c) => {
    await updateEmployee(db, c.req.param('id'), c.req.valid('json'), viewerOf(c).id, now())
    return c.json({ ok: true, message: '已保存 / saved' })
  })

  app.post('/api/admin/org/employees/import', requireRole('admin'), zValidator('json', importBody, validationFailed), async (c) => {
    const { csv, dryRun } = c.req.valid('json')
    const result = await importEmployees(db, csv, { dryRun, actorId: viewerOf(c).id, now: now() })
    return c.json({ ok: result.errors.length === 0, ...result }, result.errors.length ? 422 : 200)
  })

  app.post('/api/admin/org/departments/import', requireRole('admin'), zValidator('json', importBody, validationFailed), async (c) => {
    const { csv, dryRun } = c.req.valid('json')
    const result = await importDepartments(db, csv, { dryRun, actorId: viewerOf(c).id, now: now() })
    return c.json({ ok: result.errors.length === 0, ...result }, result.errors.length ? 422 : 200)
  })

  app.onError(domainErrorResponse)
  return app
}
