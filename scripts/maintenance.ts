import { connectDatabase } from '../db/connect.js'
import { consoleJsonLog } from '../ops/logging/log.js'
import { runMaintenance } from '../ops/maintenance.js'
import { ConfigError, loadConfig, retentionOf } from '../server/config.js'

/**
 * `npm run maintenance`: one pass of the job the server runs every MAINTENANCE_INTERVAL_MS
 * (retention), for a system cron or before a backup. Prints what was removed.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env)
  const database = connectDatabase(config.DATABASE_URL)
  try {
    const retention = retentionOf(config)
    console.log(`保留策略 / retention: audit ${retention.auditDays} d, inbound event ids ${retention.inboundEventDays} d, conversations ${retention.conversationDays} d (${database.describe})`)
    await runMaintenance({ db: database.db, retention, now: Date.now, log: consoleJsonLog() })
  } finally {
    await database.close()
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `维护失败 / maintenance failed: ${String(error)}`)
  process.exit(1)
})
