import type { ErpAdapter } from './erp-adapter.js'
import type { MappingPolicy } from './mapping/mapping-policy.js'

/** The ERP the outbox posts into right now, and what must be mapped before posting to it. */
export interface ErpTarget {
  adapter: ErpAdapter
  policy: MappingPolicy
}

/** Asked once per batch, so a connection changed in the admin app is used without a restart. */
export type ErpTargetSource = () => Promise<ErpTarget>

/** Nothing required; a department's cost centre from the org chart is used when there is one. */
export const LENIENT_POLICY: MappingPolicy = { required: {}, masterCodes: ['department'] }

export function fixedTarget(adapter: ErpAdapter, policy: MappingPolicy = LENIENT_POLICY): ErpTargetSource {
  const target = { adapter, policy }
  return async () => target
}
