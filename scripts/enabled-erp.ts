import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import Database from 'libsql'
import { createConnection } from 'mysql2/promise'
import { parseDatabaseUrl } from '../db/connect.js'
import { ADAPTER_KINDS } from '../erp-bridge/connections/adapter-kinds.js'

/** How long `config:check` waits for MySQL before saying it cannot tell. */
const CONNECT_TIMEOUT_MS = 5_000

interface ConnectionRow {
  name: string
  adapter: string
  settings: string
  active: number | string
  last_tested_at: number | string | null
  last_test_ok: number | string | null
}

const COLUMNS = 'name, adapter, settings, active, last_tested_at, last_test_ok'
const LEDGER = 'built-in ledger (内置账簿)'
const WHERE_THEY_LIVE = 'ERP connections are kept in the database (管理后台 → ERP)'

/**
 * Which ERP postings go to, for `npm run config:check`. Unlike everything else it prints, this is
 * not in the environment: the admin connects the ERP in the mini-app and the connection is a row
 * of erp_connections. Read read-only (SQLite opened with mode=ro, MySQL in a READ ONLY
 * transaction; secrets are never opened), and when the database cannot be read, said so.
 */
export async function describeEnabledErp(databaseUrl: string | undefined): Promise<string> {
  const target = parseDatabaseUrl(databaseUrl)
  let rows: ConnectionRow[] | 'no-table'
  try {
    if (target.kind === 'mysql') rows = await mysqlRows(target.uri)
    else {
      if (target.path === ':memory:') return `unknown: an in-memory database has no ERP connection until the app runs (${LEDGER} until one is connected)`
      const path = resolve(target.path)
      if (!existsSync(path)) return `unknown: no database at ${path} yet (created on first start); postings go to the ${LEDGER} until an admin connects an ERP in 管理后台 → ERP`
      rows = sqliteRows(path)
    }
  } catch (error) {
    return `unknown: database not reachable (${reason(error)}); ${WHERE_THEY_LIVE}, so this check cannot tell which is enabled`
  }
  if (rows === 'no-table') return `unknown: the database is not set up yet (run npm start once); postings go to the ${LEDGER} until an admin connects an ERP in 管理后台 → ERP`
  const active = rows.find((row) => Number(row.active) === 1)
  const others = rows.length - (active ? 1 : 0)
  const configured = others > 0 ? `; ${others} other connection(s) configured, not active` : ''
  if (!active) return `${LEDGER}: no ERP connection is active in the database${configured}`
  const label = Object.hasOwn(ADAPTER_KINDS, active.adapter) ? ADAPTER_KINDS[active.adapter]!.label : active.adapter
  const where = hostOf(active.settings)
  const tested = active.last_tested_at == null ? 'never tested' : `last test ${Number(active.last_test_ok) === 1 ? 'ok' : 'failed'} ${new Date(Number(active.last_tested_at)).toISOString()}`
  return `${active.adapter} "${active.name}" (${label})${where ? ` at ${where}` : ''}, the active connection in the database; ${tested}${configured}`
}

function sqliteRows(path: string): ConnectionRow[] | 'no-table' {
  // mode=ro: nothing is created or written, and a missing file is an error rather than a new database.
  const database = new Database(`file:${encodeURI(path)}?mode=ro`)
  try {
    const table = database.prepare("select name from sqlite_master where type = 'table' and name = 'erp_connections'").all()
    if (table.length === 0) return 'no-table'
    return database.prepare(`select ${COLUMNS} from erp_connections order by created_at`).all() as ConnectionRow[]
  } finally {
    database.close()
  }
}

async function mysqlRows(uri: string): Promise<ConnectionRow[] | 'no-table'> {
  const connection = await createConnection({ uri, connectTimeout: CONNECT_TIMEOUT_MS })
  try {
    await connection.query('START TRANSACTION READ ONLY')
    const [rows] = await connection.query(`select ${COLUMNS} from erp_connections order by created_at`)
    await connection.query('ROLLBACK')
    return rows as ConnectionRow[]
  } catch (error) {
    if ((error as { code?: string }).code === 'ER_NO_SUCH_TABLE') return 'no-table'
    throw error
  } finally {
    await connection.end().catch(() => undefined)
  }
}

/** Where the ERP is (scheme, host and port only: a path or query could carry a token). */
function hostOf(settings: string): string | undefined {
  try {
    const parsed = JSON.parse(settings) as Record<string, unknown>
    const url = [parsed.url, parsed.discoveryUrl].find((value): value is string => typeof value === 'string')
    return url ? new URL(url).origin : undefined
  } catch {
    return undefined
  }
}

/** The driver's code and message, without the URL (it may hold the password). */
function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code
  const message = error instanceof Error ? error.message : String(error)
  const text = typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message
  return text.replace(/\/\/[^@/\s]*@/g, '//***@')
}
