import { ConfigError } from './config.js'
import { log } from './log.js'


/**
 * Starts the Workers app and keeps the outcome. A start that failed for a reason other than the
 * settings (MySQL behind Hyperdrive restarting as the object woke) is tried again by a later request:
 * an object can live for days, and it must not answer 503 for all of them over one refused connection.
 * A configuration error stays until new settings (a new deployment) restart the object.
 */
export class AppStartup<App> {
  private app?: App
  private failure?: string
  private retryAfter = Number.POSITIVE_INFINITY

  /**
   * @param start builds the app; it owns what it opens and closes it when it fails.
   * @param exclusive runs a start with no request delivered meanwhile (the object's blockConcurrencyWhile).
   * @param retryIntervalMs a failed start is tried again by a later request, but not sooner than this.
   */
  constructor(
    private readonly start: () => Promise<App>,
    private readonly exclusive: (work: () => Promise<void>) => Promise<void>,
    private readonly retryIntervalMs = 10_000,
  ) {}

  /** The first start; requests wait for it. */
  begin(): Promise<void> {
    return this.exclusive(() => this.attempt())
  }

  /** The running app, started again first when an earlier start failed and may succeed now. */
  async running(): Promise<App | undefined> {
    if (!this.app && Date.now() >= this.retryAfter) await this.exclusive(() => this.attempt())
    return this.app
  }

  /** Why there is no app, for the 503 answer and the cron's error. */
  get problem(): string | undefined {
    return this.failure
  }

  private async attempt(): Promise<void> {
    // Another request may have started it while this one waited its turn.
    if (this.app) return
    try {
      this.app = await this.start()
      this.failure = undefined
      this.retryAfter = Number.POSITIVE_INFINITY
    } catch (error) {
      const fatal = error instanceof ConfigError
      this.failure = fatal ? error.message : `启动失败 / start failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
      this.retryAfter = fatal ? Number.POSITIVE_INFINITY : Date.now() + this.retryIntervalMs
      log(this.failure)
    }
  }
}
