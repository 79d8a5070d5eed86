import { Hono } from 'hono'
import { handOverFromLeavers } from '../bot/conversation/request-effects.js'
import type { System } from '../server/compose.js'
import type { AdminAccess } from './auth/admin-access.js'
import type { AdminEnv } from './auth/viewer.js'
import { assetRoutes } from './assets/asset-routes.js'
import { auditApi } from './audit/audit-api.js'
import { dashboardApi } from './dashboard/dashboard-api.js'
import { delegationsApi } from './delegations/delegations-api.js'
import { erpApi } from './erp/erp-api.js'
import { flowsApi } from './flows/flows-api.js'
import { myWorkApi } from './my-work/my-work-api.js'
import { contactDirectories, contactSyncApi } from './org/contact-sync-api.js'
import { orgApi } from './org/org-api.js'
import { pageRoutes } from './pages/page-routes.js'
import { policiesApi } from './policies/policies-api.js'
import { holidaysApi } from './receipts/holidays-api.js'
import { receiptsApi } from './receipts/receipts-api.js'
import { PolicyStore } from '../workflow/policy/policy-store.js'
import { FlowTemplates } from '../workflow/templates/flow-templates.js'

/**
 * The admin H5 app: sign-in, /api/admin/* and the pages at /miniapp. The session middleware
 * (access.session) is mounted by the app in front of all of it; every API route has its requireRole().
 */
export function miniappRoutes(system: System, access: AdminAccess): Hono<AdminEnv> {
  const { services } = system
  const app = new Hono<AdminEnv>()
  const templates = new FlowTemplates(services.db, services.now)
  const policies = new PolicyStore(services.db, services.now)
  app.route('/', access.routes())
  app.route('/', myWorkApi(services))
  app.route('/', auditApi(services.db, services.now))
  const afterOrgChange = (actorId: string) => handOverFromLeavers(services, actorId)
  app.route('/', orgApi(services.db, services.now, afterOrgChange))
  app.route('/', delegationsApi(services.db, services.now))
  app.route('/', contactSyncApi(services.db, services.now, contactDirectories(system), afterOrgChange))
  app.route('/', dashboardApi(services.db, services.now))
  app.route('/', erpApi(system.erp.admin))
  app.route('/', flowsApi(services.db, services.org, templates))
  app.route('/', policiesApi(policies))
  app.route('/', receiptsApi(services))
  app.route('/', holidaysApi(services.settings))
  app.route('/', assetRoutes())
  app.route('/', pageRoutes(system, access, { templates, policies }))
  return app
}
