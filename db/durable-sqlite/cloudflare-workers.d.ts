/**
 * The slice of the Workers runtime module the worker entry uses, declared here because the project
 * does not install @cloudflare/workers-types (replace this file with that package when it does).
 * `storage` has the shape durable-storage.ts describes, so it can be handed to the dialect as is.
 */
declare module 'cloudflare:workers' {
  type SqlValue = string | number | null | ArrayBuffer

  export interface DurableObjectStorage {
    readonly sql: {
      exec<Row = Record<string, SqlValue>>(query: string, ...bindings: SqlValue[]): Iterable<Row> & { toArray(): Row[]; readonly columnNames: string[] }
    }
    transaction<T>(closure: () => Promise<T>): Promise<T>
  }

  export interface DurableObjectState {
    readonly storage: DurableObjectStorage
    /** Delivers no other event to the object until `work` settles (startup, migrations). */
    blockConcurrencyWhile<T>(work: () => Promise<T>): Promise<T>
  }

  /** Base class of Durable Objects whose public methods are callable over RPC from a stub. */
  export abstract class DurableObject<Env = unknown> {
    protected readonly ctx: DurableObjectState
    protected readonly env: Env
    constructor(ctx: DurableObjectState, env: Env)
  }
}
