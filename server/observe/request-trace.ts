import { currentRequestContext, runInRequestContext } from '../../ops/request-context.js'

const MAX_TRACKED = 10_000

/**
 * Which callback finished an approval request, so the ERP posting that follows it (in the outbox
 * worker, later, outside any callback) logs under the same request id and the whole story greps
 * as one. In memory: a posting done by another instance, or after a restart, logs the request
 * number only.
 */
export class RequestTrace {
  private readonly byKey = new Map<string, string>()

  /** Called when a request reaches its final approval inside a callback. */
  remember(keys: (string | null)[]): void {
    const requestId = currentRequestContext()?.requestId
    if (!requestId) return
    for (const key of keys) {
      if (!key) continue
      this.byKey.delete(key)
      this.byKey.set(key, requestId)
    }
    // Oldest first in a Map: drop from the front.
    while (this.byKey.size > MAX_TRACKED) this.byKey.delete(this.byKey.keys().next().value!)
  }

  /** Runs `work` under the request id that finished this request, if this instance saw it. */
  within<T>(key: string, work: () => T): T {
    const requestId = this.byKey.get(key)
    return requestId ? runInRequestContext({ requestId }, work) : work()
  }

  forget(keys: string[]): void {
    for (const key of keys) this.byKey.delete(key)
  }
}
