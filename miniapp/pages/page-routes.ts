import { Hono } from 'hono'
import { HTTP_STATUS_OF } from '../../bot/http-errors.js'
import { isDomainError } from '../../workflow/errors.js'
import { renderPage } from '../ui/layout.js'
import { html } from '../ui/html.js'
import type { PolicyStore } from '../../workflow/policy/policy-store.js'
import type { FlowTemplates } from '../../workflow/templates/flow-templates.js'
import type { System } from '../../server/compose.js'
import type { AdminAccess } from '../auth/admin-access.js'
import { contactDirectories } from '../org/contact-sync-api.js'
import { LOGIN_PLATFORMS } from '../auth/platform-login.js'
import { viewerOf, type AdminEnv } from '../auth/viewer.js'
import { homeFor } from '../ui/nav.js'
import { renderAuditPage } from './audit-page.js'
import { renderDashboardPage } from './dashboard-page.js'
import { renderErpPage } from './erp-page.js'
import { renderFlowEditorPage, renderFlowsPage } from './flows-page.js'
import { renderLoginPage } from './login-page.js'
import { renderOrgPage } from './org-page.js'
import { renderMyWorkPage } from './my-work-page.js'
import { requirePage } from './page-guard.js'
import { renderPoliciesPage } from './policies-page.js'
import { renderRequestPage } from './request-page.js'
import { renderSettingsPage } from './settings-page.js'

/** The server-rendered pages under /miniapp; each checks its roles like the API behind it. */
export function pageRoutes(system: System, access: AdminAccess, domain: { templates: FlowTemplates; policies: PolicyStore }): Hono<AdminEnv> {
  const { db } = system.services
  const app = new Hono<AdminEnv>()

  app.get('/miniapp', (c) => {
    const viewer = c.get('viewer')
    // Keep the query: DingTalk opens the homepage as /miniapp?corpid=… and the login page needs it.
    const query = new URL(c.req.url).search
    return c.redirect(viewer ? homeFor(viewer.roles) : `/miniapp/login${query}`)
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
  app.get('/miniapp/audit', requirePage('audit', 'auditor'), (c) => renderAuditPage(c, db, viewerOf(c)))
  app.get('/miniapp/erp', requirePage('erp', 'finance'), (c) => renderErpPage(c, system.erp.admin, viewerOf(c)))
  app.get('/miniapp/org', requirePage('org', 'admin', 'finance'), (c) => renderOrgPage(c, db, system.erp.admin, viewerOf(c), system.services.now(), contactDirectories(system).map((d) => d.platform)))
  app.get('/miniapp/flows', requirePage('flows', 'admin'), (c) => renderFlowsPage(c, db, domain.templates, viewerOf(c)))
  app.get('/miniapp/flows/:type', requirePage('flows', 'admin'), (c) => renderFlowEditorPage(c, db, system.services.org, domain.templates, viewerOf(c), c.req.param('type')))
  app.get('/miniapp/policies', requirePage('policies', 'finance'), (c) => renderPoliciesPage(c, domain.policies, viewerOf(c)))
  app.get('/miniapp/my', requirePage('my', 'employee'), (c) => renderMyWorkPage(c, db, viewerOf(c), system.services.now()))
  app.get('/miniapp/settings', requirePage('settings', 'finance'), (c) => renderSettingsPage(c, db, system.services.settings, viewerOf(c)))
  app.get('/miniapp/requests/:id', requirePage('my', 'employee'), (c) => renderRequestPage(c, db, viewerOf(c), c.req.param('id'), system.services.now()))
  // A domain refusal on a page (no such request, no such flow) is shown as a page, not as JSON.
  app.onError((error, c) => {
    const viewer = c.get('viewer')
    if (!isDomainError(error) || !viewer) throw error
    c.status(HTTP_STATUS_OF[error.code])
    return renderPage(c, { title: '出错了', viewer, section: 'my', body: html`<section class="panel notice warn" id="page-error">${error.zh}<br><span class="faint">${error.en}</span></section>` })
  })
  return app
}
