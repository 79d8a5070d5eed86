import type { Kysely } from 'kysely'
import type { SqlDialectName } from '../db/connect.js'
import type { OutboxRow, Schema } from '../db/schema.js'
import { prepareActions } from './actions/prepare-action.js'
import { ErpError, type ErpAction } from './erp-adapter.js'
import type { ErpTarget, ErpTargetSource } from './erp-target.js'
import { MappingStore } from './mapping/mapping-store.js'
import { claimDueRows, holdLease, POSTING_RETRIED, type ClaimedRow, type HeldLease, type OutboxStatus } from './outbox-claim.js'

export interface PostingListener {
  posted(event: { requestId: string; documentNo: string; adapter: string }): Promise<void>
  /** final: no automatic retry follows; status says whether the ERP refused (failed) or retries ran out (dead). */
  failed(event: { requestId: string; reason: string; final: boolean; status?: 'failed' | 'dead' }): Promise<void>
}

export interface OutboxWorkerOptions {
  db: Kysely<Schema>
  dialect: SqlDialectName
  erp: ErpTargetSource
  listener: PostingListener
  now?: () => number
  pollMs?: number
  /** Most rows claimed in one go. */
  batchSize?: number
  /**
   * Most postings in flight at once: the ERP's latency is what this hides. The loop claims more
   * as postings finish, so one slow call does not hold up the others.
   */
  concurrency?: number
  /**
   * How long a claim holds unless renewed. It is renewed every third of this while the posting
   * runs, so it bounds how soon a dead worker's rows are taken over, not how long a posting may take.
   */
  leaseMs?: number
  /**
   * How long a posting is retried after its approval (or an admin's retry) before it is given up
   * as dead: an ERP outage delays a posting, it does not drop it. 72 hours, like chat deliveries.
   */
  giveUpAfterMs?: number
  /** Give up after this many attempts too; no cap by default (tests use it to reach `dead` quickly). */
  maxAttempts?: number
  baseBackoffMs?: number
  /** The back-off grows to this and stays there for the rest of the retry window. */
  maxBackoffMs?: number
  /** After an unknown outcome, how long to wait before asking the ERP (unless the ERP's connection says). */
  reconcileAfterMs?: number
  log?: (message: string) => void
  /**
   * Runs all the work for one claimed row (ERP calls, settling it, telling the requester), so the
   * caller can give it a context: the server runs it under the request id stored on the row
   * (`trace_id`), so its log lines carry the approving callback's id in any process.
   */
  withinRow?: (row: ClaimedRow, work: () => Promise<void>) => Promise<void>
}

const DEFAULT_LEASE_MS = 60_000
const DEFAULT_GIVE_UP_AFTER_MS = 72 * 60 * 60_000
const DEFAULT_BATCH_SIZE = 50
const DEFAULT_RECONCILE_AFTER_MS = 30_000
const DEFAULT_CONCURRENCY = 50

/**
 * Drains the outbox into the ERP. Exactly-once comes from three things together: the row is
 * claimed before posting, the ERP document carries our idempotency key, and any row that may
 * have reached the ERP before (a timeout, a lost reply, a crashed worker, an admin's retry) is
 * first looked up with `find` and only posted when the ERP has no document for its key.
 *
 * That lookup must not run while an earlier call for the key can still land, so: the worker
 * renews its claim for as long as a posting's calls run (a slow ERP never hands the row to a
 * second worker mid-call), starts no ERP call of a posting once it cannot be sure the claim is
 * still its own (by its own clock, so also when cut off from the database: the lease's signal
 * stops the adapter between and during calls), and a row whose claimer died or was cut off is
 * taken over only after its lease and then the reconcile wait have passed (claimDueRows) — the
 * same wait an `unknown` row gets before its lookup.
 */
export class OutboxWorker {
  private readonly now: () => number
  private readonly mappings: MappingStore
  private timer: ReturnType<typeof setTimeout> | undefined
  private running: Promise<void> | undefined
  private stopped = true
  /** The claims of the postings in flight, with their rows' idempotency keys. */
  private readonly leases = new Map<HeldLease, string>()

