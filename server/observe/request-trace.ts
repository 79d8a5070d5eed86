import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import type { Log } from '../../ops/logging/log.js'
import { currentRequestContext, runInRequestContext } from '../../ops/request-context.js'

const MAX_TRACKED = 10_000

/**
 * Which callback finished an approval request, so the ERP posting that follows it (in the outbox
 * worker, later, outside any callback) logs under the same request id and the whole story greps
 * as one. The id is stored on the request's outbox row (`trace_id`, migration 0008), so the
 * posting carries it in any process: another instance's worker, this one after a restart, the
 * Workers cron. This instance also keeps it in memory from the moment the approval returns, for a
 * worker here that claims the row before the id is written.
 */
export class RequestTrace {
  private readonly byKey = new Map<string, string>()

  constructor(
    private readonly db?: Kysely<Schema>,
    private readonly log?: Log,
  ) {}

  /**
   * Called when a request reaches its final approval inside a callback (after the approval and
   * its outbox row committed): remembers the callback's id here and stores it on the outbox row.
   */
  async remember(requestId: string, keys: (string | null)[]): Promise<void> {
    const traceId = currentRequestContext()?.requestId
    if (!traceId) return
    for (const key of [requestId, ...keys]) {
      if (!key) continue
      this.byKey.delete(key)
      this.byKey.set(key, traceId)
    }
    // Oldest first in a Map: drop from the front.
    while (this.byKey.size > MAX_TRACKED) this.byKey.delete(this.byKey.keys().next().value!)
    if (!this.db) return
    try {
      await this.db.updateTable('outbox').set({ trace_id: traceId }).where('request_id', '=', requestId).where('trace_id', 'is', null).execute()
    } catch (error) {
      // The approval stands; only the posting's log lines lose the id in other processes.
      this.log?.(`trace: request id not stored for request ${requestId}: ${String(error)}`, { level: 'warn' })
    }
  }

  /** Runs `work` under the request id that finished this request, if this instance saw it. */
  within<T>(key: string, work: () => T): T {
    const requestId = this.byKey.get(key)
    return requestId ? runInRequestContext({ requestId }, work) : work()
  }

  /**
   * Runs the outbox worker's work for one row under the id stored with it (else the one this
   * instance remembers, else none): its ERP calls, settling and telling carry that id.
   */
  withinRow<T>(row: { request_id: string; trace_id: string | null }, work: () => T): T {
    const requestId = row.trace_id ?? this.byKey.get(row.request_id)
    return requestId ? runInRequestContext({ requestId }, work) : work()
  }

  forget(keys: string[]): void {
    for (const key of keys) this.byKey.delete(key)
  }
}
