import type { Kysely } from 'kysely'

interface ColumnShape {
  dataType: string
  isNullable: boolean
  hasDefaultValue: boolean
  isAutoIncrementing: boolean
}

/** Tables → columns, as the database itself describes them (Kysely's introspection, either dialect). */
export type SchemaShape = Map<string, Map<string, ColumnShape>>

export async function schemaOf(db: Kysely<any>): Promise<SchemaShape> {
  const tables = await db.introspection.getTables()
  return new Map(tables.map((table) => [table.name, new Map(table.columns.map(({ name, dataType, isNullable, hasDefaultValue, isAutoIncrementing }) => [name, { dataType, isNullable, hasDefaultValue, isAutoIncrementing }]))]))
}

/** A new column an older release's INSERTs leave out must still accept that. */
const insertableWithoutIt = (column: ColumnShape) => column.isNullable || column.hasDefaultValue || column.isAutoIncrementing

/**
 * What a schema change does that an older release still serving on it would trip over: a table or
 * column it reads gone (dropped or renamed), a column's type changed, a column made required, or a new
 * required column without a default on a table it inserts into. Empty when the change is additive.
 */
export function breakingChanges(before: SchemaShape, after: SchemaShape): string[] {
  const problems: string[] = []
  for (const [table, columns] of before) {
    const now = after.get(table)
    if (!now) {
      problems.push(`${table}: table dropped or renamed`)
      continue
    }
    for (const [name, column] of columns) {
      const current = now.get(name)
      if (!current) problems.push(`${table}.${name}: column dropped or renamed`)
      else if (current.dataType !== column.dataType) problems.push(`${table}.${name}: type changed from ${column.dataType} to ${current.dataType}`)
      else if (insertableWithoutIt(column) && !insertableWithoutIt(current)) problems.push(`${table}.${name}: made required`)
    }
    for (const [name, column] of now) {
      if (!columns.has(name) && !insertableWithoutIt(column)) problems.push(`${table}.${name}: new required column without a default`)
    }
  }
  return problems
}
