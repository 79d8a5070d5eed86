import {
  CompiledQuery,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely'
import type { DurableStorage, SqlValue } from './durable-storage.js'

/**
 * Kysely on the SQLite database inside a Durable Object, with real interactive transactions.
 *
 * D1 cannot give us those (its API has single statements and all-or-nothing batches, and a batch
 * cannot branch on what an earlier statement returned), but the storage D1 is built on can:
 * `ctx.storage.transaction(closure)` keeps one SQLite transaction open across awaits, rolls it back
 * when the closure rejects, and holds back every other event to the object until it ends. The
 * driver opens that transaction on `begin` and settles it on `commit`/`rollback`, so workflow code
 * written against Kysely transactions runs unchanged: affected-row counts are SQLite's own
 * `changes()`, and the single connection is handed out under a mutex exactly like Kysely's own
 * SQLite driver, so work that is not part of the transaction waits for it instead of joining it.
 */
export class DurableSqliteDialect implements Dialect {
  constructor(private readonly storage: DurableStorage) {}

  createAdapter() {
    return new SqliteAdapter()
  }

  createDriver(): Driver {
    return new DurableSqliteDriver(this.storage)
  }

  createQueryCompiler() {
    return new SqliteQueryCompiler()
  }

  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db)
  }
}

class DurableSqliteDriver implements Driver {
  private readonly connection: DurableSqliteConnection
  private readonly mutex = new ConnectionMutex()
  /** The open transaction: settle it to commit or roll back; `closed` resolves when the runtime is done. */
  private open?: { commit(): void; rollback(): void; closed: Promise<unknown> }

  constructor(private readonly storage: DurableStorage) {
    this.connection = new DurableSqliteConnection(storage)
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.mutex.lock()
    return this.connection
  }

  async beginTransaction(): Promise<void> {
    let started!: () => void
    const running = new Promise<void>((resolve) => (started = resolve))
    let commit!: () => void
    let rollback!: () => void
    const outcome = new Promise<void>((resolve, reject) => {
      commit = resolve
      rollback = () => reject(ROLLBACK)
    })
    const closed = this.storage.transaction(async () => {
      started()
      await outcome
    })
    this.open = { commit, rollback, closed }
    try {
      // If the runtime refuses to open it, fail here rather than run the work outside a transaction.
      await Promise.race([running, closed])
    } catch (error) {
      this.open = undefined
      throw error
    }
  }

  async commitTransaction(): Promise<void> {
    const open = this.takeOpen()
    open.commit()
    await open.closed
  }

  async rollbackTransaction(): Promise<void> {
    const open = this.takeOpen()
    open.rollback()
    await open.closed.catch((error: unknown) => {
      if (error !== ROLLBACK) throw error
    })
  }

  async releaseConnection(): Promise<void> {
    this.mutex.unlock()
  }

  async destroy(): Promise<void> {}

  private takeOpen() {
    const open = this.open
    if (!open) throw new Error('durable sqlite: no transaction is open')
    this.open = undefined
    return open
  }
}

/** Rejection that asks the runtime to roll back; recognised (and swallowed) by rollbackTransaction. */
const ROLLBACK = new Error('durable sqlite: rollback requested')

class DurableSqliteConnection implements DatabaseConnection {
  constructor(private readonly storage: DurableStorage) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const cursor = this.storage.sql.exec<R>(...statementOf(compiled))
    const rows = cursor.toArray()
    if (cursor.columnNames.length > 0) return { rows }
    // A write without RETURNING: its counts, read back at once (exec is synchronous, nothing runs in between).
    const counts = this.storage.sql.exec<{ changes: number; rowid: number }>('select changes() as changes, last_insert_rowid() as rowid').toArray()[0]
    return { rows: [], numAffectedRows: BigInt(counts?.changes ?? 0), insertId: BigInt(counts?.rowid ?? 0) }
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(compiled.query)) throw new Error('durable sqlite: only select queries can be streamed')
    for (const row of this.storage.sql.exec<R>(...statementOf(compiled))) yield { rows: [row] }
  }
}

/** The object's SQLite is built with a limit of 100 bound parameters per statement (D1's too). */
const MAX_BOUND_PARAMETERS = 100

/**
 * SQL and bindings for exec. A statement with more parameters than the limit (a multi-row insert,
 * a long IN list) gets its values written into the SQL as literals instead, which SQLite reads
 * exactly as it would the bound values; the alternative would be failing every such query.
 */
function statementOf(compiled: CompiledQuery): [string, ...SqlValue[]] {
  const values = compiled.parameters.map(bindable)
  if (values.length <= MAX_BOUND_PARAMETERS) return [compiled.sql, ...values]
  return [inlined(compiled.sql, values)]
}

/** Replaces each `?` placeholder (not those inside quoted strings or identifiers) with its value as a literal. */
function inlined(sql: string, values: SqlValue[]): string {
  let out = ''
  let next = 0
  let quote: string | undefined
  for (const char of sql) {
    if (quote) {
      if (char === quote) quote = undefined
      out += char
    } else if (char === "'" || char === '"' || char === '`') {
      quote = char
      out += char
    } else if (char === '?') {
      if (next >= values.length) throw new Error('durable sqlite: more placeholders than parameters')
      out += literal(values[next++]!)
    } else {
      out += char
    }
  }
  if (next !== values.length) throw new Error('durable sqlite: more parameters than placeholders')
  return out
}

function literal(value: SqlValue): string {
  if (value === null) return 'NULL'
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`durable sqlite: cannot store ${value}`)
    return String(value)
  }
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`
  return `X'${[...new Uint8Array(value)].map((byte) => byte.toString(16).padStart(2, '0')).join('')}'`
}

/** What SQLite stores, from what Kysely hands over: booleans as 0/1 and bigints as numbers, like Node's driver. */
function bindable(value: unknown): SqlValue {
  if (value === null || value === undefined) return null
  if (typeof value === 'string' || typeof value === 'number') return value
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw new RangeError(`durable sqlite: ${value} does not fit a JavaScript number`)
    return Number(value)
  }
  if (value instanceof ArrayBuffer) return value
  if (ArrayBuffer.isView(value)) return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength) as ArrayBuffer
  throw new TypeError(`durable sqlite: cannot store a ${Object.prototype.toString.call(value)}`)
}

/** One connection, taken in turn; same contract as Kysely's own SQLite driver. */
class ConnectionMutex {
  private held?: Promise<void>
  private release?: () => void

  async lock(): Promise<void> {
    while (this.held) await this.held
    this.held = new Promise((resolve) => (this.release = resolve))
  }

  unlock(): void {
    const release = this.release
    this.held = undefined
    this.release = undefined
    release?.()
  }
}
