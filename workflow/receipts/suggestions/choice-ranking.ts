/**
 * What is known about a person when a command fits several choices (expense categories, request
 * types): how often they chose each, how often their department did, and what their role suggests.
 */
export interface ChoiceSignals {
  own: ReadonlyMap<string, number>
  department: ReadonlyMap<string, number>
  /** Choices the person's role or department name points to (销售 → 业务招待费, …). */
  roleHints: readonly string[]
}

/** Own habits weigh most; the department's say what people like them do; the role breaks a cold start. */
const WEIGHTS = { own: 3, department: 1, role: 0.5 }

const share = (counts: ReadonlyMap<string, number>, key: string) => {
  const total = [...counts.values()].reduce((a, b) => a + b, 0)
  return total === 0 ? 0 : (counts.get(key) ?? 0) / total
}

/** The choices best first; equal scores keep the given (default) order. */
export function rankChoices<K extends string>(choices: readonly K[], signals: ChoiceSignals): K[] {
  const score = (key: K) => WEIGHTS.own * share(signals.own, key) + WEIGHTS.department * share(signals.department, key) + (signals.roleHints.includes(key) ? WEIGHTS.role : 0)
  return choices
    .map((key, order) => ({ key, order, score: score(key) }))
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map((c) => c.key)
}
