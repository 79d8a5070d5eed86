import type { CommandParser, ParsedCommand } from '../command.js'
import { negatedDecision, parseWithRules } from '../rules/index.js'
import { mergeWithRules, modelAddsSomething } from './merge.js'
import type { Checked, ModelAnswer } from './model-answer.js'

/**
 * Below this the rules hand the line to the model. Rules score 0.95 when every character is
 * accounted for and lose the share of the text they could not explain (plus a little per typo
 * fix or conflicting keyword), so < 0.8 means about 15% of the line is unexplained; small
 * talk scores ≤ 0.3. On the labelled corpus 494 of 526 lines clear the bar, every one parsed
 * exactly right, so the model is asked rarely and only about lines the rules half understood.
 */
export const CONFIDENCE_BAR = 0.8

/**
 * A validated model answer is acted on like a rules parse at the bar: enough to proceed (and to
 * ask for what is missing), never the 0.95 of a sentence the rules fully explained.
 */
const MODEL_ANSWER_CONFIDENCE = CONFIDENCE_BAR

/** Chat commands are short; a pasted document is not worth a model call. */
const MAX_TEXT_FOR_MODEL = 500

export interface ModelReading {
  read(text: string, now: Date): Promise<Checked<ModelAnswer>>
}

/**
 * Rules first, the model second. Whatever goes wrong with the model (not configured, slow,
 * HTTP errors, garbage), the rules' answer stands, and the bot says what it did not understand.
 */
export class LlmFallbackParser implements CommandParser {
  constructor(
    private readonly model: ModelReading,
    private readonly log: (message: string) => void,
  ) {}

  async parse(text: string, now: Date): Promise<ParsedCommand> {
    const rules = parseWithRules(text, now)
    if (rules.confidence >= CONFIDENCE_BAR || text.trim() === '' || text.length > MAX_TEXT_FOR_MODEL) return rules
    const reading = await this.model.read(text, now)
    if (!reading.ok) {
      // The reason only: the text stays out of the logs.
      this.log(`LLM fallback not used, rules answer: ${reading.reason}`)
      return rules
    }
    if (overrulesNegation(text, reading.value)) {
      this.log('LLM fallback not used, rules answer: the model read a negated decision as a decision')
      return rules
    }
    return modelAddsSomething(reading.value) ? mergeWithRules(rules, reading.value, MODEL_ANSWER_CONFIDENCE) : rules
  }
}

/**
 * A line the rules read as holding off a decision (先别同意) decides nothing, and one refusing it
 * (不能同意) does not approve: a model saying otherwise is not believed, however the rest reads.
 */
function overrulesNegation(text: string, answer: ModelAnswer): boolean {
  const negated = negatedDecision(text)
  if (negated === undefined) return false
  return answer.intent === 'approval.approve' || (negated === 'hold' && answer.intent === 'approval.reject')
}
