import { createConnection } from 'mysql2/promise'
import { connectDatabase, type DbHandle } from '../../db/connect.js'
import { migrateToLatest } from '../../db/migrate.js'

/** MariaDB from .ci/run (TEST_MYSQL_URL), or this machine's local server. */
export const MYSQL_BASE_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test'

export type TestDbKind = 'sqlite' | 'mysql'

/** Every DB-touching test runs against both: `describe.each(DB_KINDS)`. */
export const DB_KINDS: TestDbKind[] = ['sqlite', 'mysql']

/**
 * A fresh, migrated, empty database: an in-memory SQLite, or a new MariaDB schema that is
 * dropped on close, so test files can run in parallel without seeing each other's rows.
 */
export async function freshDatabase(kind: TestDbKind): Promise<DbHandle> {
  const handle = await unmigratedDatabase(kind)
  await migrateToLatest(handle.db)
  return handle
}

/**
 * A new database without any migration run, and the URL another process can open it with: SQLite
 * at `sqliteUrl` (in memory unless given), or a new MariaDB schema dropped on close.
 */
export async function unmigratedDatabase(kind: TestDbKind, sqliteUrl = 'sqlite::memory:'): Promise<DbHandle & { url: string }> {
  if (kind === 'sqlite') return { ...connectDatabase(sqliteUrl), url: sqliteUrl }
  const base = new URL(MYSQL_BASE_URL)
  const name = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
  const admin = await createConnection({ host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) })
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  await admin.end()
  const url = new URL(MYSQL_BASE_URL)
  url.pathname = `/${name}`
  const handle = connectDatabase(url.toString())
  return {
    ...handle,
    url: url.toString(),
    close: async () => {
      await handle.close()
      const dropper = await createConnection({ host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) })
      await dropper.query(`DROP DATABASE IF EXISTS \`${name}\``)
      await dropper.end()
    },
  }
}
