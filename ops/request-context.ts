import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * What every log line of one inbound callback carries: its request id (the x-request-id Hono's
 * requestId middleware set or accepted), and, once known, who is talking. Work the callback starts
 * later (queued chat handling, card updates) inherits it, because async context follows promises.
 * AsyncLocalStorage runs on Node and on Workers (nodejs_compat).
 */
export interface RequestContext {
  requestId: string
  /** Our employee id, once the platform adapter has mapped the sender. */
  userId?: string
  /** Set when this line's LLM call was refused by a rate limit: the bot then says so. */
  llmLimited?: boolean
}

const storage = new AsyncLocalStorage<RequestContext>()

export function runInRequestContext<T>(context: RequestContext, work: () => T): T {
  return storage.run(context, work)
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore()
}

/**
 * Background loops (the outbox worker) must not inherit the context of whichever callback
 * happened to wake them: their later lines would carry a stranger's request id.
 */
export function runOutsideRequestContext<T>(work: () => T): T {
  return storage.exit(work)
}
