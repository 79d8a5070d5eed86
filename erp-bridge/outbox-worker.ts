import type { Kysely } from 'kysely'
import type { SqlDialectName } from '../db/connect.js'
import type { OutboxRow, Schema } from '../db/schema.js'
import { buildErpAction } from './actions/build-action.js'
import { ErpError, type ErpAdapter } from './erp-adapter.js'
import { claimDueRows } from './outbox-claim.js'

export interface PostingListener {
  posted(event: { requestId: string; documentNo: string; adapter: string }): Promise<void>
  failed(event: { requestId: string; reason: string; final: boolean }): Promise<void>
}

export interface OutboxWorkerOptions {
  db: Kysely<Schema>
  dialect: SqlDialectName
  adapter: ErpAdapter
  listener: PostingListener
  now?: () => number
  pollMs?: number
  batchSize?: number
  leaseMs?: number
  maxAttempts?: number
  baseBackoffMs?: number
  log?: (message: string) => void
}

/**
 * Drains the outbox into the ERP. Exactly-once comes from three things together: the row is
 * claimed before posting, the ERP document carries our idempotency key, and any retry first asks
 * the ERP whether an earlier attempt already landed (`find`).
 */
export class OutboxWorker {
  private readonly now: () => number
  private timer: ReturnType<typeof setTimeout> | undefined
  private running: Promise<void> | undefined
  private stopped = true

  constructor(private readonly options: OutboxWorkerOptions) {
    this.now = options.now ?? Date.now
  }

  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.kick()
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.running
  }

  /** Wake up now (e.g. right after a final approval) instead of at the next poll. */
  kick(): void {
    if (this.stopped || this.running) return
    clearTimeout(this.timer)
    this.running = this.loop().finally(() => {
      this.running = undefined
      if (!this.stopped) this.timer = setTimeout(() => this.kick(), this.options.pollMs ?? 1000)
    })
  }

  private async loop(): Promise<void> {
    try {
      while (!this.stopped && (await this.drainOnce()) > 0) {
        // keep draining while there is work
      }
    } catch (error) {
      this.options.log?.(`outbox worker: ${String(error)}`)
    }
  }

  /** Claims one batch and posts it; returns how many rows were handled. */
  async drainOnce(): Promise<number> {
    const { db, dialect } = this.options
    const rows = await claimDueRows(db, dialect, this.now(), this.options.batchSize ?? 20, this.options.leaseMs ?? 60_000)
    await Promise.all(rows.map((row) => this.deliver(row)))
    return rows.length
  }

  private async deliver(row: OutboxRow): Promise<void> {
    const { adapter } = this.options
    let documentNo: string
    try {
      // Any earlier attempt may have landed before we lost track of it: ask before resending.
      const earlier = row.attempts > 1 ? await adapter.find(row.idempotency_key) : null
      const document = earlier ?? (await adapter.post(await buildErpAction(this.options.db, row.request_id), row.idempotency_key))
      documentNo = document.documentNo
    } catch (error) {
      await this.failed(row, error)
      return
    }
    await this.settle(row, { status: 'posted', document_no: documentNo, last_error: null })
    await this.tell(() => this.options.listener.posted({ requestId: row.request_id, documentNo, adapter: adapter.name }))
  }

  /** A chat outage must not turn a posted row back into a failure. */
  private async tell(notify: () => Promise<void>): Promise<void> {
    try {
      await notify()
    } catch (error) {
      this.options.log?.(`outbox worker: notification failed: ${String(error)}`)
    }
  }

  private async failed(row: OutboxRow, error: unknown): Promise<void> {
    const erpError = error instanceof ErpError ? error : new ErpError('transient', 'ERP 暂时无法连接，稍后自动重试', String(error))
    const exhausted = row.attempts >= (this.options.maxAttempts ?? 8)
    if (erpError.kind === 'permanent' || exhausted) {
      const status = erpError.kind === 'permanent' ? 'failed' : 'dead'
      await this.settle(row, { status, last_error: erpError.message })
      await this.tell(() => this.options.listener.failed({ requestId: row.request_id, reason: erpError.userMessage, final: true }))
      return
    }
    const base = this.options.baseBackoffMs ?? 2000
    const delay = Math.min(base * 2 ** (row.attempts - 1), 15 * 60_000) * (0.5 + Math.random() / 2)
    await this.settle(row, { status: 'pending', next_attempt_at: this.now() + Math.round(delay), last_error: erpError.message })
    this.options.log?.(`outbox ${row.idempotency_key}: attempt ${row.attempts} failed (${erpError.kind}): ${erpError.message}`)
  }

  /** Only the claimer still holding the row may settle it. */
  private async settle(row: OutboxRow, changes: Partial<Pick<OutboxRow, 'status' | 'document_no' | 'last_error' | 'next_attempt_at'>>): Promise<void> {
    await this.options.db
      .updateTable('outbox')
      .set({ ...changes, locked_until: null, updated_at: this.now() })
      .where('id', '=', row.id)
      .where('status', '=', 'sending')
      .where('attempts', '=', row.attempts)
      .execute()
  }
}
