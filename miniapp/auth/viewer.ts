import type { Context } from 'hono'
import type { AdminRole } from './roles.js'

/** The signed-in person as the admin app sees them, set on the context by the session middleware. */
export interface Viewer {
  id: string
  name: string
  employeeNo: string
  departmentId: string
  roles: AdminRole[]
  csrfToken: string
}

export interface AdminEnv {
  Variables: { viewer?: Viewer }
}

/** For handlers behind requireRole, which guarantees a viewer. */
export function viewerOf(c: Context<AdminEnv>): Viewer {
  const viewer = c.get('viewer')
  if (!viewer) throw new Error('viewerOf() used on a route without requireRole()')
  return viewer
}
