import { createMiddleware } from 'hono/factory'
import { roleAllows, type AdminRole } from '../auth/roles.js'
import type { AdminEnv } from '../auth/viewer.js'
import { renderForbidden } from '../ui/layout.js'
import type { Section } from '../ui/nav.js'

/**
 * The page-side twin of requireRole(): not signed in → the sign-in page (and back here after);
 * signed in without the role → a 403 page. Pages render data server-side, so this check is the real one.
 */
export function requirePage(section: Section, ...roles: [AdminRole, ...AdminRole[]]) {
  return createMiddleware<AdminEnv>(async (c, next) => {
    const viewer = c.get('viewer')
    if (!viewer) {
      const url = new URL(c.req.url)
      return c.redirect(`/miniapp/login?next=${encodeURIComponent(url.pathname + url.search)}`)
    }
    if (!roleAllows(viewer.roles, roles)) return renderForbidden(c, viewer, section)
    await next()
  })
}
