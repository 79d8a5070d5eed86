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
  /**
   * Members who share one seat, 或签 among them, whatever the step's mode: the admins standing in
   * for a resigned approver, as they do for a step that found nobody. Each group counts as one vote.
   */
  sharedSeats?: string[][]
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

/** A step a request can be sent back to (退回): one where people decided, not a CC step nor a skipped or empty one. */
export function isReturnableStep(step: RouteStep): boolean {
  return !isCcStep(step) && !step.skippedBecause && step.approverIds.length > 0
}

/** The step's seats in member order: one per member, except members of a shared seat, who sit together. */
export function seatsOf(step: RouteStep): string[][] {
  const seats: string[][] = []
  for (const id of step.approverIds) {
    if (seats.some((s) => s.includes(id))) continue
    const group = step.sharedSeats?.find((g) => g.includes(id))
    seats.push(group ? group.filter((m) => step.approverIds.includes(m)) : [id])
  }
  return seats
}

/**
 * Puts `to` in the seat of `from` (转交, escalation, hand-over of a resigned approver); several
 * people share that seat. `to` must not be on the step already: one person, one seat.
 */
export function replaceMember(step: RouteStep, from: string, to: string[]): void {
  const at = step.approverIds.indexOf(from)
  step.approverIds = at < 0 ? [...step.approverIds, ...to] : [...step.approverIds.slice(0, at), ...to, ...step.approverIds.slice(at + 1)]
  const groups = (step.sharedSeats ?? []).map((g) => (g.includes(from) ? g.flatMap((m) => (m === from ? to : [m])) : g))
  if (to.length > 1 && !groups.some((g) => to.every((m) => g.includes(m)))) groups.push(to)
  const kept = groups.filter((g) => g.length > 1)
  if (kept.length) step.sharedSeats = kept
  else delete step.sharedSeats
}

/** The votes a step needs before it passes. */
export function approvalsNeeded(step: RouteStep): number {
  const members = seatsOf(step).length
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
