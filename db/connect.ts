import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { Kysely, SqliteDialect } from 'kysely'
import Database from 'libsql'
import { connectMysql } from './connect-mysql.js'
import type { Schema } from './schema.js'
import { startCheckpointer, type CheckpointOptions } from './sqlite-checkpointer.js'

export type SqlDialectName = 'mysql' | 'sqlite'

export interface DbHandle {
  db: Kysely<Schema>
  dialect: SqlDialectName
  /** Human description for logs, without credentials. */
  describe: string
  close(): Promise<void>
}

export const DEFAULT_EMBEDDED_PATH = './data/app.db'

/**
 * `mysql://user:pass@host:port/db` → MySQL/MariaDB through mysql2;
 * `sqlite:<path>` (or nothing) → the embedded SQLite file, `sqlite::memory:` for a throwaway one.
 * The embedded driver is libsql: better-sqlite3's API with its binary inside the npm package,
 * so a fresh `npm ci` takes seconds instead of a minute-long native build.
 */
/** `checkpoint`: the embedded DB's WAL is checkpointed from a worker thread (db/sqlite-checkpointer.ts), for servers. */
export function connectDatabase(url: string | undefined, options: { checkpoint?: CheckpointOptions } = {}): DbHandle {
  const target = parseDatabaseUrl(url)
  return target.kind === 'mysql' ? connectMysql({ uri: target.uri }, { connectionLimit: 20 }) : connectSqlite(target.path, target.synchronous, options.checkpoint)
}

/** What DATABASE_URL names, without opening it (config:check reads the same database read-only). */
export function parseDatabaseUrl(url: string | undefined): { kind: 'mysql'; uri: string } | { kind: 'sqlite'; path: string; synchronous: 'NORMAL' | 'FULL' } {
  if (url?.startsWith('mysql://') || url?.startsWith('mariadb://')) return { kind: 'mysql', uri: url.replace(/^mariadb:/, 'mysql:') }
  const [path, query = ''] = url ? url.replace(/^(sqlite|file):(\/\/)?/, '').split('?', 2) : []
  return { kind: 'sqlite', path: path || DEFAULT_EMBEDDED_PATH, synchronous: new URLSearchParams(query).get('synchronous')?.toLowerCase() === 'full' ? 'FULL' : 'NORMAL' }
}

const STATEMENT_CACHE_SIZE = 500

/**
 * Kysely prepares every query afresh; SQLite can run a prepared statement again and again. The
 * same few hundred statements serve the app (queries are built from the same shapes), so keeping
 * them saves the parse and plan on every call. Kysely runs one statement at a time on the
 * connection, so a cached statement is never in use twice at once.
 */
function withStatementCache(database: Database.Database): Database.Database {
  const cache = new Map<string, Database.Statement>()
  return new Proxy(database, {
    get(target, property, receiver) {
      if (property !== 'prepare') {
        const value = Reflect.get(target, property, receiver) as unknown
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
      }
      return (sql: string) => {
        let statement = cache.get(sql)
        if (statement) {
          cache.delete(sql)
        } else {
          statement = target.prepare(sql)
          if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!)
        }
        cache.set(sql, statement)
        return statement
      }
    },
  })
}

/**
 * synchronous: NORMAL (the default) is SQLite's recommendation for WAL: a commit survives the
 * process crashing or being killed, and only a power loss or kernel crash can roll back the last
 * few commits (never corrupt the file). FULL adds a disk flush to every commit, which with this
 * synchronous driver blocks the event loop for 1.5–2 ms each: it halved the callback ack path's
 * capacity (bench/callback-ack-bench.ts). `sqlite:<path>?synchronous=full` chooses it anyway.
 */
function connectSqlite(path: string, synchronous: 'NORMAL' | 'FULL', checkpoint: CheckpointOptions | undefined): DbHandle {
  const memory = path === ':memory:'
  if (!memory) mkdirSync(dirname(resolve(path)), { recursive: true })
  const database = new Database(memory ? ':memory:' : resolve(path))
  if (!memory) database.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous}; PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT}`)
  database.exec('PRAGMA busy_timeout = 5000')
  // Only a long-running server gains from the thread (its event loop never stalls on a checkpoint); a script or a test
  // database would start a second libsql for nothing.
  const checkpointer =
    memory || !checkpoint ? undefined : startCheckpointer(resolve(path), (on) => database.exec(`PRAGMA wal_autocheckpoint = ${on ? 1000 : 0}`), checkpoint)
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: withStatementCache(database) as never }) })
  return {
    db,
    dialect: 'sqlite',
    describe: memory ? 'sqlite (in memory)' : `sqlite:${resolve(path)}`,
    close: async () => {
      // The checkpoint thread goes first so that this connection is the file's last: closing, it checkpoints and removes the WAL.
      await checkpointer?.stop()
      await db.destroy()
    },
  }
}

/** A WAL that grew under load is cut back to this size when it starts over, instead of keeping its peak size. */
const WAL_SIZE_LIMIT = 64 * 1024 * 1024
