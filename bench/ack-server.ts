/**
 * The app as server/node.ts composes it (config from the environment, pino logs on stdout,
 * metrics, rate limits, drain gate, chat integrations, receipts), served by @hono/node-server in
 * its own process, with one extra route beside it on the same server: a bare Hono hello-world,
 * the baseline the ack path is measured against. No outbox worker or periodic jobs: nothing to
 * post, and their timers would only add noise. Keep in step with server/node.ts.
 *
 * Talks to the bench over IPC: `ready` with the URL, then answers `memory` (RSS now and the peak
 * since the last question), `busy` (milliseconds the event loop has worked since start),
 * `inbound-events` (rows recorded) and `idle` (background work done).
 */
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { connectDatabase } from '../db/connect.js'
import { migrateToLatest } from '../db/migrate.js'
import { seedDemoOrg } from '../db/seeds/demo-org.js'
import { AppMetrics } from '../ops/metrics/app-metrics.js'
import { RateLimits } from '../ops/rate-limit.js'
import { attachmentsDirFor, LocalDiskStore } from '../receipts/local-disk-store.js'
import { PdfjsTextReader } from '../receipts/pdfjs-text-reader.js'
import { createApp } from '../server/app.js'
import { composeSystem } from '../server/compose.js'
import { loadConfig, rateLimitsOf } from '../server/config.js'
import { createIntegrations } from '../server/integrations.js'
import { Lifecycle } from '../server/lifecycle.js'
import { createNodeLog } from '../server/node-log.js'
import { createServerParser } from '../server/parser.js'

/** Where the baseline answers (the bench chooses, so neither file imports the other). */
const BARE_ROUTE = process.env.BENCH_BARE_ROUTE ?? '/bench/hello'

const config = loadConfig(process.env)
const log = createNodeLog({ level: config.LOG_LEVEL })
const database = connectDatabase(config.DATABASE_URL, { checkpoint: {} })
await migrateToLatest(database.db)
await seedDemoOrg(database.db)
const metrics = new AppMetrics()
const limits = new RateLimits(rateLimitsOf(config))
const system = await composeSystem({
  database,
  parser: createServerParser(process.env, { metrics, limits, log }),
  attachments: new LocalDiskStore(attachmentsDirFor(config.DATABASE_URL)),
  pdfText: new PdfjsTextReader(),
  integrations: createIntegrations(config, database, log),
  log,
  metrics,
  limits,
})
const app = createApp(system, { devMode: config.devMode, log, secretKey: 'bench-secret-key-bench-secret-key-0123', lifecycle: new Lifecycle() })
const bare = new Hono().post(BARE_ROUTE, (c) => c.text('Hello Hono!'))

const server = serve({ fetch: (request) => (request.url.endsWith(BARE_ROUTE) ? bare.fetch(request) : app.fetch(request)), port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
  process.send!({ ready: `http://127.0.0.1:${info.port}` }),
)

let peak = 0
setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 250).unref()

process.on('message', async (message: string) => {
  if (message === 'memory') {
    const rss = process.memoryUsage.rss()
    process.send!({ memory: { rss, peak: Math.max(peak, rss) } })
    peak = 0
  } else if (message === 'busy') {
    process.send!({ busy: performance.eventLoopUtilization().active })
  } else if (message === 'inbound-events') {
    const row = await database.db.selectFrom('inbound_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    process.send!({ inboundEvents: Number(row.n) })
  } else if (message === 'idle') {
    await Promise.all(system.integrations.map((i) => (i as { idle?: () => Promise<void> }).idle?.()))
    process.send!({ idle: true })
  }
})
process.on('disconnect', () => {
  server.close()
  void database.close().then(() => process.exit(0))
})
