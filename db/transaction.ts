import type { Kysely, Transaction } from 'kysely'
import type { Schema } from './schema.js'

const RETRYABLE_MYSQL_ERRORS = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT'])

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return (
    (typeof code === 'string' && RETRYABLE_MYSQL_ERRORS.has(code)) ||
    code === 'SQLITE_BUSY'
  )
}

/**
 * Runs `work` in a transaction and retries it when the database chose it as a deadlock victim:
 * InnoDB resolves lock cycles by aborting one side, which is expected under concurrent taps.
 */
export async function inTransaction<T>(
  db: Kysely<Schema>,
  work: (trx: Transaction<Schema>) => Promise<T>,
  attempts = 5,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work)
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) throw error
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20))
    }
  }
}
