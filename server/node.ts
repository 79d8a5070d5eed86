import { serve } from '@hono/node-server'
import { createParserFromEnv } from '../bot/nlu/parser-from-env.js'
import { connectDatabase } from '../db/connect.js'
import { migrateToLatest } from '../db/migrate.js'
import { seedDemoOrg } from '../db/seeds/demo-org.js'
import { SecretBox } from '../erp-bridge/connections/secret-box.js'
import { createApp } from './app.js'
import { attachmentsDirFor, LocalDiskStore } from '../receipts/local-disk-store.js'
import { PdfjsTextReader } from '../receipts/pdfjs-text-reader.js'
import { composeSystem } from './compose.js'
import { ConfigError, loadConfig } from './config.js'
import { createIntegrations } from './integrations.js'
import { log } from './log.js'
import { deriveKey, loadOrCreateSecretKey } from './secret-key.js'

/** Node entry: HTTP server, outbox worker and (when configured) the platforms' stream clients. */
async function main(): Promise<void> {
  const startedAt = performance.now()
  const config = loadConfig(process.env)
  const database = connectDatabase(config.DATABASE_URL)
  await migrateToLatest(database.db)
  if (config.devMode && (await seedDemoOrg(database.db))) log('seeded the demo organisation (demo org)')
  const secretKey = await loadOrCreateSecretKey(config.APP_SECRET_KEY)

  const system = await composeSystem({
    database,
    // ERP passwords and signing keys in erp_connections are sealed with a key derived from APP_SECRET_KEY.
    erpSecrets: await SecretBox.fromKey(await deriveKey(secretKey, 'erp-secrets')),
    parser: createParserFromEnv(process.env, log),
    outboxPollMs: config.OUTBOX_POLL_MS,
    attachments: new LocalDiskStore(attachmentsDirFor(config.DATABASE_URL)),
    pdfText: new PdfjsTextReader(),
    integrations: createIntegrations(config, database, log),
    log,
  })
  const app = createApp(system, { devMode: config.devMode, log, secretKey })
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST })
  if (config.OUTBOX_WORKER !== false) system.outbox.start()
  for (const integration of system.integrations) {
    await integration.start?.(system.conversation)
    log(`chat platform enabled: ${integration.platform.name}`)
  }

  const base = `http://${config.HOST}:${config.PORT}`
  log(`database: ${database.describe}`)
  log(`listening on ${base} (started in ${Math.round(performance.now() - startedAt)} ms)`)
  if (config.devMode) log(`chat simulator: ${base}/dev`)
  log(`admin mini-app: ${base}/miniapp`)

  const shutdown = async (signal: string) => {
    log(`${signal}: shutting down`)
    server.close()
    await system.outbox.stop()
    await Promise.all(system.integrations.map((i) => i.stop?.()))
    await database.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
})
