import type { SlaPolicy } from '../templates/flow-definition.js'

/**
 * any: 或签, the first decision settles the step; all: 会签, everyone must approve;
 * sequential: 依次, one after another in list order; vote: 票签, passes at `passRatio` of approvals.
 */
export type RouteMode = 'any' | 'all' | 'sequential' | 'vote'

/** One step of a resolved approval route, frozen on the request at submit time. */
export interface RouteStep {
  /** The template node it came from, or a generated id for a step added by 加签. */
  id?: string
  /** approver (default) or cc: a CC step only informs its recipients and never waits. */
  kind?: 'approver' | 'cc'
  name: string
  mode: RouteMode
  /** For vote: the share of approvals (0..1] that passes the step. */
  passRatio?: number
  /** Who decides (approver) or who is informed (cc); transfers replace entries in place. */
  approverIds: string[]
  /** Why this step is on the route, shown on the cards. */
  reason: string
  /** Set when the step needs no decision (e.g. the requester would approve himself). */
  skippedBecause?: string
  /** Nobody could be found and the node says so: the request is rejected when the step is reached. */
  rejectWhenReached?: string
  /** Draft preview only: the requester still has to choose this step's approvers (发起人自选). */
  awaitingSelection?: boolean
  /** The approvers the requester chose for a 发起人自选 node, kept for a resubmission. */
  selected?: string[]
  /** Set on steps inserted by 加签: they are never de-duplicated. */
  addedBy?: string
  sla?: SlaPolicy
  /** Routing decisions taken while the request ran (de-duplication, delegation, transfer, …). */
  notes?: string[]
  /** CC steps: when the recipients were informed. */
  reachedAt?: number
}

export function isCcStep(step: RouteStep): boolean {
  return step.kind === 'cc'
}

/** The votes a step needs before it passes. */
export function approvalsNeeded(step: RouteStep): number {
  const members = step.approverIds.length
  if (step.mode === 'any') return Math.min(1, members)
  if (step.mode === 'vote') return Math.max(1, Math.ceil((step.passRatio ?? 1) * members - 1e-9))
  return members
}

export const MODE_LABELS: Record<RouteMode, string> = {
  any: '或签',
  all: '会签',
  sequential: '依次审批',
  vote: '票签',
}
