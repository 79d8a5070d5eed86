type Fetch = typeof fetch

/**
 * A default deadline for outbound HTTP calls that set none: a call without an AbortSignal gets
 * one that fires after `timeoutMs`. Calls with their own signal (the ERP adapters, the LLM, the
 * Feishu SDK seam) keep theirs. Without it Node's fetch waits up to 5 minutes for headers, so one
 * hung platform endpoint could hold a chat reply, a shutdown or a queue that long.
 */
export function withDefaultTimeout(fetchImpl: Fetch, timeoutMs: number): Fetch {
  return (input, init) => {
    if (init?.signal) return fetchImpl(input, init)
    const deadline = AbortSignal.timeout(timeoutMs)
    // A Request carries a signal of its own (maybe the caller's): either one aborts the call.
    const signal = input instanceof Request ? AbortSignal.any([input.signal, deadline]) : deadline
    return fetchImpl(input, { ...init, signal })
  }
}

/** Node entry: every module's plain `fetch(...)` gets the default deadline. */
export function installDefaultFetchTimeout(timeoutMs: number): void {
  globalThis.fetch = withDefaultTimeout(globalThis.fetch, timeoutMs)
}
