import type { CommandParser } from './command.js'
import { LlmFallbackParser } from './llm/llm-fallback-parser.js'
import { llmSettingsFromEnv } from './llm/llm-settings.js'
import { ModelReader } from './llm/model-reader.js'
import { RuleParser } from './rules/index.js'

function logToStderr(message: string): void {
  process.stderr.write(`${message}\n`)
}

/**
 * The command parser the configuration asks for: rules alone, or rules with an OpenAI-compatible
 * model behind them when OPENAI_MODEL and OPENAI_BASE_URL and/or OPENAI_API_KEY are set.
 * `log` hears why a model answer was not used (timeouts, HTTP errors, rejected output).
 */
export function createParserFromEnv(env: Readonly<Record<string, string | undefined>> = process.env, log: (message: string) => void = logToStderr): CommandParser {
  const llm = llmSettingsFromEnv(env)
  return llm === undefined ? new RuleParser() : new LlmFallbackParser(new ModelReader(llm), log)
}
