import { DEFAULT_MIGRATION_TABLE, Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely'
import * as initial from './migrations/0001-initial.js'
import * as approvalEngine from './migrations/0002-approval-engine.js'
import * as erpBridge from './migrations/0003-erp-bridge.js'
import * as inboxIndexes from './migrations/0005-inbox-indexes.js'
import * as receipts from './migrations/0006-receipts.js'
import * as requestSummaries from './migrations/0007-request-summaries.js'
import * as outboxTrace from './migrations/0008-outbox-trace.js'
import * as chatDeliveries from './migrations/0009-chat-deliveries.js'
import * as inboundEventsAge from './migrations/0010-inbound-events-age.js'

/**
 * Static list (no filesystem scan) so the same migrations run on Node and on Workers. Parallel work
 * adds migrations side by side, hence unordered migrations are allowed.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-approval-engine': approvalEngine,
  '0003-erp-bridge': erpBridge,
  '0005-inbox-indexes': inboxIndexes,
  '0006-receipts': receipts,
  '0007-request-summaries': requestSummaries,
  '0008-outbox-trace': outboxTrace,
  '0009-chat-deliveries': chatDeliveries,
  '0010-inbound-events-age': inboundEventsAge,
}

/** Tables a migration puts rows into (the audit chain's head); a restore replaces those rows with the dump's. */
export const TABLES_FILLED_BY_MIGRATIONS: readonly string[] = ['audit_chain']

/** Stands for a migration a newer release has already run here; being done, it never runs. */
const appliedByNewerRelease: Migration = {
  up: async () => {
    throw new Error('a newer release owns this migration; it was already applied')
  },
}

/**
 * The migrator for this database. A newer release may have migrated it already (a rolling upgrade,
 * or this code rolled back onto it): Kysely would refuse to start over migrations it does not know,
 * but they are additive (README, "Upgrade"), so this code runs on that schema and counts them as done.
 */
async function migratorFor(db: Kysely<any>): Promise<Migrator> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true })
  const executed = tables.some((t) => t.name === DEFAULT_MIGRATION_TABLE)
    ? (await db.selectFrom(DEFAULT_MIGRATION_TABLE).select('name').execute()).map((row: { name: string }) => row.name)
    : []
  const newer = executed.filter((name) => !(name in MIGRATIONS))
  const known = { ...MIGRATIONS, ...Object.fromEntries(newer.map((name) => [name, appliedByNewerRelease])) }
  return new Migrator({ db, provider: { getMigrations: async () => known }, allowUnorderedMigrations: true })
}

function throwIfFailed({ error, results }: MigrationResultSet): void {
  const failed = results?.find((r) => r.status === 'Error')
  if (error || failed) {
    throw new Error(`数据库迁移失败 / migration failed: ${failed?.migrationName ?? ''} ${String(error)}`)
  }
}

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  throwIfFailed(await (await migratorFor(db)).migrateToLatest())
}

/** Runs the migrations up to and including `name`, in name order (an older release's schema, for upgrade tests). */
export async function migrateTo(db: Kysely<any>, name: string): Promise<void> {
  if (!(name in MIGRATIONS)) throw new Error(`no migration named ${name}`)
  throwIfFailed(await (await migratorFor(db)).migrateTo(name))
}

/** Names of migrations this code knows but the database has not run (an upgrade in progress). */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const all = await new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, allowUnorderedMigrations: true }).getMigrations()
  return all.filter((m) => !m.executedAt).map((m) => m.name)
}
