import type { ChatIntegration } from '../../bot/chat-integration.js'
import type { Log } from '../../ops/logging/log.js'

export interface TokenProbeTiming {
  /** A check that takes longer counts as failed: a hung platform must not hang the probe. */
  timeoutMs: number
  /** /readyz is public and polled: a success stands this long before the platform is asked again. */
  okForMs: number
  /** A failure stands a little too, so hammering /readyz cannot hammer the platform's token endpoint. */
  failedForMs: number
  now: () => number
}

const DEFAULT_TIMING: TokenProbeTiming = { timeoutMs: 3_000, okForMs: 30_000, failedForMs: 5_000, now: Date.now }

export type TokenStatus = { ok: true } | { ok: false; reason: string }

/** What went wrong, readable: fetch's "fetch failed" alone does not say the platform refused the connection. */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined
  return detail && !error.message.includes(detail) ? `${error.message} (${detail})` : error.message
}

/**
 * Whether one chat integration can obtain its platform token, for /readyz: checked with a deadline,
 * remembered briefly, and one check at a time (concurrent probes share it).
 */
export class PlatformTokenProbe {
  private last?: { status: TokenStatus; at: number }
  private running?: Promise<TokenStatus>
  private readonly timing: TokenProbeTiming

  constructor(
    private readonly integration: ChatIntegration,
    private readonly log?: Log,
    timing: Partial<TokenProbeTiming> = {},
  ) {
    this.timing = { ...DEFAULT_TIMING, ...timing }
  }

  get platform(): string {
    return this.integration.platform.name
  }

  status(): Promise<TokenStatus> {
    const { now, okForMs, failedForMs } = this.timing
    if (this.last && now() - this.last.at < (this.last.status.ok ? okForMs : failedForMs)) return Promise.resolve(this.last.status)
    this.running ??= this.check().then((status) => {
      this.logChange(status)
      this.last = { status, at: now() }
      this.running = undefined
      return status
    })
    return this.running
  }

  /** Once per change, not per probe: a platform that stays down does not fill the log. */
  private logChange(status: TokenStatus): void {
    const before = this.last?.status
    if (!status.ok && (before?.ok !== false || before.reason !== status.reason)) {
      this.log?.(`readyz: ${this.platform} token not obtainable: ${status.reason}`, { level: 'warn', platform: this.platform })
    } else if (status.ok && before?.ok === false) {
      this.log?.(`readyz: ${this.platform} token obtainable again`, { platform: this.platform })
    }
  }

  private async check(): Promise<TokenStatus> {
    const { timeoutMs } = this.timing
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)))
    try {
      await Promise.race([this.integration.checkToken(), timeout])
      return { ok: true }
    } catch (error) {
      return { ok: false, reason: reasonOf(error) }
    } finally {
      clearTimeout(timer)
    }
  }
}
