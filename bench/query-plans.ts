import { Kysely, MysqlDialect, type CompiledQuery } from 'kysely'
import { createPool } from 'mysql2'
import { createConnection, type RowDataPacket } from 'mysql2/promise'
import type { Schema } from '../db/schema.js'

/** One row of MariaDB's EXPLAIN. */
export interface PlanRow {
  table: string
  type: string
  key: string | null
  ref: string | null
  rows: number
  extra: string
}

export interface StatementPlan {
  sql: string
  rows: PlanRow[]
}

/** Kysely on its own pool that remembers each distinct statement it runs, so they can be EXPLAINed verbatim. */
export function recordingDb(url: string): { db: Kysely<Schema>; statements: Map<string, CompiledQuery>; close(): Promise<void> } {
  const statements = new Map<string, CompiledQuery>()
  const pool = createPool({ uri: url, connectionLimit: 4, charset: 'utf8mb4', timezone: 'Z', decimalNumbers: true, supportBigNumbers: true, bigNumberStrings: false })
  const db = new Kysely<Schema>({
    dialect: new MysqlDialect({ pool }),
    log: (event) => {
      if (event.level === 'query' && !statements.has(event.query.sql)) statements.set(event.query.sql, event.query)
    },
  })
  return { db, statements, close: () => db.destroy() }
}

export async function explain(url: string, statements: Iterable<CompiledQuery>): Promise<StatementPlan[]> {
  const sql = await createConnection(url)
  const plans: StatementPlan[] = []
  for (const statement of statements) {
    const [rows] = await sql.query<RowDataPacket[]>(`EXPLAIN ${statement.sql}`, statement.parameters as unknown[])
    plans.push({ sql: statement.sql, rows: rows.map((r) => ({ table: String(r.table), type: String(r.type), key: r.key ?? null, ref: r.ref ?? null, rows: Number(r.rows), extra: String(r.Extra ?? '') })) })
  }
  await sql.end()
  return plans
}

export function formatPlans(plans: StatementPlan[]): string {
  return plans
    .map((p) => `${p.sql}\n${p.rows.map((r) => `  ${[r.table, r.type, `key=${r.key ?? '-'}`, `ref=${r.ref ?? '-'}`, `rows=${r.rows}`, r.extra].join(' | ')}`).join('\n')}`)
    .join('\n\n')
}
