import { DEFAULT_MIGRATION_TABLE, MysqlAdapter, sql, type Kysely, type Transaction } from 'kysely'
import { z } from 'zod'
import type { SqlDialectName } from '../../db/connect.js'
import { TABLES_FILLED_BY_MIGRATIONS } from '../../db/migrate.js'

/**
 * A logical dump of the whole database as JSON lines, the same on every engine: the embedded
 * SQLite, MySQL/MariaDB, and the Durable Object's SQLite on Workers (which has no file to copy and no
 * dump tool). Line 1 says what it is and which migrations made the schema; then, per table, a
 * `{"table","columns"}` line and one JSON array per row; the last line counts what came before,
 * so a cut-off copy is told apart from a complete one.
 */
export const DUMP_FORMAT = 'approval-bridge-dump'

const headerSchema = z.object({
  format: z.literal(DUMP_FORMAT),
  version: z.literal(1),
  createdAt: z.string(),
  dialect: z.enum(['sqlite', 'mysql']),
  migrations: z.array(z.string()),
})
const tableSchema = z.object({ table: z.string().min(1), columns: z.array(z.string().min(1)).min(1) })
const endSchema = z.object({ end: z.object({ tables: z.number().int(), rows: z.number().int() }) })
const rowSchema = z.array(z.union([z.string(), z.number(), z.null()]))

export type DumpHeader = z.infer<typeof headerSchema>
export interface DumpCounts {
  tables: number
  rows: number
}

/** Rows read per query: large tables are paged in primary-key order instead of loaded at once. */
const PAGE_ROWS = 1000
/** Parameters per INSERT, under the smallest engine limit (SQLite builds before 3.32: 999). */
const MAX_PARAMS = 900

/** The table's primary-key columns, for a stable page order; every table here has one. */
async function primaryKeyOf(trx: Transaction<any>, dialect: SqlDialectName, table: string): Promise<string[]> {
  const rows =
    dialect === 'sqlite'
      ? await sql<{ name: string }>`select name from pragma_table_info(${table}) where pk > 0 order by pk`.execute(trx)
      : await sql<{ name: string }>`select column_name as name from information_schema.key_column_usage where table_schema = database() and table_name = ${table} and constraint_name = 'PRIMARY' order by ordinal_position`.execute(trx)
  return rows.rows.map((row) => row.name)
}

/**
 * Writes the dump line by line. One transaction: every table is read from the same moment (on
 * SQLite and in the Durable Object, writers wait until the dump is done; MySQL reads a snapshot).
 */
export async function dumpDatabase(db: Kysely<any>, write: (line: string) => Promise<void> | void, now: () => number = Date.now): Promise<DumpCounts> {
  const dialect: SqlDialectName = db.getExecutor().adapter instanceof MysqlAdapter ? 'mysql' : 'sqlite'
  return db.transaction().execute(async (trx) => {
    const tables = (await trx.introspection.getTables()).filter((t) => !t.isView).sort((a, b) => a.name.localeCompare(b.name))
    const migrations = (await trx.selectFrom(DEFAULT_MIGRATION_TABLE).select('name').execute()).map((row: { name: string }) => row.name).sort()
    const header: DumpHeader = { format: DUMP_FORMAT, version: 1, createdAt: new Date(now()).toISOString(), dialect, migrations }
    await write(JSON.stringify(header))
    const counts: DumpCounts = { tables: 0, rows: 0 }
    for (const table of tables) {
      const columns = table.columns.map((c) => c.name)
      const order = await primaryKeyOf(trx, dialect, table.name)
      await write(JSON.stringify({ table: table.name, columns }))
      counts.tables++
      for (let offset = 0; ; offset += PAGE_ROWS) {
        const page = await trx
          .selectFrom(table.name)
          .select(columns)
          .$call((q) => (order.length > 0 ? order : columns).reduce((ordered, column) => ordered.orderBy(column), q))
          .limit(PAGE_ROWS)
          .offset(offset)
          .execute()
        for (const row of page) await write(JSON.stringify(columns.map((column) => (row as Record<string, unknown>)[column] ?? null)))
        counts.rows += page.length
        if (page.length < PAGE_ROWS) break
      }
    }
    await write(JSON.stringify({ end: counts }))
    return counts
  })
}

export class DumpError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DumpError'
  }
}

