import type { Slots } from '../nlu/command.js'
import { NUMBER_SOURCE, parseNumber } from '../nlu/rules/chinese-numbers.js'

/** Slots whose answer is the person's own words when the parser finds nothing more specific. */
export const FREE_TEXT_SLOTS: ReadonlySet<keyof Slots> = new Set(['item', 'title', 'department', 'reason'])

const SAME_VALUE_AS: Partial<Record<keyof Slots, keyof Slots>> = { budget: 'amount', amount: 'budget', effectiveDate: 'date' }

const COUNT_ANSWER = new RegExp(`^(${NUMBER_SOURCE})\\s*(?:台|个|把|箱|包|套|件|张|本|份|部|只|支)?$`)

/**
 * Reads an answer to the question we asked, where the parser alone finds nothing: a name we asked
 * for is the text itself, a count ("10台", "二十个") is its number, "8万" is the budget we asked for.
 */
export function answerFor(awaiting: keyof Slots, text: string, parsed: Slots): Slots {
  if (parsed[awaiting] !== undefined) return {}
  // Out of context the parser cannot tell a budget from an amount, or an effective date from a date.
  const sameValue = SAME_VALUE_AS[awaiting]
  if (sameValue && parsed[sameValue] !== undefined) return { [awaiting]: parsed[sameValue] }
  if (FREE_TEXT_SLOTS.has(awaiting)) return { [awaiting]: text }
  const count = awaiting === 'quantity' ? COUNT_ANSWER.exec(text.replace(/\s+/g, '')) : null
  const quantity = count ? parseNumber(count[1]!) : undefined
  return quantity !== undefined && Number.isInteger(quantity) && quantity > 0 ? { quantity } : {}
}
