import type { CommandParser, ParsedCommand } from '../../bot/nlu/command.js'
import type { Checked, ModelAnswer } from '../../bot/nlu/llm/model-answer.js'
import type { ModelReading } from '../../bot/nlu/llm/llm-fallback-parser.js'
import type { Log } from '../../ops/logging/log.js'
import type { AppMetrics } from '../../ops/metrics/app-metrics.js'
import type { RateLimits } from '../../ops/rate-limit.js'
import { currentRequestContext } from '../../ops/request-context.js'

/** Counts what each line was understood as, and where the answer came from (rules or the LLM). */
export function observeParser(parser: CommandParser, metrics: AppMetrics, log: Log): CommandParser {
  return {
    async parse(text: string, now: Date): Promise<ParsedCommand> {
      const command = await parser.parse(text, now)
      metrics.parses.inc({ source: command.source, intent: command.intent })
      // Intent, source and confidence only: the text itself stays out of the logs.
      log(`parse: ${command.intent} from ${command.source} (confidence ${command.confidence.toFixed(2)})`, {
        intent: command.intent,
        source: command.source,
        confidence: command.confidence,
        slots: Object.keys(command.slots),
      })
      return command
    },
  }
}

/**
 * The model behind the rules, metered: each call is timed and counted (ok or failed), and refused
 * without a call once the sender or the whole tenant is over the LLM budget, in which case the
 * rules' answer stands and the conversation tells the sender why (server/observe/operated-conversation.ts).
 */
export function meterModel(model: ModelReading, metrics: AppMetrics, limits: RateLimits | undefined, now: () => number): ModelReading {
  return {
    async read(text: string, today: Date): Promise<Checked<ModelAnswer>> {
      const context = currentRequestContext()
      const refusal = limits?.llm(context?.userId, now())
      if (refusal) {
        metrics.llmCalls.inc({ result: 'rate_limited' })
        metrics.rateLimited.inc({ what: 'llm', scope: refusal.scope })
        if (context) context.llmLimited = true
        return { ok: false, reason: `LLM rate limit (${refusal.scope}) reached; retry in ${Math.ceil(refusal.retryAfterMs / 1000)} s` }
      }
      const started = performance.now()
      const reading = await model.read(text, today)
      metrics.llmSeconds.observe({}, (performance.now() - started) / 1000)
      metrics.llmCalls.inc({ result: reading.ok ? 'ok' : 'failed' })
      return reading
    },
  }
}
