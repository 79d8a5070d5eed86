import type { ErpAction } from '../erp-adapter.js'
import type { MappingKind } from './mapping-kinds.js'

export type ActionKind = ErpAction['kind']

export const ACTION_KINDS: readonly ActionKind[] = ['expense.voucher', 'purchase.requisition', 'hr.change', 'project.create']

/**
 * What a connected ERP needs mapped before anything is posted to it. Checked before the call,
 * so a gap is a clear sentence to an admin instead of an ERP error nobody can read.
 */
export interface MappingPolicy {
  /** Per action, the kinds that must have an ERP code (a supplier only when the request names one). */
  required: Partial<Record<ActionKind, readonly MappingKind[]>>
  /**
   * Kinds where our master data's own code counts as the ERP's when no mapping row exists:
   * a department's cost centre in the org chart, and (where the ERP uses the same numbers) 工号.
   */
  masterCodes: readonly MappingKind[]
}

export function requiredKinds(policy: MappingPolicy, action: ActionKind): readonly MappingKind[] {
  return policy.required[action] ?? []
}
