import type { ErpAction, ErpAdapter, ErpCallOptions, ErpDocument } from '../../erp-bridge/erp-adapter.js'
import { ErpError } from '../../erp-bridge/erp-adapter.js'
import type { ErpTarget, ErpTargetSource } from '../../erp-bridge/erp-target.js'
import type { PostingListener } from '../../erp-bridge/outbox-worker.js'
import type { Log } from '../../ops/logging/log.js'
import type { AppMetrics } from '../../ops/metrics/app-metrics.js'

/**
 * The ERP as the outbox worker sees it, observed: every post and find is timed, counted by adapter
 * and result (ErpError's kind), logged (the outbox worker runs each row under the request id of the
 * callback that approved it: server/observe/request-trace.ts), and remembered while in flight so a shutdown that runs out of time can hand those rows
 * back (server/shutdown.ts). Adapters are wrapped once each, so their identity stays stable.
 */
export class ObservedErp {
  /** Idempotency keys whose ERP call has started and not returned. */
  readonly inFlight = new Set<string>()
  private readonly wrapped = new WeakMap<ErpAdapter, ErpAdapter>()
  private lastAdapter = 'unknown'

  constructor(
    private readonly metrics: AppMetrics,
    private readonly log: Log,
  ) {}

  target(source: ErpTargetSource): ErpTargetSource {
    return async (): Promise<ErpTarget> => {
      const target = await source()
      this.lastAdapter = target.adapter.name
      return { ...target, adapter: this.adapter(target.adapter) }
    }
  }

  /** Tells the requester (the given listener) and counts settled rows, under the approving callback's request id. */
  listener(inner: PostingListener): PostingListener {
    return {
      posted: async (event) => {
        this.metrics.postings.inc({ adapter: event.adapter, result: 'posted' })
        this.log(`erp: request ${event.requestId} posted as ${event.documentNo} via ${event.adapter}`, { erpAdapter: event.adapter, documentNo: event.documentNo })
        await inner.posted(event)
      },
      failed: async (event) => {
        const result = event.status ?? 'failed'
        this.metrics.postings.inc({ adapter: this.lastAdapter, result })
        this.log(`erp: request ${event.requestId} ${result}: ${event.reason}`, { level: 'error', erpAdapter: this.lastAdapter, result })
        await inner.failed(event)
      },
    }
  }

  private adapter(adapter: ErpAdapter): ErpAdapter {
    let observed = this.wrapped.get(adapter)
    if (!observed) {
      observed = {
        name: adapter.name,
        mappingPolicy: adapter.mappingPolicy,
        // The options carry the posting's lease signal: dropping them here would unfence every adapter.
        post: (action: ErpAction, key: string, options?: ErpCallOptions) => this.call(adapter.name, 'post', key, action.requestNo, () => adapter.post(action, key, options)),
        find: (key: string, options?: ErpCallOptions) => this.call(adapter.name, 'find', key, undefined, () => adapter.find(key, options)),
        testConnection: () => adapter.testConnection(),
      }
      this.wrapped.set(adapter, observed)
    }
    return observed
  }

  private async call<T extends ErpDocument | null>(adapter: string, operation: 'post' | 'find', key: string, requestNo: string | undefined, call: () => Promise<T>): Promise<T> {
    const started = performance.now()
    this.inFlight.add(key)
    try {
      const document = await call()
      this.metrics.erpCalls.inc({ adapter, operation, result: 'ok' })
      if (operation === 'post' || document) this.log(`erp: ${operation} ${requestNo ?? key} via ${adapter} → ${document?.documentNo ?? 'none'}`, { erpAdapter: adapter, operation, documentNo: document?.documentNo })
      return document
    } catch (error) {
      const kind = error instanceof ErpError ? error.kind : 'transient'
      this.metrics.erpCalls.inc({ adapter, operation, result: kind })
      this.log(`erp: ${operation} ${requestNo ?? key} via ${adapter} failed (${kind}): ${error instanceof Error ? error.message : String(error)}`, { level: 'warn', erpAdapter: adapter, operation, result: kind })
      throw error
    } finally {
      this.inFlight.delete(key)
      this.metrics.erpSeconds.observe({ adapter, operation }, (performance.now() - started) / 1000)
    }
  }
}
