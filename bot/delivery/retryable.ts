import { isNetworkFailure } from '../network-failure.js'

/**
 * Whether a send that failed may succeed later, so it is worth queueing: the platform's clients mark
 * their errors (`retryable`: rate limited, 5xx, no answer), and a request that never got an answer
 * is retryable wherever it came from. Everything else (unknown user, refused content, a bug) would
 * fail the same way again.
 */
export function isRetryableSend(error: unknown): boolean {
  const marked = (error as { retryable?: unknown } | null | undefined)?.retryable
  return typeof marked === 'boolean' ? marked : isNetworkFailure(error)
}
