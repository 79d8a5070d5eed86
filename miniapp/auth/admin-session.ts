import type { Kysely } from 'kysely'
import { createMiddleware } from 'hono/factory'
import type { Schema } from '../../db/schema.js'
import { toEmployee } from '../../workflow/org.js'
import { adminRolesOf } from './roles.js'
import type { SessionCookies } from './session-cookie.js'
import type { AdminEnv } from './viewer.js'

/**
 * Reads the session cookie and, for an active employee, puts the viewer on the context. It never
 * refuses anything itself: requireRole() does, so public routes (login) can share the prefix.
 */
export function adminSession(db: Kysely<Schema>, sessions: SessionCookies) {
  return createMiddleware<AdminEnv>(async (c, next) => {
    const session = await sessions.read(c)
    if (session) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', session.userId).where('active', '=', 1).executeTakeFirst()
      if (row) {
        const employee = toEmployee(row)
        c.set('viewer', {
          id: employee.id,
          name: employee.name,
          employeeNo: employee.employeeNo,
          departmentId: employee.departmentId,
          roles: adminRolesOf(employee.roles),
          csrfToken: session.csrfToken,
        })
      }
    }
    await next()
  })
}
