import type { Log } from '../ops/logging/log.js'

/**
 * Runs a job every `intervalMs` in this process: never two runs at once, failures logged and
 * retried at the next tick, the timer unref'd so it never holds the process open. stop() waits
 * for a run in progress, which is what a graceful shutdown needs.
 */
export class Periodic {
  private timer: ReturnType<typeof setInterval> | undefined
  private running: Promise<void> | undefined

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly job: () => Promise<unknown>,
    private readonly log: Log,
  ) {}

  /** First run right away (a restart must not postpone the work by a whole interval), then every interval. */
  start(): void {
    if (this.timer) return
    this.timer = setInterval(() => this.tick(), this.intervalMs)
    this.timer.unref()
    this.tick()
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.running
  }

  private tick(): void {
    if (this.running) return
    this.running = this.job()
      .then(
        () => undefined,
        (error: unknown) => this.log(`${this.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, { level: 'error' }),
      )
      .finally(() => (this.running = undefined))
  }
}
