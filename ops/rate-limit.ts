/**
 * Token buckets keyed by who is asking: `limit` takes per `windowMs`, refilled continuously, so a
 * burst up to the limit is fine and a steady stream is held to the average. Kept in memory: each
 * instance enforces its own share (README, "Operations runbook": with N instances the effective
 * ceiling is N times the setting; on Workers there is one instance, the app object).
 */
export interface RateRule {
  limit: number
  windowMs: number
}

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number }

/** Buckets above this count are swept of full (idle) ones, so a crowd of one-time senders cannot grow the map. */
const SWEEP_AT = 10_000

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()

  constructor(private readonly rule: RateRule) {}

  take(key: string, now: number): TakeResult {
    const { limit, windowMs } = this.rule
    // A limit of 0 switches the thing off (e.g. RATE_LIMIT_LLM_PER_HOUR=0: rules only).
    if (limit <= 0) return { ok: false, retryAfterMs: windowMs }
    const perMs = limit / windowMs
    const bucket = this.buckets.get(key) ?? { tokens: limit, at: now }
    bucket.tokens = Math.min(limit, bucket.tokens + (now - bucket.at) * perMs)
    bucket.at = now
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket)
      return { ok: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / perMs) }
    }
    bucket.tokens -= 1
    this.buckets.set(key, bucket)
    if (this.buckets.size > SWEEP_AT) this.sweep(now)
    return { ok: true }
  }

  private sweep(now: number): void {
    const perMs = this.rule.limit / this.rule.windowMs
    for (const [key, bucket] of this.buckets) if (bucket.tokens + (now - bucket.at) * perMs >= this.rule.limit) this.buckets.delete(key)
  }
}

/** Cost control: how often one person, and the whole tenant (this deployment), may chat and reach the LLM. */
export interface RateLimitSettings {
  chatPerUser: RateRule
  chatPerTenant: RateRule
  llmPerUser: RateRule
  llmPerTenant: RateRule
}

export type Refusal = { scope: 'user' | 'tenant'; retryAfterMs: number }

/** A user's take counts against the tenant too only when the user is within his own limit. */
export class RateLimits {
  private readonly limiters: Record<keyof RateLimitSettings, RateLimiter>

  constructor(settings: RateLimitSettings) {
    this.limiters = {
      chatPerUser: new RateLimiter(settings.chatPerUser),
      chatPerTenant: new RateLimiter(settings.chatPerTenant),
      llmPerUser: new RateLimiter(settings.llmPerUser),
      llmPerTenant: new RateLimiter(settings.llmPerTenant),
    }
  }

  chat(userId: string, now: number): Refusal | undefined {
    return this.both('chatPerUser', 'chatPerTenant', userId, now)
  }

  llm(userId: string | undefined, now: number): Refusal | undefined {
    return this.both('llmPerUser', 'llmPerTenant', userId, now)
  }

  private both(user: keyof RateLimitSettings, tenant: keyof RateLimitSettings, userId: string | undefined, now: number): Refusal | undefined {
    if (userId !== undefined) {
      const mine = this.limiters[user].take(userId, now)
      if (!mine.ok) return { scope: 'user', retryAfterMs: mine.retryAfterMs }
    }
    const ours = this.limiters[tenant].take('tenant', now)
    return ours.ok ? undefined : { scope: 'tenant', retryAfterMs: ours.retryAfterMs }
  }
}
