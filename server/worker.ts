import { DurableObject, type DurableObjectState } from 'cloudflare:workers'
import uplotScript from 'uplot/dist/uPlot.iife.min.js'
import uplotStyles from 'uplot/dist/uPlot.min.css'
import type { ChatIntegration } from '../bot/chat-integration.js'
import { runApprovalTimers } from '../bot/conversation/request-effects.js'
import { createDingtalkIntegration, dingtalkConfigProblem } from '../bot/platforms/dingtalk/dingtalk-integration.js'
import { assembleFeishuIntegration, feishuConfigProblem, feishuSettingsFrom } from '../bot/platforms/feishu/feishu-assembly.js'
import { FeishuFetchApi } from '../bot/platforms/feishu/feishu-fetch-client.js'
import type { DbHandle } from '../db/connect.js'
import type { HyperdriveBinding } from '../db/connect-hyperdrive.js'
import { connectDurableSqlite } from '../db/durable-sqlite/connect-durable-sqlite.js'
import { migrateToLatest } from '../db/migrate.js'
import { seedDemoOrg } from '../db/seeds/demo-org.js'
import { SecretBox } from '../erp-bridge/connections/secret-box.js'
import { S3Store, s3SettingsFrom } from '../receipts/s3-store.js'
import { runMaintenance } from '../ops/maintenance.js'
import { AppMetrics } from '../ops/metrics/app-metrics.js'
import { RateLimits } from '../ops/rate-limit.js'
import type { RetentionPolicy } from '../ops/retention/retention.js'
import { createApp } from './app.js'
import { composeSystem, type System } from './compose.js'
import { ConfigError, loadConfig, rateLimitsOf, retentionOf, type AppConfig } from './config.js'
import { log } from './log.js'
import { summariserFromEnv } from '../bot/summaries/llm-summariser.js'
import { createServerParser } from './parser.js'
import { deriveKey } from './secret-key.js'
import { AppStartup } from './worker-startup.js'

/**
 * Cloudflare Workers entry. The whole app — routes, domain, outbox — runs inside one Durable Object.
 * Its database is the object's SQLite storage, the one place on Workers with interactive
 * transactions (README, "Deploy to Cloudflare Workers", for why not D1), or MySQL through Hyperdrive
 * when the deployment binds one. The stateless worker in front forwards each request to the object,
 * keeps the invocation open until the work acknowledged to a chat platform is done, and turns the
 * cron trigger into an outbox drain and an approval-timer run.
 */

/** One app, one database: every request of this deployment goes to the object of this name. */
const APP_OBJECT_NAME = 'approvals'
/** A cron run posts at most this many outbox batches, so one run stays short; the next minute continues. */
const MAX_BATCHES_PER_RUN = 10

export interface ScheduleRun {
  /** Outbox rows handled (posted, failed for retry, or dead-lettered). */
  outboxRows: number
  reminders: number
  timeouts: number
  /** Chat messages a platform had refused for a while, delivered now. */
  chatDeliveries: number
}

interface AppStub {
  fetch(request: Request): Promise<Response>
  settled(): Promise<void>
  runSchedule(): Promise<ScheduleRun>
}

export interface WorkerEnv {
  APP: { idFromName(name: string): unknown; get(id: unknown): AppStub }
  /** Bound when the data lives in MySQL/MariaDB (wrangler.toml [[hyperdrive]]); else in the object's SQLite storage. */
  HYPERDRIVE?: HyperdriveBinding
  /** Plain-text vars and secrets (wrangler.toml [vars], `wrangler secret put`): the same names as on Node. */
  [setting: string]: unknown
}

interface InvocationContext {
  waitUntil(promise: Promise<unknown>): void
}

/** The deployment's one ApprovalApp object. */
export const approvalAppOf = (env: WorkerEnv) => env.APP.get(env.APP.idFromName(APP_OBJECT_NAME))

/**
 * The mini-app's vendored browser files. On Node they are read from node_modules; here they are
 * bundled as text (wrangler.toml [[rules]]) and served at the same URLs by the stateless worker.
 */
