import { describe, expect, it } from 'vitest'
import { MetricsRegistry } from '../../ops/metrics/registry.js'
import { RateLimiter, RateLimits } from '../../ops/rate-limit.js'

describe('the Prometheus registry', () => {
  it('renders counters, gauges and cumulative histogram buckets in the text format', async () => {
    const registry = new MetricsRegistry()
    const calls = registry.counter('x_calls_total', 'Calls', ['adapter', 'result'])
    const depth = registry.gauge('x_depth', 'Depth', ['status'])
    const latency = registry.histogram('x_seconds', 'Latency', ['adapter'], [0.1, 1])
    calls.inc({ adapter: 'we"ird\\name', result: 'ok' })
    calls.inc({ adapter: 'we"ird\\name', result: 'ok' }, 2)
    registry.collectBeforeScrape(async () => depth.set({ status: 'pending' }, 4))
    latency.observe({ adapter: 'ledger' }, 0.05)
    latency.observe({ adapter: 'ledger' }, 0.5)
    latency.observe({ adapter: 'ledger' }, 5)
    const text = await registry.render()
    expect(text).toContain('# TYPE x_calls_total counter\nx_calls_total{adapter="we\\"ird\\\\name",result="ok"} 3')
    expect(text).toContain('x_depth{status="pending"} 4')
    expect(text).toContain('x_seconds_bucket{adapter="ledger",le="0.1"} 1\nx_seconds_bucket{adapter="ledger",le="1"} 2\nx_seconds_bucket{adapter="ledger",le="+Inf"} 3')
    expect(text).toContain('x_seconds_sum{adapter="ledger"} 5.55\nx_seconds_count{adapter="ledger"} 3')
  })
})

describe('rate limits', () => {
  it('allows a burst up to the limit, then refuses with the wait until the next token', () => {
    const limiter = new RateLimiter({ limit: 3, windowMs: 60_000 })
    expect([1, 2, 3].map(() => limiter.take('u', 0).ok)).toEqual([true, true, true])
    expect(limiter.take('u', 0)).toEqual({ ok: false, retryAfterMs: 20_000 })
    expect(limiter.take('other', 0).ok).toBe(true)
    expect(limiter.take('u', 20_000).ok).toBe(true)
  })

  it('a limit of 0 switches the thing off', () => {
    expect(new RateLimiter({ limit: 0, windowMs: 3_600_000 }).take('u', 0)).toEqual({ ok: false, retryAfterMs: 3_600_000 })
  })

  it('counts a user against the tenant only while the user is within his own limit', () => {
    const limits = new RateLimits({
      chatPerUser: { limit: 2, windowMs: 60_000 },
      chatPerTenant: { limit: 3, windowMs: 60_000 },
      llmPerUser: { limit: 1, windowMs: 60_000 },
      llmPerTenant: { limit: 1, windowMs: 60_000 },
    })
    expect(limits.chat('a', 0)).toBeUndefined()
    expect(limits.chat('a', 0)).toBeUndefined()
    expect(limits.chat('a', 0)).toMatchObject({ scope: 'user' })
    expect(limits.chat('b', 0)).toBeUndefined()
    expect(limits.chat('c', 0)).toMatchObject({ scope: 'tenant' })
    expect(limits.llm('a', 0)).toBeUndefined()
    expect(limits.llm('b', 0)).toMatchObject({ scope: 'tenant' })
  })
})
