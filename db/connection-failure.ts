/**
 * Errors that say the database could not be reached or dropped the connection (a restart, a
 * failover, a network blip), as opposed to a statement it refused. A statement that met one did
 * not commit, so the work it was part of can run again once the database is back.
 */
const CONNECTION_FAILURES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
])

export function isConnectionFailure(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && CONNECTION_FAILURES.has(code)) return true
    // mysql2 on a connection the server already closed.
    if (e instanceof Error && /connection is in closed state/.test(e.message)) return true
  }
  return false
}
