/**
 * Work accepted from DingTalk after it was acknowledged: run in the background, one job at a time
 * per sender (a reply to the bot's question must not overtake the question's answer), senders in
 * parallel. Node only; on Workers the same jobs would go to `waitUntil`.
 */
export class InboundQueue {
  private readonly tails = new Map<string, Promise<void>>()
  private readonly running = new Set<Promise<void>>()

  constructor(private readonly log: (message: string) => void) {}

  push(key: string, job: () => Promise<void>): void {
    const next = (this.tails.get(key) ?? Promise.resolve()).then(job).catch((error: unknown) => {
      this.log(`dingtalk: inbound job for ${key} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    })
    this.tails.set(key, next)
    this.running.add(next)
    void next.finally(() => {
      this.running.delete(next)
      if (this.tails.get(key) === next) this.tails.delete(key)
    })
  }

  /** Resolves once nothing is queued or running (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running])
  }
}
