import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely'
import * as initial from './migrations/0001-initial.js'
import * as approvalEngine from './migrations/0002-approval-engine.js'
import * as erpBridge from './migrations/0003-erp-bridge.js'
import * as inboxIndexes from './migrations/0005-inbox-indexes.js'
import * as receipts from './migrations/0006-receipts.js'

/**
 * Static list (no filesystem scan) so the same migrations run on Node and on Workers. Parallel work
 * adds migrations side by side, hence unordered migrations are allowed.
 */
const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-approval-engine': approvalEngine,
  '0003-erp-bridge': erpBridge,
  '0005-inbox-indexes': inboxIndexes,
  '0006-receipts': receipts,
}

const provider: MigrationProvider = { getMigrations: async () => migrations }

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider, allowUnorderedMigrations: true }).migrateToLatest()
  const failed = results?.find((r) => r.status === 'Error')
  if (error || failed) {
    throw new Error(`数据库迁移失败 / migration failed: ${failed?.migrationName ?? ''} ${String(error)}`)
  }
}

/** Names of migrations this code knows but the database has not run (an upgrade in progress). */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const all = await new Migrator({ db, provider, allowUnorderedMigrations: true }).getMigrations()
  return all.filter((m) => !m.executedAt).map((m) => m.name)
}
