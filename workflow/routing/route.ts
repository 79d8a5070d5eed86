/** One step of a resolved approval route, frozen on the request at submit time. */
export interface RouteStep {
  name: string
  /** any: the first decision settles the step (或签); all: everyone must approve (会签). */
  mode: 'any' | 'all'
  approverIds: string[]
  /** Why this step is on the route, shown on the cards. */
  reason: string
  /** Set when the step needs no decision (e.g. the requester would approve himself). */
  skippedBecause?: string
}
