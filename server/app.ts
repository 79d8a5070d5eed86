import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import { devRoutes } from '../bot/platforms/dev/dev-routes.js'
import { createAdminAccess } from '../miniapp/auth/admin-access.js'
import type { PlatformLogins } from '../miniapp/auth/platform-login.js'
import { miniappRoutes } from '../miniapp/miniapp-routes.js'
import type { Log } from '../ops/logging/log.js'
import { bodyLimit } from './body-limit.js'
import { backupRoutes } from './backup-routes.js'
import type { System } from './compose.js'
import type { Lifecycle } from './lifecycle.js'
import { callbackMetrics, drainGate, metricsRoutes, readiness, requestContext } from './operations-routes.js'

/** Callbacks and admin calls are small JSON; anything larger is refused before parsing. */
const MAX_BODY_BYTES = 1024 * 1024

export interface AppOptions {
  devMode: boolean
  log?: Log
  /** Bearer token GET /metrics requires (METRICS_TOKEN); without it /metrics is off. */
  metricsToken?: string
  /** Bearer token GET /backup requires (BACKUP_TOKEN); without it /backup is off. */
  backupToken?: string
  /** Set to draining on SIGTERM (Node): /readyz says 503 and new callbacks are refused. */
  lifecycle?: Lifecycle
  /** APP_SECRET_KEY, or the one generated into ./data/ (server/secret-key.ts): signs admin sessions. */
  secretKey?: string
  /** H5 sign-in code exchanges of the configured platforms (bot/platforms/<name>/<name>-login.ts). */
  platformLogins?: PlatformLogins
}

/** The one Hono app, built from parts handed to it; runtime entries (Node, Workers) only serve it. */
export function createApp(system: System, options: AppOptions): Hono {
  const app = new Hono()
  app.use(requestId())
  app.use(requestContext)
  app.use(callbackMetrics(system.metrics, options.log ?? (() => {})))
  // Pages inside Feishu/DingTalk open in the client's webview; the mini-app sets its own CSP.
  app.use(secureHeaders({ xFrameOptions: false }))
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json({ ok: false, code: 'TOO_LARGE', message: '请求体超过 1 MB / request body over 1 MB' }, 413),
    }),
  )

  if (options.lifecycle) app.use(drainGate(options.lifecycle))

  app.get('/healthz', (c) => c.json({ ok: true }))
  app.get('/readyz', readiness(system, options.lifecycle, options.log))
  app.route('/', metricsRoutes(system.metrics, options.metricsToken))
  app.route('/', backupRoutes(system.services.db, options.backupToken, options.log))
  app.get('/', (c) => c.redirect(options.devMode ? '/dev' : '/miniapp'))
  const adminAccess = createAdminAccess({
    db: system.services.db,
    now: system.services.now,
    secretKey: options.secretKey,
    devMode: options.devMode,
    platformLogins: options.platformLogins ?? platformLoginsOf(system),
    log: options.log,
  })
  // In front of every admin route, the mini-app's and any other part's: requireRole() reads the viewer it sets.
  app.use('/api/admin/*', adminAccess.session)
  app.use('/miniapp/*', adminAccess.session)
  app.route('/', miniappRoutes(system, adminAccess))
  for (const integration of system.integrations) {
    if (integration.routes) app.route('/', integration.routes(system.conversation))
  }
  if (options.devMode) app.route('/', devRoutes(system.services, system.conversation, system.devPlatform))

  app.onError((error, c) => {
    if (error instanceof HTTPException && error.status < 500) {
      return c.json({ ok: false, code: 'BAD_REQUEST', message: `请求无效 / ${error.message}` }, error.status)
    }
    options.log?.(`unhandled error on ${c.req.method} ${c.req.path}: ${error.stack ?? String(error)}`, { level: 'error' })
    return c.json({ ok: false, code: 'INTERNAL', message: '服务器内部错误，请稍后重试 / internal error' }, 500)
  })
  app.notFound((c) => c.json({ ok: false, code: 'NOT_FOUND', message: `没有这个地址 / not found: ${c.req.path}` }, 404))
  return app
}

/** Sign-in inside Feishu/DingTalk is offered for every configured platform that supports it. */
function platformLoginsOf(system: System): PlatformLogins {
  const logins: PlatformLogins = {}
  for (const integration of system.integrations) {
    const name = integration.platform.name
    if (integration.h5Login && (name === 'feishu' || name === 'dingtalk')) logins[name] = integration.h5Login
  }
  return logins
}
