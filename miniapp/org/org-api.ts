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

/** Runs after the employee master changed: hands over the pending tasks of anyone now deactivated; how many. */
export type AfterOrgChange = (actorId: string) => Promise<number>

/** The employee master and departments (CSV or XLSX imports): admins only. */
export function orgApi(db: Kysely<Schema>, now: () => number, afterOrgChange: AfterOrgChange): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>()
  app.get('/api/admin/org/employees', requireRole('admin'), async (c) => c.json(await listEmployees(db)))
  app.get('/api/admin/org/departments', requireRole('admin'), async (c) => c.json(await listDepartments(db)))

  app.patch('/api/admin/org/employees/:id', requireRole('admin'), zValidator('json', employeeUpdateSchema, validationFailed), async (c) => {
    const input = c.req.valid('json')
    await updateEmployee(db, c.req.param('id'), input, viewerOf(c).id, now())
    const handedOver = input.active === false ? await afterOrgChange(viewerOf(c).id) : 0
    const message = handedOver ? `已保存，其 ${handedOver} 条待审批已交接 / saved; ${handedOver} pending approval(s) handed over` : '已保存 / saved'
    return c.json({ ok: true, message, handedOver })
  })

  app.post('/api/admin/org/employees/import', requireRole('admin'), zValidator('json', importRequest, validationFailed), async (c) => {
    const { dryRun, ...source } = c.req.valid('json')
    const result = await importEmployees(db, await importText(source), { dryRun, actorId: viewerOf(c).id, now: now() })
    const handedOver = !dryRun && result.errors.length === 0 ? await afterOrgChange(viewerOf(c).id) : 0
    return c.json({ ok: result.errors.length === 0, ...result, handedOver }, result.errors.length ? 422 : 200)
  })

  app.post('/api/admin/org/departments/import', requireRole('admin'), zValidator('json', importRequest, validationFailed), async (c) => {
    const { dryRun, ...source } = c.req.valid('json')
    const result = await importDepartments(db, await importText(source), { dryRun, actorId: viewerOf(c).id, now: now() })
    return c.json({ ok: result.errors.length === 0, ...result }, result.errors.length ? 422 : 200)
  })

  app.onError(domainErrorResponse)
  return app
}
