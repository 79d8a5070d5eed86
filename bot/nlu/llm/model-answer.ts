import { z } from 'zod'
import { INTENTS, slotsSchema, type Intent, type Slots } from '../command.js'
import { expenseDateProblem } from '../../../workflow/request-types.js'
import { companyDate } from '../../../workflow/shanghai-time.js'
import { isCalendarDay } from '../rules/calendar.js'

/** What a model said, after it passed the same checks as any other input. */
export interface ModelAnswer {
  intent: Intent
  slots: Slots
}

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string }

// Unknown top-level keys ("approveAll", "confidence", …) are dropped: a model cannot add fields.
const answerSchema = z.object({
  intent: z.enum(INTENTS),
  slots: z.record(z.string(), z.unknown()).default({}),
})

const SLOT_NAMES: ReadonlySet<string> = new Set(Object.keys(slotsSchema.shape))

/** Slots the contract has no name for are dropped; null or "" is a model's way of saying "absent". */
function knownSlots(raw: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(raw).filter(([name, value]) => SLOT_NAMES.has(name) && value !== null && value !== ''))
}

/**
 * The contract's pattern admits 2026-13-45 and backwards periods; a model can write both, and an
 * expense on a day that cannot be claimed (after today, over a year back), which is a misreading
 * as surely: expenses look back.
 */
function calendarProblem(intent: Intent, slots: Slots, now: Date): string | undefined {
  const days = [slots.date, slots.effectiveDate, slots.period?.from, slots.period?.to].filter((d): d is string => d !== undefined)
  const impossible = days.find((d) => !isCalendarDay(d))
  if (impossible !== undefined) return `no such day: ${impossible}`
  if (slots.period !== undefined && slots.period.from > slots.period.to) return 'period ends before it starts'
  const unclaimable = intent === 'expense.submit' ? expenseDateProblem(slots, companyDate(now.getTime())) : undefined
  if (unclaimable !== undefined) return `expense date ${unclaimable === 'future' ? 'after today' : 'too far back'}: ${slots.date ?? slots.period?.from}`
  return undefined
}

/** Request numbers are looked up verbatim, so one that the text does not contain is invented. */
function writtenIn(text: string, requestNo: string): boolean {
  return text.toUpperCase().replace(/[\s_-]/g, '').includes(requestNo.replace(/-/g, ''))
}

/**
 * Checks the function arguments a model returned for `text`, read on `now`. Wrong types, unknown
 * intents, impossible dates or an expense on a day it cannot be claimed for reject the whole
 * answer; unknown slot names are stripped, and an invented request number is dropped.
 */
export function checkModelAnswer(rawArguments: string, text: string, now: Date): Checked<ModelAnswer> {
  let json: unknown
  try {
    json = JSON.parse(rawArguments)
  } catch {
    return { ok: false, reason: 'arguments are not JSON' }
  }
  const answer = answerSchema.safeParse(json)
  if (!answer.success) return { ok: false, reason: `answer violates the schema: ${answer.error.issues.map((i) => i.path.join('.') || 'answer').join(', ')}` }
  const slots = slotsSchema.safeParse(knownSlots(answer.data.slots))
  if (!slots.success) return { ok: false, reason: `slots violate the schema: ${slots.error.issues.map((i) => i.path.join('.')).join(', ')}` }
  const problem = calendarProblem(answer.data.intent, slots.data, now)
  if (problem !== undefined) return { ok: false, reason: problem }
  const { requestNo, ...rest } = slots.data
  const kept: Slots = requestNo !== undefined && writtenIn(text, requestNo) ? { ...rest, requestNo } : rest
  return { ok: true, value: { intent: answer.data.intent, slots: kept } }
}