const VENDOR_ASSETS: Record<string, { body: string; type: string }> = {
  '/miniapp/assets/uplot.js': { body: uplotScript, type: 'text/javascript; charset=utf-8' },
  '/miniapp/assets/uplot.css': { body: uplotStyles, type: 'text/css; charset=utf-8' },
}

function vendorAsset(request: Request): Response | undefined {
  const url = new URL(request.url)
  const asset = request.method === 'GET' ? VENDOR_ASSETS[url.pathname] : undefined
  if (!asset) return undefined
  // Pages link them with ?v=<version>, which makes long caching safe, as on Node.
  const cache = url.searchParams.has('v') ? 'public, max-age=31536000, immutable' : 'no-cache'
  return new Response(asset.body, { headers: { 'content-type': asset.type, 'cache-control': cache } })
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: InvocationContext): Promise<Response> {
    const asset = vendorAsset(request)
    if (asset) return asset
    const app = approvalAppOf(env)
    const response = await app.fetch(request)
    // A chat line is acknowledged before it is handled, and a tapped card is updated after the
    // answer: keep this invocation (and with it the object) alive until that work is done.
    if (request.method !== 'GET' && request.method !== 'HEAD') ctx.waitUntil(app.settled())
    return response
  },

  async scheduled(_controller: unknown, env: WorkerEnv, ctx: InvocationContext): Promise<void> {
    ctx.waitUntil(
      approvalAppOf(env)
        .runSchedule()
        .then((run) => {
          if (run.outboxRows + run.reminders + run.timeouts + run.chatDeliveries > 0) {
            log(`cron: ${run.outboxRows} outbox rows, ${run.reminders} reminders, ${run.timeouts} timeouts, ${run.chatDeliveries} delayed chat messages delivered`)
          }
        }),
    )
  },
}

export interface Running {
  system: System
  fetch(request: Request): Response | Promise<Response>
  /** Resolves once the chat platforms have finished what they acknowledged. */
  idle(): Promise<void>
  /** What the maintenance job keeps (RETENTION_*), enforced from the cron. */
  retention: RetentionPolicy
}

/** The app with its database: one instance per deployment, addressed by APP_OBJECT_NAME. */
export class ApprovalApp extends DurableObject<WorkerEnv> {
  private readonly startup: AppStartup<Running>

  constructor(ctx: ConstructorParameters<typeof DurableObject<WorkerEnv>>[0], env: WorkerEnv) {
    super(ctx, env)
    this.startup = new AppStartup(
      async () => {
        const database = await databaseOf(ctx, env)
        return startWorkersApp(database, settingsOf(env)).catch(async (error: unknown) => {
          await database.close().catch(() => undefined)
          throw error
        })
      },
      (work) => ctx.blockConcurrencyWhile(work),
    )
    // Migrations and composition finish before the first request is let in.
    void this.startup.begin()
  }

  async fetch(request: Request): Promise<Response> {
    const running = await this.startup.running()
    if (!running) return Response.json({ ok: false, code: 'NOT_STARTED', message: this.startup.problem }, { status: 503 })
    return running.fetch(request)
  }

  /** Resolves once the chat platforms have finished what they acknowledged. */
  async settled(): Promise<void> {
    await (await this.startup.running())?.idle()
  }

  /** The cron's work: drain the outbox into the ERP, fire due approval timers, enforce retention. */
  async runSchedule(): Promise<ScheduleRun> {
    const running = await this.startup.running()
    if (!running) throw new Error(this.startup.problem)
    const { system } = running
    let outboxRows = 0
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
      const handled = await system.outbox.drainOnce()
      if (handled === 0) break
      outboxRows += handled
    }
    const timers = await runApprovalTimers(system.services)
    // Messages Feishu/DingTalk refused for now (429, 5xx) wait in the database; each run sends what is due.
    const chat = await system.deliveries.drain(MAX_BATCHES_PER_RUN)
    await runMaintenance({ db: system.services.db, retention: running.retention, now: system.services.now, log, metrics: system.metrics })
    await this.settled()
    return { outboxRows, reminders: timers.reminders.length, timeouts: timers.timeouts.length, chatDeliveries: chat.delivered }
  }
}

/**
 * MySQL through Hyperdrive when the deployment binds one, else the object's own storage. The object
 * hosts the app either way: its requests share one I/O context, so the connection pool outlives a request.
 */
