/**
 * Whether this instance is still taking work, and how many HTTP requests it is in the middle of.
 * Draining starts once, on SIGTERM (server/shutdown.ts): from then on /readyz answers 503 so the
 * load balancer stops sending, and new callbacks are refused with 503 so the platforms redeliver
 * them to an instance that stays; the requests already in progress are let finish.
 */
export class Lifecycle {
  private drainingSince: number | undefined
  private inFlight = 0
  private waiters: (() => void)[] = []

  get draining(): boolean {
    return this.drainingSince !== undefined
  }

  startDraining(now = Date.now()): void {
    this.drainingSince ??= now
  }

  /** Runs one request, counted until it has been answered. */
  async track<T>(handle: () => Promise<T>): Promise<T> {
    this.inFlight++
    try {
      return await handle()
    } finally {
      this.inFlight--
      if (this.inFlight === 0) for (const wake of this.waiters.splice(0)) wake()
    }
  }

  /** Resolves once no request is in progress. */
  requestsDone(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve))
  }
}
