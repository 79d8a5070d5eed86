import { Kysely, MysqlDialect } from 'kysely'
import { createPool, type PoolOptions } from 'mysql2'
import type { DbHandle } from './connect.js'
import type { Schema } from './schema.js'

/** Where the database is: a `mysql://` URL (DATABASE_URL on Node) or its parts (a Hyperdrive binding on Workers). */
export type MysqlTarget = { uri: string } | { host: string; port: number; user: string; password: string; database: string }

/** What differs between the runtimes; everything that shapes the data is the same on both. */
export interface MysqlPoolSizing {
  connectionLimit: number
  /** Idle connections kept open; the rest close after `idleTimeout` ms. */
  maxIdle?: number
  idleTimeout?: number
  /** Parse rows without generated code: workerd refuses `new Function`. */
  disableEval?: boolean
}

/** MySQL/MariaDB through mysql2, with the value conversions the queries rely on. */
export function connectMysql(target: MysqlTarget, sizing: MysqlPoolSizing): DbHandle {
  const pool = createPool({
    ...target,
    ...sizing,
    charset: 'utf8mb4',
    timezone: 'Z',
    // SUM()/COUNT() come back as DECIMAL/BIGINT; amounts are integer fen and fit in a double exactly.
    decimalNumbers: true,
    supportBigNumbers: true,
    bigNumberStrings: false,
  } satisfies PoolOptions)
  const db = new Kysely<Schema>({ dialect: new MysqlDialect({ pool }) })
  return { db, dialect: 'mysql', describe: describeTarget(target), close: () => db.destroy() }
}

/** Host and database, never credentials. */
function describeTarget(target: MysqlTarget): string {
  if ('uri' in target) {
    const parsed = new URL(target.uri)
    return `mysql://${parsed.host}${parsed.pathname}`
  }
  return `mysql://${target.host}:${target.port}/${target.database}`
}
