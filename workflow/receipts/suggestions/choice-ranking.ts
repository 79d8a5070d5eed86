/**
 * What is known about a person when a command fits several choices (expense categories, request
 * types): how often they chose each, how often their department did, and what their role suggests.
 * A choice key may name a family ("expense") whose members are counted under "expense:meal", ….
 */
export interface ChoiceSignals {
  own: ReadonlyMap<string, number>
  department: ReadonlyMap<string, number>
  /** Choices the person's role or department name points to (销售 → 业务招待费, …). */
  roleHints: readonly string[]
}

/** Why a choice ranks where it does: the shares and the role hint that make up its score. */
export interface ScoredChoice<K extends string> {
  key: K
  score: number
  /** Share of the person's own past choices (0–1) that were this one. */
  ownShare: number
  ownCount: number
  departmentShare: number
  departmentCount: number
  roleHint: boolean
}

/** Own habits weigh most; the department's say what people like them do; the role breaks a cold start. */
const WEIGHTS = { own: 3, department: 1, role: 0.5 }

const within = (counted: string, key: string) => counted === key || counted.startsWith(`${key}:`)

function countOf(counts: ReadonlyMap<string, number>, key: string): number {
  let n = 0
  for (const [counted, c] of counts) if (within(counted, key)) n += c
  return n
}

const totalOf = (counts: ReadonlyMap<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0)

/** Every choice with its score and the parts of it, best first; equal scores keep the given (default) order. */
export function scoreChoices<K extends string>(choices: readonly K[], signals: ChoiceSignals): ScoredChoice<K>[] {
  const ownTotal = totalOf(signals.own)
  const departmentTotal = totalOf(signals.department)
  return choices
    .map((key, order) => {
      const ownCount = countOf(signals.own, key)
      const departmentCount = countOf(signals.department, key)
      const ownShare = ownTotal === 0 ? 0 : ownCount / ownTotal
      const departmentShare = departmentTotal === 0 ? 0 : departmentCount / departmentTotal
      const roleHint = signals.roleHints.some((hint) => within(hint, key))
      const score = WEIGHTS.own * ownShare + WEIGHTS.department * departmentShare + (roleHint ? WEIGHTS.role : 0)
      return { order, choice: { key, score, ownShare, ownCount, departmentShare, departmentCount, roleHint } }
    })
    .sort((a, b) => b.choice.score - a.choice.score || a.order - b.order)
    .map((c) => c.choice)
}

/** The choices best first; equal scores keep the given (default) order. */
export function rankChoices<K extends string>(choices: readonly K[], signals: ChoiceSignals): K[] {
  return scoreChoices(choices, signals).map((c) => c.key)
}
