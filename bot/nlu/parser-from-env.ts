import type { CommandParser } from './command.js'
import { RuleParser } from './rules/index.js'

/**
 * The command parser the configuration asks for. Rules answer every line today; an LLM fallback
 * configured through OPENAI_* will be composed here, so callers never change.
 */
export function createParserFromEnv(_env: Readonly<Record<string, string | undefined>> = process.env): CommandParser {
  return new RuleParser()
}
