import type { ErpAdapter } from './erp-adapter.js'
import type { MappingPolicy } from './mapping/mapping-policy.js'

/** The ERP the outbox posts into right now, and what must be mapped before posting to it. */
export interface ErpTarget {
  adapter: ErpAdapter
  policy: MappingPolicy
  /**
   * Most postings this ERP should get at once. A slow ERP (Tryton on one Python process) drowns
   * under many parallel calls, times out, and the retries make it worse; an HTTP gateway does not.
   */
  maxInFlight?: number
  /**
   * After a call ends without an answer (a timeout), how long it may still be on its way into the
   * ERP: the lookup that decides whether to send again waits this long, so it cannot miss a
   * document that is still being made. About twice the adapter's own timeout.
   */
  reconcileAfterMs?: number
}

/** Asked once per batch, so a connection changed in the admin app is used without a restart. */
export type ErpTargetSource = () => Promise<ErpTarget>

/** Nothing required; a department's cost centre from the org chart is used when there is one. */
export const LENIENT_POLICY: MappingPolicy = { required: {}, masterCodes: ['department'] }

export function fixedTarget(adapter: ErpAdapter, policy: MappingPolicy = LENIENT_POLICY, limits: Pick<ErpTarget, 'maxInFlight' | 'reconcileAfterMs'> = {}): ErpTargetSource {
  const target = { adapter, policy, ...limits }
  return async () => target
}