/**
 * Loads a dump into a database this release has migrated and that holds no rows yet but what the
 * migrations put there (a restore never merges). All or nothing: one transaction, committed only when the end line's counts match.
 * `knownMigrations`: this release's; a dump made by a newer release is refused (restore it with that one).
 */
export async function restoreDump(db: Kysely<any>, lines: AsyncIterable<string>, knownMigrations: readonly string[]): Promise<DumpCounts & { header: DumpHeader }> {
  const targetTables = new Map((await db.introspection.getTables()).map((t) => [t.name, new Set(t.columns.map((c) => c.name))]))
  for (const table of targetTables.keys()) {
    if (TABLES_FILLED_BY_MIGRATIONS.includes(table)) continue
    const { n } = (await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()) as { n: number | string }
    if (Number(n) > 0) throw new DumpError(`目标数据库不是空的 / the target database is not empty: ${table} has ${n} rows (restore into a new database)`)
  }
  return db.transaction().execute(async (trx) => {
    let header: DumpHeader | undefined
    let current: { table: string; columns: string[]; batch: unknown[][]; perInsert: number } | undefined
    const counts: DumpCounts = { tables: 0, rows: 0 }
    let ended: DumpCounts | undefined
    const flush = async () => {
      if (!current || current.batch.length === 0) return
      const { table, columns, batch } = current
      await trx.insertInto(table).values(batch.map((row) => Object.fromEntries(columns.map((column, i) => [column, row[i]])))).execute()
      current.batch = []
    }
    let lineNo = 0
    for await (const text of lines) {
      lineNo++
      if (text.trim() === '') continue
      if (ended) throw new DumpError(`第 ${lineNo} 行：结束行之后还有内容 / line ${lineNo}: data after the end line`)
      const value: unknown = JSON.parse(text)
      if (!header) {
        const parsed = headerSchema.safeParse(value)
        if (!parsed.success) throw new DumpError(`不是 approval-bridge 的备份 / not an approval-bridge dump (line 1)`)
        header = parsed.data
        const unknown = header.migrations.filter((name) => !knownMigrations.includes(name))
        if (unknown.length > 0) throw new DumpError(`备份来自更新的版本，请用该版本恢复 / the dump comes from a newer release (migrations ${unknown.join(', ')}): restore it with that release`)
        continue
      }
      if (Array.isArray(value)) {
        if (!current) throw new DumpError(`第 ${lineNo} 行：行数据前没有表头 / line ${lineNo}: a row before any table line`)
        const row = rowSchema.safeParse(value)
        if (!row.success || row.data.length !== current.columns.length) throw new DumpError(`第 ${lineNo} 行：列数不符 / line ${lineNo}: not a row of ${current.table}`)
        current.batch.push(row.data)
        counts.rows++
        if (current.batch.length >= current.perInsert) await flush()
        continue
      }
      const end = endSchema.safeParse(value)
      if (end.success) {
        await flush()
        ended = end.data.end
        continue
      }
      const table = tableSchema.safeParse(value)
      if (!table.success) throw new DumpError(`第 ${lineNo} 行：无法识别 / line ${lineNo}: not a table, row or end line`)
      await flush()
      const { table: name, columns } = table.data
      if (TABLES_FILLED_BY_MIGRATIONS.includes(name)) await trx.deleteFrom(name).execute()
      const targetColumns = targetTables.get(name)
      if (!targetColumns) throw new DumpError(`备份中的表 ${name} 在此版本中不存在 / table ${name} does not exist in this release`)
      const missing = columns.filter((c) => !targetColumns.has(c))
      if (missing.length > 0) throw new DumpError(`表 ${name} 缺少列 / table ${name} lacks columns: ${missing.join(', ')}`)
      current = { table: name, columns, batch: [], perInsert: Math.max(1, Math.floor(MAX_PARAMS / columns.length)) }
      counts.tables++
    }
    if (!header) throw new DumpError('备份是空的 / the dump is empty')
    if (!ended) throw new DumpError('备份不完整（没有结束行）/ the dump is cut off (no end line)')
    if (ended.tables !== counts.tables || ended.rows !== counts.rows) {
      throw new DumpError(`备份不完整 / the dump does not add up: ${counts.tables} tables and ${counts.rows} rows, the end line says ${ended.tables} and ${ended.rows}`)
    }
    return { ...counts, header }
  })
}