  constructor(private readonly options: OutboxWorkerOptions) {
    this.now = options.now ?? Date.now
    this.mappings = new MappingStore(options.db, this.now)
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

  /**
   * Resolves once nothing is being worked on: every claimed row settled and its requester told
   * (the row reads `posted` before the telling is done).
   */
  async idle(): Promise<void> {
    while (this.running) await this.running
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

  /**
   * Keeps up to `concurrency` postings in flight (fewer if the ERP asks for fewer) until nothing
   * is due, then waits for the next poll or kick.
   */
  private async loop(): Promise<void> {
    const batch = this.options.batchSize ?? DEFAULT_BATCH_SIZE
    const inFlight = new Set<Promise<void>>()
    try {
      while (!this.stopped) {
        const target = await this.options.erp()
        const limit = Math.min(this.options.concurrency ?? DEFAULT_CONCURRENCY, target.maxInFlight ?? Infinity)
        const free = limit - inFlight.size
        // Claim in chunks, not one row per finished posting: each claim is a transaction.
        const claimed = free >= Math.min(batch, Math.ceil(limit / 2)) || inFlight.size === 0 ? await this.dispatch(target, Math.min(batch, free), inFlight) : 0
        if (claimed > 0) continue
        if (inFlight.size === 0) break
        await Promise.race(inFlight)
      }
    } catch (error) {
      this.options.log?.(`outbox worker: ${String(error)}`)
    }
    await Promise.all(inFlight)
  }

  /**
   * Hands back rows whose ERP call this process started and will not see the end of (a shutdown
   * that ran out of time): `unknown`, so the next claim, by any worker, asks the ERP before any
   * resend, and due only once the abandoned call must have landed or died — the wait after a
   * timeout — so that lookup cannot miss a document the ERP is still making; their postings here
   * start no further call. Returns how many rows.
   */
  async handBack(idempotencyKeys: string[], reason: string): Promise<number> {
    if (idempotencyKeys.length === 0) return 0
    const target = await this.options.erp().catch(() => undefined)
    const now = this.now()
    const wait = this.reconcileWait(target)
    const result = await this.options.db
      .updateTable('outbox')
      .set({ status: 'unknown', locked_until: null, next_attempt_at: now + wait, updated_at: now, last_error: reason })
      .where('idempotency_key', 'in', idempotencyKeys)
      .where('status', '=', 'sending')
      .executeTakeFirst()
    // The wait above covers the calls under way, not ones started from now on: those must not start.
    const handedBack = new Set(idempotencyKeys)
    for (const [lease, key] of this.leases) if (handedBack.has(key)) lease.abandon(reason)
    return Number(result.numUpdatedRows)
  }

  /** Claims one batch and posts it; returns how many rows were handled. */
  async drainOnce(): Promise<number> {
    const inFlight = new Set<Promise<void>>()
    const target = await this.options.erp()
    const claimed = await this.dispatch(target, Math.min(this.options.batchSize ?? DEFAULT_BATCH_SIZE, target.maxInFlight ?? Infinity), inFlight)
    await Promise.all(inFlight)
    return claimed
  }

  /** Claims up to `limit` due rows and starts posting each; the postings join `inFlight` until they settle. */
  private async dispatch(target: ErpTarget, limit: number, inFlight: Set<Promise<void>>): Promise<number> {
    const { db, dialect } = this.options
    const leaseMs = this.options.leaseMs ?? DEFAULT_LEASE_MS
    const rows = await claimDueRows(db, dialect, this.now(), limit, { leaseMs, reconcileAfterMs: this.reconcileWait(target) })
    if (rows.length === 0) return 0
    const leases = new Map(rows.map((row) => [row.id, holdLease(db, row, leaseMs, this.now, this.options.log)]))
    let actions: Map<string, ErpAction | ErpError> | undefined
    let failure: unknown
    try {
      actions = await prepareActions(db, this.mappings, rows.map((r) => r.request_id), target.policy)
    } catch (error) {
      failure = error
    }
    const within: NonNullable<OutboxWorkerOptions['withinRow']> = this.options.withinRow ?? ((_row, work) => work())
    for (const row of rows) {
      const lease = leases.get(row.id)!
      this.leases.set(lease, row.idempotency_key)
      const posting = within(row, () =>
        actions
          ? this.deliver(row, target, actions.get(row.request_id)!, lease)
          : // Our own database failed before anything was sent: the rows go back with back-off.
            this.failed(row, failure, row.claimedFrom !== 'pending' || row.attempts > 1, target),
      )
      const tracked: Promise<void> = posting
        .catch((error: unknown) => this.options.log?.(`outbox ${row.idempotency_key}: ${String(error)}`))
        .finally(() => {
          lease.release()
          this.leases.delete(lease)
          inFlight.delete(tracked)
        })
      inFlight.add(tracked)
    }
    return rows.length
  }

  private async deliver(row: ClaimedRow, target: ErpTarget, action: ErpAction | ErpError, lease: HeldLease): Promise<void> {
    const { adapter } = target
    // Anything but a first attempt at a pending row may already be in the ERP.
    let uncertain = row.claimedFrom !== 'pending' || row.attempts > 1
    let documentNo: string
    try {
      const earlier = uncertain ? await adapter.find(row.idempotency_key, { signal: lease.signal }) : null
      uncertain = false
      if (!earlier && action instanceof ErpError) throw action
      if (!earlier && !lease.held()) {
        // Not renewed in time: another worker may have taken the row over and may post it. Left for the next claim, which looks it up first.
        this.options.log?.(`outbox ${row.idempotency_key}: claim ran out before posting; left for the next claim`)
        return
      }
      const document = earlier ?? (await adapter.post(action as ErpAction, row.idempotency_key, { signal: lease.signal }))
      documentNo = document.documentNo
    } catch (error) {
      await this.failed(row, error, uncertain, target)
      return
    }
    if (await this.settle(row, { status: 'posted', document_no: documentNo, last_error: null })) {
      await this.tell(() => this.options.listener.posted({ requestId: row.request_id, documentNo, adapter: adapter.name }))
    }
  }

  /** A chat outage must not turn a posted row back into a failure. */
  private async tell(notify: () => Promise<void>): Promise<void> {
    try {
      await notify()
    } catch (error) {
      this.options.log?.(`outbox worker: notification failed: ${String(error)}`)
    }
  }

  /**
   * permanent → failed (the ERP said no; retrying the same thing cannot help); unknown, or a
   * transient error before the ERP could be asked → unknown (reconcile before any resend);
   * transient → pending with back-off; once the retry window is over → dead. failed and dead are told.
   */
  private async failed(row: ClaimedRow, error: unknown, uncertain: boolean, target: ErpTarget): Promise<void> {
    const erpError = error instanceof ErpError ? error : new ErpError('transient', 'ERP 暂时无法连接，稍后自动重试。The ERP is unreachable; will retry.', String(error))
    const lastError = erpError.detail ? `${erpError.userMessage}\n${erpError.detail}` : erpError.userMessage
    // A call that timed out may still be on its way into the ERP: ask only once it must have landed or died.
    const reconcileAt = erpError.kind === 'unknown' ? this.now() + this.reconcileWait(target) : 0
    if (erpError.kind === 'permanent' || (await this.givenUp(row))) {
      const status = erpError.kind === 'permanent' ? 'failed' : 'dead'
      const reason = status === 'dead' ? `${erpError.userMessage}（已自动重试 ${row.attempts} 次仍未成功，已停止重试）` : erpError.userMessage
      // A dead row keeps that time too: an admin's retry must not look the key up before then.
      if (await this.settle(row, { status, last_error: lastError, ...(reconcileAt ? { next_attempt_at: reconcileAt } : {}) })) {
        await this.tell(() => this.options.listener.failed({ requestId: row.request_id, reason, final: true, status }))
      }
      return
    }
    const status: OutboxStatus = erpError.kind === 'unknown' || uncertain ? 'unknown' : 'pending'
    await this.settle(row, { status, next_attempt_at: Math.max(this.now() + this.backoff(row.attempts), reconcileAt), last_error: lastError })
    this.options.log?.(`outbox ${row.idempotency_key}: attempt ${row.attempts} → ${status} (${erpError.kind}): ${erpError.message}`)
  }

  /**
   * Out of retries: the ERP has kept failing for the whole window since the approval, or since an
   * admin's last retry (which promises a fresh run). Read from the audit log only for rows older
   * than the window, which are few.
   */
  private async givenUp(row: ClaimedRow): Promise<boolean> {
    if (row.attempts >= (this.options.maxAttempts ?? Infinity)) return true
    const window = this.options.giveUpAfterMs ?? DEFAULT_GIVE_UP_AFTER_MS
    const now = this.now()
    if (now - Number(row.created_at) < window) return false
    const retried = await this.options.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.max('at').as('at'))
      .where('entity_type', '=', 'outbox')
      .where('entity_id', '=', row.id)
      .where('action', '=', POSTING_RETRIED)
      .executeTakeFirst()
    return now - Math.max(Number(row.created_at), Number(retried?.at ?? 0)) >= window
  }

  private reconcileWait(target: ErpTarget | undefined): number {
    return target?.reconcileAfterMs ?? this.options.reconcileAfterMs ?? DEFAULT_RECONCILE_AFTER_MS
  }

  /** Exponential, capped, with jitter so that many rows failing together do not retry in step. */
  private backoff(attempts: number): number {
    const base = this.options.baseBackoffMs ?? 2000
    const cap = this.options.maxBackoffMs ?? 15 * 60_000
    return Math.round(Math.min(base * 2 ** (attempts - 1), cap) * (0.5 + Math.random() / 2))
  }

  /** Only the claimer still holding the row may settle it; false when another worker took it over. */
  private async settle(row: OutboxRow, changes: Partial<Pick<OutboxRow, 'status' | 'document_no' | 'last_error' | 'next_attempt_at'>>): Promise<boolean> {
    const result = await this.options.db
      .updateTable('outbox')
      .set({ ...changes, locked_until: null, updated_at: this.now() })
      .where('id', '=', row.id)
      .where('status', '=', 'sending')
      .where('attempts', '=', row.attempts)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  }
}
