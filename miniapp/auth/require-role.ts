import { createMiddleware } from 'hono/factory'
import { roleAllows, type AdminRole } from './roles.js'
import { csrfTokenMatches } from './session-cookie.js'
import type { AdminEnv } from './viewer.js'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * The guard on every /api/admin/* route: signed in (401), the CSRF token echoed on any
 * state-changing call (403), and one of `roles` held (403; admin passes every check).
 * Fails closed: without the session middleware in front there is no viewer, so nothing passes.
 *
 *   app.get('/api/admin/erp/outbox', requireRole('finance'), handler)
 */
export function requireRole(...roles: [AdminRole, ...AdminRole[]]) {
  return createMiddleware<AdminEnv>(async (c, next) => {
    const viewer = c.get('viewer')
    if (!viewer) return c.json({ ok: false, code: 'UNAUTHENTICATED', message: '请先登录 / please sign in' }, 401)
    if (!SAFE_METHODS.has(c.req.method) && !csrfTokenMatches(c, viewer.csrfToken)) {
      return c.json({ ok: false, code: 'CSRF', message: '页面已过期，请刷新后重试 / the page is stale (CSRF token missing or wrong); reload and retry' }, 403)
    }
    if (!roleAllows(viewer.roles, roles)) {
      return c.json({ ok: false, code: 'FORBIDDEN', message: '你的角色无权进行此操作 / your role does not allow this' }, 403)
    }
    await next()
  })
}
