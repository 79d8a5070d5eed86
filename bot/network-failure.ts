/**
 * A request that never got an answer: refused or reset connection, DNS failure, timeout. Node's
 * fetch says "fetch failed" and names the cause (ECONNREFUSED…), workerd "Network connection lost",
 * axios (Feishu's SDK) puts the code in the message. Worth trying again; anything else is a bug or
 * bad configuration.
 */
export function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return true
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined
  const text = `${error.message} ${String(cause?.code ?? '')} ${String(cause?.message ?? '')}`
  return /fetch failed|network|socket|ECONN|ETIMEDOUT|EAI_AGAIN|ENOTFOUND/i.test(text)
}
