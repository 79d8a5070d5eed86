import type { ParsedCommand, Slots } from '../command.js'
import type { ModelAnswer } from './model-answer.js'

/**
 * Slots the rules compute rather than guess: calendar arithmetic on today, numeral reading and
 * request-number patterns. Where both parsers fill one, the rules' value is the right one even
 * when the rules could not make sense of the rest of the sentence.
 */
const DETERMINISTIC_SLOTS = ['date', 'period', 'effectiveDate', 'amount', 'budget', 'quantity', 'requestNo'] as const satisfies readonly (keyof Slots)[]

/** Whether the model told us anything the rules' answer lacks: an intent, or any slot. */
export function modelAddsSomething(answer: ModelAnswer): boolean {
  return answer.intent !== 'unknown' || Object.keys(answer.slots).length > 0
}

/** The model's reading of the sentence, with the rules' deterministic values where both have one. */
export function mergeWithRules(rules: ParsedCommand, answer: ModelAnswer, confidence: number): ParsedCommand {
  const slots: Slots = { ...answer.slots }
  for (const name of DETERMINISTIC_SLOTS) {
    if (slots[name] !== undefined && rules.slots[name] !== undefined) Object.assign(slots, { [name]: rules.slots[name] })
  }
  return { intent: answer.intent, slots, confidence, source: 'llm' }
}
