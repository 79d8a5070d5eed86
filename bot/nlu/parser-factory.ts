import type { CommandParser } from './command.js'
import { RuleParser } from './rules/rule-parser.js'

/** The parser the app uses: rules only until an LLM fallback is configured (OPENAI_* env). */
export function createParserFromEnv(_env: Record<string, string | undefined>): CommandParser {
  return new RuleParser()
}
