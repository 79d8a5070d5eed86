import type { Server } from 'node:http'
import { serve } from '@hono/node-server'
import { runApprovalTimers } from '../bot/conversation/request-effects.js'
import { connectDatabase } from '../db/connect.js'
import { migrateToLatest } from '../db/migrate.js'
import { seedDemoOrg } from '../db/seeds/demo-org.js'
import { SecretBox } from '../erp-bridge/connections/secret-box.js'
import { runMaintenance } from '../ops/maintenance.js'
import { AppMetrics } from '../ops/metrics/app-metrics.js'
import { RateLimits } from '../ops/rate-limit.js'
import { createApp } from './app.js'
import { attachmentsDirFor, LocalDiskStore } from '../receipts/local-disk-store.js'
import { PdfjsTextReader } from '../receipts/pdfjs-text-reader.js'
import { S3Store, s3SettingsFrom } from '../receipts/s3-store.js'
import { composeSystem } from './compose.js'
import { ConfigError, loadConfig, rateLimitsOf, retentionOf } from './config.js'
import { createIntegrations } from './integrations.js'
import { Lifecycle } from './lifecycle.js'
import { createNodeLog } from './node-log.js'
import { installDefaultFetchTimeout } from './outbound-timeout.js'
import { summariserFromEnv } from '../bot/summaries/llm-summariser.js'
import { createServerParser } from './parser.js'
import { Periodic } from './periodic.js'
import { deriveKey, loadOrCreateSecretKey } from './secret-key.js'
import { shutDown } from './shutdown.js'

/** Approval reminders and timeouts are due to the minute, like the Workers cron. */
const APPROVAL_TIMERS_MS = 60_000
/** Chat messages a platform refused for now are looked at this often (each has its own back-off). */
const CHAT_DELIVERIES_MS = 10_000

/** Node entry: HTTP server, outbox worker, periodic jobs and (when configured) the platforms' stream clients. */
async function main(): Promise<void> {
  const startedAt = performance.now()
  const config = loadConfig(process.env)
  const log = createNodeLog({ level: config.LOG_LEVEL })
  installDefaultFetchTimeout(config.OUTBOUND_TIMEOUT_MS)
  const database = connectDatabase(config.DATABASE_URL, { checkpoint: {} })
  await migrateToLatest(database.db)
  if (config.devMode && (await seedDemoOrg(database.db))) log('seeded the demo organisation (demo org)')
  const secretKey = await loadOrCreateSecretKey(config.APP_SECRET_KEY)

  const metrics = new AppMetrics()
  const limits = new RateLimits(rateLimitsOf(config))
  const system = await composeSystem({
    database,
    // ERP passwords and signing keys in erp_connections are sealed with a key derived from APP_SECRET_KEY.
    erpSecrets: await SecretBox.fromKey(await deriveKey(secretKey, 'erp-secrets')),
    parser: createServerParser(process.env, { metrics, limits, log }),
    summariser: summariserFromEnv(process.env),
    outboxPollMs: config.OUTBOX_POLL_MS,
    attachments: s3SettingsFrom(config) ? new S3Store(s3SettingsFrom(config)!) : new LocalDiskStore(attachmentsDirFor(config.DATABASE_URL)),
    pdfText: new PdfjsTextReader(),
    integrations: createIntegrations(config, database, log),
    log,
    metrics,
    limits,
  })
  const lifecycle = new Lifecycle()
  const app = createApp(system, { devMode: config.devMode, log, secretKey, metricsToken: config.METRICS_TOKEN, backupToken: config.BACKUP_TOKEN, lifecycle })
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }) as Server
  if (config.OUTBOX_WORKER !== false) system.outbox.start()
  const jobs = [
    new Periodic('maintenance', config.MAINTENANCE_INTERVAL_MS, () => runMaintenance({ db: database.db, retention: retentionOf(config), now: system.services.now, log, metrics }), log),
    new Periodic('approval timers', APPROVAL_TIMERS_MS, () => runApprovalTimers(system.services), log),
    new Periodic('chat deliveries', CHAT_DELIVERIES_MS, () => system.deliveries.drain(), log),
  ]
  for (const job of jobs) job.start()
  for (const integration of system.integrations) {
    await integration.start?.(system.conversation)
    log(`chat platform enabled: ${integration.platform.name}`)
  }

  const base = `http://${config.HOST}:${config.PORT}`
  log(`database: ${database.describe}`)
  log(`listening on ${base} (started in ${Math.round(performance.now() - startedAt)} ms)`)
  if (config.devMode) log(`chat simulator: ${base}/dev`)
  log(`admin mini-app: ${base}/miniapp`)

  let stopping: Promise<void> | undefined
  const stop = (signal: string) => {
    stopping ??= shutDown({ lifecycle, server, system, jobs, database, log, timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, signal).then(
      (clean) => process.exit(clean ? 0 : 1),
      (error: unknown) => {
        log(`shutdown failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, { level: 'error' })
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
})
