/**
 * What server/worker.ts imports that TypeScript cannot see on its own. First the slice of the
 * Workers runtime module it uses, declared here because the project does not install
 * @cloudflare/workers-types (replace this part with that package when it does). `storage` has the
 * shape db/durable-sqlite/durable-storage.ts describes, so it is handed to the dialect as is.
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

/** Browser files bundled as text (wrangler.toml [[rules]] type = "Text"): no disk to read them from on Workers. */
declare module 'uplot/dist/uPlot.iife.min.js' {
  const text: string
  export default text
}
declare module 'uplot/dist/uPlot.min.css' {
  const text: string
  export default text
}
