import type { AppMetrics } from '../../ops/metrics/app-metrics.js'
import type { RateLimits } from '../../ops/rate-limit.js'
import { currentRequestContext } from '../../ops/request-context.js'
import type { RequestSummariser, SummaryInput } from '../../workflow/receipts/summaries/request-summary.js'

/**
 * The summary model, metered like the parser's (server/observe/observed-parser.ts): same call
 * counter and latency histogram, and the same per-person and tenant LLM budget, so summaries of
 * many long requests cannot spend what chat parsing needs. Over budget means no summary.
 */
export function meterSummariser(summariser: RequestSummariser, metrics: AppMetrics, limits: RateLimits | undefined, now: () => number): RequestSummariser {
  return {
    model: summariser.model,
    timeoutMs: summariser.timeoutMs,
    async summarise(input: SummaryInput, signal: AbortSignal): Promise<string> {
      const refusal = limits?.llm(currentRequestContext()?.userId, now())
      if (refusal) {
        metrics.llmCalls.inc({ result: 'rate_limited' })
        metrics.rateLimited.inc({ what: 'llm', scope: refusal.scope })
        throw new Error(`LLM rate limit (${refusal.scope}) reached`)
      }
      const started = performance.now()
      try {
        const summary = await summariser.summarise(input, signal)
        metrics.llmCalls.inc({ result: 'ok' })
        return summary
      } catch (error) {
        metrics.llmCalls.inc({ result: 'failed' })
        throw error
      } finally {
        metrics.llmSeconds.observe({}, (performance.now() - started) / 1000)
      }
    },
  }
}
