import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createConnection } from 'mysql2/promise'
import { connectDatabase, type DbHandle } from '../../db/connect.js'
import { migrateToLatest } from '../../db/migrate.js'
import { MYSQL_BASE_URL, type TestDbKind } from '../helpers/databases.js'

/**
 * A migrated database that other processes can open too: a SQLite file in a temp directory, or
 * a new MariaDB schema. `url` is what a child process gets as DATABASE_URL.
 */
export interface ScratchDatabase {
  url: string
  handle: DbHandle
  /** Another pool on the same database, as a second worker process would have. */
  connect(): DbHandle
  drop(): Promise<void>
}

export async function scratchDatabase(kind: TestDbKind): Promise<ScratchDatabase> {
  if (kind === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'erp-outbox-'))
    const url = `sqlite:${join(dir, 'app.db')}`
    const handle = connectDatabase(url)
    await migrateToLatest(handle.db)
    return { url, handle, connect: () => connectDatabase(url), drop: async () => {
      await handle.close()
      await rm(dir, { recursive: true, force: true })
    } }
  }
  const base = new URL(MYSQL_BASE_URL)
  const name = `t_erp_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
  const server = { host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) }
  const admin = await createConnection(server)
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  await admin.end()
  const url = new URL(MYSQL_BASE_URL)
  url.pathname = `/${name}`
  const handle = connectDatabase(url.toString())
  await migrateToLatest(handle.db)
  return {
    url: url.toString(),
    handle,
    connect: () => connectDatabase(url.toString()),
    drop: async () => {
      await handle.close()
      const dropper = await createConnection(server)
      await dropper.query(`DROP DATABASE IF EXISTS \`${name}\``)
      await dropper.end()
    },
  }
}
