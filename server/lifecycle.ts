/**
 * Whether this instance is still taking work. Set once, on SIGTERM (server/shutdown.ts): from then
 * on /readyz answers 503 so the load balancer stops sending, and new callbacks are refused with
 * 503 so the platforms redeliver them to an instance that stays.
 */
export class Lifecycle {
  private drainingSince: number | undefined

  get draining(): boolean {
    return this.drainingSince !== undefined
  }

  startDraining(now = Date.now()): void {
    this.drainingSince ??= now
  }
}
