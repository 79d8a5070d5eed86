import { zValidator } from '@hono/zod-validator'
import { Hono } from 'hono'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { Schema } from '../../db/schema.js'
import { requireRole } from '../auth/require-role.js'
import { viewerOf, type AdminEnv } from '../auth/viewer.js'
import { domainErrorResponse, validationFailed } from '../http/api-errors.js'
import { importSourceFields, importText, oneSource } from '../import/import-source.js'
import { employeeUpdateSchema, updateEmployee } from './employee-update.js'
import { importDepartments, importEmployees } from './org-import.js'
import { listDepartments, listEmployees } from './org-data.js'

const importRequest = z.object({ ...importSourceFields, dryRun: z.boolean() }).refine(oneSource.check, oneSource.issue)

/** The employee master and departments (CSV or XLSX imports): admins only. */
export function orgApi(db: Kysely<Schema>, now: () => number): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>()
  app.get('/api/admin/org/employees', requireRole('admin'), async (c) => c.json(await listEmployees(db)))
  app.get('/api/admin/org/departments', requireRole('admin'), async (c) => c.json(await listDepartments(db)))

  app.patch('/api/admin/org/employees/:id', requireRole('admin'), zValidator('json', employeeUpdateSchema, validationFailed), async (c) => {
    await updateEmployee(db, c.req.param('id'), c.req.valid('json'), viewerOf(c).id, now())
    return c.json({ ok: true, message: '已保存 / saved' })
  })

  app.post('/api/admin/org/employees/import', requireRole('admin'), zValidator('json', importRequest, validationFailed), async (c) => {
    const { dryRun, ...source } = c.req.valid('json')
    const result = await importEmployees(db, await importText(source), { dryRun, actorId: viewerOf(c).id, now: now() })
    return c.json({ ok: result.errors.length === 0, ...result }, result.errors.length ? 422 : 200)
  })

  app.post('/api/admin/org/departments/import', requireRole('admin'), zValidator('json', importRequest, validationFailed), async (c) => {
    const { dryRun, ...source } = c.req.valid('json')
    const result = await importDepartments(db, await importText(source), { dryRun, actorId: viewerOf(c).id, now: now() })
    return c.json({ ok: result.errors.length === 0, ...result }, result.errors.length ? 422 : 200)
  })

  app.onError(domainErrorResponse)
  return app
}