async function databaseOf(ctx: DurableObjectState, env: WorkerEnv): Promise<DbHandle> {
  if (!env.HYPERDRIVE) return connectDurableSqlite(ctx.storage)
  // Loaded only here, so a deployment on the object's storage never evaluates mysql2.
  const { connectHyperdrive } = await import('../db/connect-hyperdrive.js')
  return connectHyperdrive(env.HYPERDRIVE)
}

/** String settings only: bindings (the object namespace) are not configuration. */
function settingsOf(env: WorkerEnv): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'))
}

/** Config → migrations → (demo seed) → the composed app, on the object's database. */
export async function startWorkersApp(database: DbHandle, settings: Record<string, string | undefined>): Promise<Running> {
  const config = loadConfig(settings)
  // There is no disk to generate a key onto, so it must be configured.
  if (!config.APP_SECRET_KEY) throw new ConfigError('配置错误 / invalid configuration:\n  APP_SECRET_KEY: Workers 上必须设置（wrangler secret put APP_SECRET_KEY）/ required on Workers (wrangler secret put APP_SECRET_KEY)')
  const chat = workersChat(config, settings, database)
  await migrateToLatest(database.db)
  if (config.devMode && (await seedDemoOrg(database.db))) log('seeded the demo organisation (demo org)')
  const metrics = new AppMetrics()
  const limits = new RateLimits(rateLimitsOf(config))
  const system = await composeSystem({
    database,
    erpSecrets: await SecretBox.fromKey(await deriveKey(config.APP_SECRET_KEY, 'erp-secrets')),
    parser: createServerParser(settings, { metrics, limits, log }),
    summariser: summariserFromEnv(settings),
    integrations: chat.integrations,
    // No disk here: files sent to the bot need object storage (R2 through its S3 API); without it they are declined politely.
    attachments: s3SettingsFrom(config) ? new S3Store(s3SettingsFrom(config)!) : undefined,
    log,
    metrics,
    limits,
  })
  const app = createApp(system, { devMode: config.devMode, log, secretKey: config.APP_SECRET_KEY, metricsToken: config.METRICS_TOKEN, backupToken: config.BACKUP_TOKEN })
  log(`started on Workers (database: ${database.describe}; chat: ${chat.integrations.map((i) => i.platform.name).join(', ') || 'simulator'})`)
  return { system, fetch: (request) => app.fetch(request), idle: chat.idle, retention: retentionOf(config) }
}

/** The configured chat platforms, HTTP callbacks only: long connections need a process that stays up. */
function workersChat(config: AppConfig, settings: Record<string, string | undefined>, database: DbHandle): { integrations: ChatIntegration[]; idle(): Promise<void> } {
  const problems: string[] = []
  const integrations: (ChatIntegration & { idle(): Promise<void> })[] = []
  if (config.feishuEnabled) {
    const problem = config.FEISHU_MODE === 'ws' ? '  FEISHU_MODE: Workers 上只能用 http（事件回调）/ only http (event callbacks) on Workers' : feishuConfigProblem(config)
    if (problem) problems.push(problem)
    else {
      const feishu = feishuSettingsFrom(config)
      const api = new FeishuFetchApi({ appId: feishu.appId, appSecret: feishu.appSecret, baseUrl: feishu.baseUrl, log })
      integrations.push(assembleFeishuIntegration(feishu, database.db, log, api))
    }
  }
  if (config.dingtalkEnabled) {
    const problem = config.DINGTALK_MODE === 'stream' ? '  DINGTALK_MODE: Workers 上只能用 http（HTTP 回调）/ only http (HTTP callbacks) on Workers' : dingtalkConfigProblem(config)
    if (problem) problems.push(problem)
    else integrations.push(createDingtalkIntegration(config, database, log, { cardTemplateId: settings.DINGTALK_CARD_TEMPLATE_ID || undefined }))
  }
  if (problems.length > 0) throw new ConfigError(`配置错误 / invalid configuration:\n${problems.join('\n')}`)
  return { integrations, idle: async () => void (await Promise.all(integrations.map((integration) => integration.idle()))) }
}
