import type { CommandParser } from '../bot/nlu/command.js'
import { LlmFallbackParser } from '../bot/nlu/llm/llm-fallback-parser.js'
import { llmSettingsFromEnv } from '../bot/nlu/llm/llm-settings.js'
import { ModelReader } from '../bot/nlu/llm/model-reader.js'
import { RuleParser } from '../bot/nlu/rules/index.js'
import type { Log } from '../ops/logging/log.js'
import type { AppMetrics } from '../ops/metrics/app-metrics.js'
import type { RateLimits } from '../ops/rate-limit.js'
import { meterModel } from './observe/observed-parser.js'

/**
 * The server's command parser: the one bot/nlu/parser-from-env.ts would build (rules, with an
 * OpenAI-compatible model behind them when configured), with the model metered and rate-limited.
 */
export function createServerParser(env: Readonly<Record<string, string | undefined>>, ops: { metrics: AppMetrics; limits?: RateLimits; log: Log; now?: () => number }): CommandParser {
  const llm = llmSettingsFromEnv(env)
  if (llm === undefined) return new RuleParser()
  return new LlmFallbackParser(meterModel(new ModelReader(llm), ops.metrics, ops.limits, ops.now ?? Date.now), ops.log)
}
