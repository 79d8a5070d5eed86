import { Hono } from 'hono'
import type { System } from '../../server/compose.js'
import type { AdminAccess } from '../auth/admin-access.js'
import { LOGIN_PLATFORMS } from '../auth/platform-login.js'
import { viewerOf, type AdminEnv } from '../auth/viewer.js'
import { homeFor } from '../ui/nav.js'
import { renderLoginPage } from './login-page.js'
import { renderMyWorkPage } from './my-work-page.js'
import { requirePage } from './page-guard.js'
import { renderRequestPage } from './request-page.js'

/** The server-rendered pages under /miniapp; each checks its roles like the API behind it. */
export function pageRoutes(system: System, access: AdminAccess): Hono<AdminEnv> {
  const { db } = system.services
  const app = new Hono<AdminEnv>()

  app.get('/miniapp', (c) => {
    const viewer = c.get('viewer')
    return c.redirect(viewer ? homeFor(viewer.roles) : '/miniapp/login')
  })
  app.get('/miniapp/login', (c) =>
    renderLoginPage(c, db, {
      devMode: access.devMode,
      enabledPlatforms: LOGIN_PLATFORMS.filter((p) => access.platformLogins[p]),
      feishuAppId: access.platformLogins.feishu?.appId,
      dingtalkClientId: access.platformLogins.dingtalk?.appId,
    }),
  )
  app.get('/miniapp/my', requirePage('my', 'employee'), (c) => renderMyWorkPage(c, db, viewerOf(c)))
  app.get('/miniapp/requests/:id', requirePage('my', 'employee'), (c) => renderRequestPage(c, db, viewerOf(c), c.req.param('id')))
  return app
}
