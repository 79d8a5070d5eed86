/**
 * Work done after Feishu has been answered. Lines from one person run in order (their second
 * message must see the state their first one left); different people run concurrently.
 */
export class WorkQueue {
  private readonly tails = new Map<string, Promise<void>>()
  private readonly running = new Set<Promise<unknown>>()

  constructor(private readonly onError: (error: unknown) => void) {}

  /** Runs `task` after the earlier tasks of the same key; never rejects (failures go to onError). */
  enqueue(key: string, task: () => Promise<void>): void {
    const previous = this.tails.get(key) ?? Promise.resolve()
    const next = previous.then(task).catch(this.onError)
    this.tails.set(key, next)
    void this.track(next).finally(() => {
      if (this.tails.get(key) === next) this.tails.delete(key)
    })
  }

  /** Remembers a promise so idle() waits for it too. */
  track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work)
    const forget = () => this.running.delete(work)
    work.then(forget, forget)
    return work
  }

  /** Resolves once nothing is queued or running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running])
  }
}
