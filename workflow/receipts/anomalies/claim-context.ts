import { kindLabel, yuanShort } from './anomaly-rules.js'
import type { ClaimFact, ClaimHistory } from './claim-facts.js'

/** Months of department history the monthly average is taken over. */
export const AVERAGE_MONTHS = 6

/** "2026-11" → the month n months before it. */
function monthBefore(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number]
  const index = y * 12 + (m - 1) - n
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`
}

/**
 * The one line an approver reads first: "张三本月第3笔差旅费报销，累计 ¥8,200，高于部门月均 40%".
 * Counted in the month the cost belongs to, up to and including this request (by submission);
 * the department's average is what a colleague who claimed this kind spent in a month, over the
 * previous six months.
 */
export function claimContext(target: ClaimFact, history: ClaimHistory, today: string): string {
  const month = target.occurredOn.slice(0, 7)
  const before = (f: ClaimFact) => target.submittedAt === null || (f.submittedAt !== null && f.submittedAt <= target.submittedAt)
  const sameMonth = history.ownClaims(target).filter((f) => f.occurredOn.startsWith(month) && before(f))
  const count = sameMonth.length + 1
  const total = sameMonth.reduce((s, f) => s + f.amountFen, target.amountFen)
  const when = month === today.slice(0, 7) ? '本月' : `${month.slice(0, 4)}年${Number(month.slice(5))}月`
  const noun = target.type === 'expense' ? `${kindLabel(target)}报销` : kindLabel(target)
  const head = `${target.requesterName}${when}第${count}笔${noun}`
  if (total === 0) return head

  const first = monthBefore(month, AVERAGE_MONTHS)
  const perPersonMonth = new Map<string, number>()
  for (const f of history.departmentClaims(target)) {
    const m = f.occurredOn.slice(0, 7)
    if (m < first || m >= month) continue
    const key = `${f.requesterId} ${m}`
    perPersonMonth.set(key, (perPersonMonth.get(key) ?? 0) + f.amountFen)
  }
  const line = `${head}，累计 ${yuanShort(total)}`
  if (perPersonMonth.size < 3) return line
  const average = [...perPersonMonth.values()].reduce((a, b) => a + b, 0) / perPersonMonth.size
  const change = Math.round((total / average - 1) * 100)
  if (change >= 10) return `${line}，高于部门月均 ${change}%`
  if (change <= -10) return `${line}，低于部门月均 ${-change}%`
  return `${line}，与部门月均相当`
}
