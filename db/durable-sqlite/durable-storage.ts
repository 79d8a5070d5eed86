/**
 * The part of a SQLite-backed Durable Object's storage (`ctx.storage`) the dialect uses, declared
 * structurally so this code typechecks without the Workers type package.
 */

export type SqlValue = string | number | null | ArrayBuffer

export interface SqlCursor<Row> extends Iterable<Row> {
  toArray(): Row[]
  readonly columnNames: string[]
}

export interface DurableSqlStorage {
  /** Runs one statement synchronously; bindings are positional (`?`). */
  exec<Row = Record<string, SqlValue>>(query: string, ...bindings: SqlValue[]): SqlCursor<Row>
}

export interface DurableStorage {
  readonly sql: DurableSqlStorage
  /**
   * Runs `closure` as one transaction that may await: it commits when the closure resolves and
   * rolls back every write when it rejects. While it runs, the runtime delivers no other event to
   * the object (the input gate stays shut), so nothing else reads or writes in between.
   */
  transaction<T>(closure: () => Promise<T>): Promise<T>
}
