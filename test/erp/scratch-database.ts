import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectDatabase, type DbHandle } from '../../db/connect.js'
import { migrateToLatest } from '../../db/migrate.js'
import { unmigratedDatabase, type TestDbKind } from '../helpers/databases.js'

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
  const dir = kind === 'sqlite' ? await mkdtemp(join(tmpdir(), 'erp-outbox-')) : null
  const handle = await unmigratedDatabase(kind, dir ? `sqlite:${join(dir, 'app.db')}` : undefined)
  await migrateToLatest(handle.db)
  return {
    url: handle.url,
    handle,
    connect: () => connectDatabase(handle.url),
    // Closing the handle drops a MariaDB schema; a SQLite file goes with its directory.
    drop: async () => {
      await handle.close()
      if (dir) await rm(dir, { recursive: true, force: true })
    },
  }
}
