/**
 * Whether a send that failed may succeed later, so it is worth queueing: the platform's clients mark
 * their errors (`retryable`: rate limited, 5xx, no answer), and a request that never got an answer
 * (refused or reset connection, DNS, timeout) is retryable wherever it came from. Everything else
 * (unknown user, refused content, a bug) would fail the same way again.
 */
export function isRetryableSend(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const marked = (error as { retryable?: unknown }).retryable
  if (typeof marked === 'boolean') return marked
  const { name, message } = error as { name?: unknown; message?: unknown }
  if (name === 'TimeoutError' || name === 'AbortError') return true
  // fetch's own failures: Node says "fetch failed" (the cause names ECONNREFUSED…), workerd "Network connection lost".
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause
  const text = `${String(message ?? '')} ${String(cause?.code ?? '')} ${String(cause?.message ?? '')}`
  return error instanceof TypeError && /fetch failed|network|connection|socket|ECONN|ETIMEDOUT|EAI_AGAIN|ENOTFOUND/i.test(text)
}
