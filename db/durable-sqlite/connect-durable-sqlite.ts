import { Kysely } from 'kysely'
import type { DbHandle } from '../connect.js'
import type { Schema } from '../schema.js'
import { DurableSqliteDialect } from './durable-sqlite-dialect.js'
import type { DurableStorage } from './durable-storage.js'

/** The app's database on Workers: the SQLite storage of the Durable Object that hosts the app. */
export function connectDurableSqlite(storage: DurableStorage): DbHandle {
  const db = new Kysely<Schema>({ dialect: new DurableSqliteDialect(storage) })
  return {
    db,
    // Same SQL dialect as the embedded database on Node: same migrations, same queries.
    dialect: 'sqlite',
    describe: 'sqlite (Durable Object storage)',
    close: () => db.destroy(),
  }
}
