import { Hono } from 'hono'
import type { System } from '../../server/compose.js'
import type { AdminAccess } from '../auth/admin-access.js'
import { LOGIN_PLATFORMS } from '../auth/platform-login.js'
import { viewerOf, type AdminEnv } from '../auth/viewer.js'
import { homeFor } from '../ui/nav.js'
import { renderAuditPage } from './audit-page.js'
import { renderDashboardPage } from './dashboard-page.js'
import { renderErpPage } from './erp-page.js'
import { renderLoginPage } from './login-page.js'
import { renderOrgPage } from './org-page.js'
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
  app.get('/miniapp/dashboard', requirePage('dashboard', 'finance', 'auditor'), (c) => renderDashboardPage(c, db, viewerOf(c), system.services.now()))
  app.get('/miniapp/audit', requirePage('audit', 'auditor'), (c) => renderAuditPage(c, db, viewerOf(c), null))
  app.get('/miniapp/erp', requirePage('erp', 'finance'), (c) => renderErpPage(c, system.erp.admin, viewerOf(c)))
  app.get('/miniapp/org', requirePage('org', 'admin', 'finance'), (c) => renderOrgPage(c, db, system.erp.admin, viewerOf(c)))
  app.get('/miniapp/my', requirePage('my', 'employee'), (c) => renderMyWorkPage(c, db, viewerOf(c)))
  app.get('/miniapp/requests/:id', requirePage('my', 'employee'), (c) => renderRequestPage(c, db, viewerOf(c), c.req.param('id')))
  return app
}
