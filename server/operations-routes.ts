import type { Context, MiddlewareHandler } from 'hono'
import { Hono } from 'hono'
import { pendingMigrations } from '../db/migrate.js'
import type { AppMetrics } from '../ops/metrics/app-metrics.js'
import { runInRequestContext } from '../ops/request-context.js'
import type { Log } from '../ops/logging/log.js'
import { refuseWithoutBearer } from './bearer-token.js'
import type { System } from './compose.js'
import type { Lifecycle } from './lifecycle.js'
import { PlatformTokenProbe } from './observe/platform-token-probe.js'

/** The platform and route of a chat callback, with bounded label values (no ids from the path). */
export function callbackOf(method: string, path: string): { platform: string; route: string } | undefined {
  if (method !== 'POST') return undefined
  const platformRoute = /^\/(feishu|dingtalk)\/([a-z]+)$/.exec(path)
  if (platformRoute) return { platform: platformRoute[1]!, route: platformRoute[2]! }
  if (path === '/api/dev/messages') return { platform: 'dev', route: 'messages' }
  if (/^\/api\/dev\/cards\/[^/]+\/actions\/[^/]+$/.test(path)) return { platform: 'dev', route: 'cards' }
  return undefined
}

/**
 * Everything one request does runs with its x-request-id (Hono's requestId: the caller's, when it
 * sent a sane one, else a fresh UUID) in the async context, so every log line it causes carries it.
 */
export const requestContext: MiddlewareHandler = (c, next) => runInRequestContext({ requestId: c.get('requestId') }, next)

/** Counts and times platform callbacks, and logs each one's arrival and answer. */
export function callbackMetrics(metrics: AppMetrics, log: Log): MiddlewareHandler {
  return async (c, next) => {
    const callback = callbackOf(c.req.method, c.req.path)
    if (!callback) return next()
    const started = performance.now()
    log(`callback: ${c.req.method} ${c.req.path}`, { platform: callback.platform, route: callback.route })
    await next()
    const ms = performance.now() - started
    metrics.callbacks.inc({ ...callback, status: String(c.res.status) })
    metrics.callbackSeconds.observe(callback, ms / 1000)
    log(`callback: answered ${c.res.status} in ${Math.round(ms)} ms`, { platform: callback.platform, route: callback.route, status: c.res.status, ms: Math.round(ms) })
  }
}

/**
 * Counts the requests in progress (a shutdown waits for them), and while draining refuses
 * work-taking ones with 503 (platforms redeliver, people tap again); reads and probes still answer.
 */
export function drainGate(lifecycle: Lifecycle): MiddlewareHandler {
  return (c, next) =>
    lifecycle.track(async () => {
      if (!lifecycle.draining || c.req.method === 'GET' || c.req.method === 'HEAD') return next()
      c.header('Retry-After', '5')
      c.header('Connection', 'close')
      return c.json({ ok: false, code: 'SHUTTING_DOWN', message: '服务正在重启，请稍后重试 / this instance is shutting down, retry shortly' }, 503)
    })
}

/**
 * GET /readyz: 200 only when this instance should get traffic: not shutting down, database
 * reachable, every migration applied, and each configured platform's token obtainable. The body
 * says which check failed, and the message names the platforms whose token cannot be had.
 */
export function readiness(system: System, lifecycle: Lifecycle | undefined, log?: Log) {
  const tokenProbes = system.integrations.map((integration) => new PlatformTokenProbe(integration, log))
  return async (c: Context) => {
    const checks: Record<string, string> = {}
    let ok = true
    const fail = (name: string, status: string) => {
      checks[name] = status
      ok = false
    }
    if (lifecycle?.draining) fail('lifecycle', 'shutting down')
    try {
      const pending = await pendingMigrations(system.services.db)
      checks.database = 'ok'
      if (pending.length > 0) fail('migrations', `pending: ${pending.join(', ')}`)
      else checks.migrations = 'ok'
    } catch (error) {
      log?.(`readyz: database unreachable: ${String(error)}`, { level: 'error' })
      fail('database', 'unreachable')
    }
    const tokens = await Promise.all(tokenProbes.map(async (probe) => ({ platform: probe.platform, status: await probe.status() })))
    const tokenless: string[] = []
    for (const { platform, status } of tokens) {
      if (status.ok) checks[`${platform}_token`] = 'ok'
      else {
        fail(`${platform}_token`, `failed: ${status.reason}`)
        tokenless.push(platform)
      }
    }
    if (ok) return c.json({ ok: true, checks })
    const message =
      checks.database === 'unreachable'
        ? '数据库不可用 / database unreachable'
        : checks.migrations?.startsWith('pending')
          ? `数据库迁移未完成 / migrations ${checks.migrations}`
          : lifecycle?.draining
            ? '正在停止 / shutting down'
            : `平台凭证不可用 / platform token not obtainable: ${tokenless.join(', ')}`
    return c.json({ ok: false, message, checks }, 503)
  }
}

/** GET /metrics in Prometheus text format, for scrapers holding METRICS_TOKEN as a bearer token. */
export function metricsRoutes(metrics: AppMetrics, token: string | undefined): Hono {
  const app = new Hono()
  app.get('/metrics', async (c) => {
    const refused = refuseWithoutBearer(c, token, {
      realm: 'metrics',
      off: '未启用指标：请设置 METRICS_TOKEN / metrics are off: set METRICS_TOKEN',
      required: '需要指标令牌 / metrics token required',
    })
    if (refused) return refused
    c.header('Cache-Control', 'no-store')
    return c.body(await metrics.registry.render(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' })
  })
  return app
}
