import { Hono } from 'hono'
import { devRoutes } from '../bot/platforms/dev/dev-routes.js'
import { miniappRoutes } from '../miniapp/miniapp-routes.js'
import type { System } from './compose.js'

export interface AppOptions {
  devMode: boolean
  log?: (message: string) => void
}

/** The one Hono app, built from parts handed to it; runtime entries (Node, Workers) only serve it. */
export function createApp(system: System, options: AppOptions): Hono {
  const app = new Hono()

  app.get('/healthz', async (c) => {
    await system.services.db.selectFrom('users').select('id').limit(1).execute()
    return c.json({ ok: true })
  })
  app.get('/', (c) => c.redirect(options.devMode ? '/dev' : '/miniapp'))
  app.route('/', miniappRoutes())
  for (const integration of system.integrations) {
    if (integration.routes) app.route('/', integration.routes(system.conversation))
  }
  if (options.devMode) app.route('/', devRoutes(system.services, system.conversation, system.devPlatform))

  app.onError((error, c) => {
    options.log?.(`unhandled error on ${c.req.method} ${c.req.path}: ${error.stack ?? String(error)}`)
    return c.json({ ok: false, code: 'INTERNAL', message: '服务器内部错误，请稍后重试 / internal error' }, 500)
  })
  app.notFound((c) => c.json({ ok: false, code: 'NOT_FOUND', message: `没有这个地址 / not found: ${c.req.path}` }, 404))
  return app
}
