import { Migrator, sql, type Kysely } from 'kysely'
import { describe, expect, it } from 'vitest'
import { MIGRATIONS, migrateTo, migrateToLatest, pendingMigrations, TABLES_FILLED_BY_MIGRATIONS } from '../../db/migrate.js'
import { DB_KINDS, freshDatabase, unmigratedDatabase } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'
import { breakingChanges, schemaOf } from './schema-diff.js'

/** Forward-only migrations that an older instance still serving can live with (README, "Upgrade"). */
describe.each(DB_KINDS)('migrations on %s', (kind) => {
  it('each migration is additive: nothing an older release reads is dropped, renamed, retyped or made required', async () => {
    const database = await unmigratedDatabase(kind)
    try {
      let before = await schemaOf(database.db)
      for (const name of Object.keys(MIGRATIONS).sort()) {
        await migrateTo(database.db, name)
        const after = await schemaOf(database.db)
        expect.soft(breakingChanges(before, after), name).toEqual([])
        expect(after.size, `${name} ran`).toBeGreaterThanOrEqual(before.size)
        before = after
      }
      expect(await pendingMigrations(database.db)).toEqual([])
      // A restore (ops/backup) replaces exactly these tables' rows; any other filled table would make it refuse.
      const filled: string[] = []
      for (const table of before.keys()) if ((await (database.db as Kysely<any>).selectFrom(table).selectAll().execute()).length > 0) filled.push(table)
      expect(filled.sort()).toEqual([...TABLES_FILLED_BY_MIGRATIONS].sort())
    } finally {
      await database.close()
    }
  })

  it('the additivity check catches a rename and a drop (what a careless next migration would do)', async () => {
    const database = await freshDatabase(kind)
    try {
      const before = await schemaOf(database.db)
      await database.db.schema.alterTable('app_settings').renameColumn('updated_by', 'changed_by').execute()
      await database.db.schema.dropTable('attachments').execute()
      expect(breakingChanges(before, await schemaOf(database.db)).sort()).toEqual(['app_settings.updated_by: column dropped or renamed', 'attachments: table dropped or renamed'])
    } finally {
      await database.close()
    }
  })

  it('this release starts on a database a newer release has migrated, and serves on it', async () => {
    const database = await freshDatabase(kind)
    try {
      // What the next release's additive migration would do, run by its own migrator.
      const next = {
        '9000-from-the-next-release': {
          up: async (db: typeof database.db) => {
            await db.schema.alterTable('requests').addColumn('next_release_note', 'varchar(200)').execute()
            await db.schema.createTable('next_release_things').addColumn('id', 'varchar(36)', (c) => c.primaryKey()).execute()
          },
        },
      }
      const { error } = await new Migrator({ db: database.db, provider: { getMigrations: async () => ({ ...MIGRATIONS, ...next }) }, allowUnorderedMigrations: true }).migrateToLatest()
      expect(error).toBeUndefined()

      // This release restarting (or rolled back) on it: Kysely alone refuses ("previously executed migration … is missing").
      await migrateToLatest(database.db)
      expect(await pendingMigrations(database.db)).toEqual([])
      const t = await TestSystem.start(kind, { database })
      const zhangsan = await t.user('张三')
      const requestNo = await t.submitExpense(zhangsan.id, '提交本月差旅费 800元')
      for (const approver of ['李四', '孙八']) {
        const { id } = await t.user(approver)
        expect((await t.tap((await t.actionableCard(id, requestNo)).id, 'approve', id)).status).toBe(200)
      }
      await t.system.outbox.drainOnce()
      expect((await t.vouchers()).map((v) => v.requestNo)).toEqual([requestNo])
      expect((await sql<{ n: number }>`select count(*) as n from requests where next_release_note is null`.execute(database.db)).rows[0]?.n).toEqual(1)
      expect((await t.app.request('/readyz')).status).toBe(200)
      await t.system.outbox.stop()
    } finally {
      await database.close()
    }
  })
})
