import { isConnectionFailure } from '../db/connection-failure.js'

export interface OutageRetry {
  attempts: number
  firstDelayMs: number
}

/** About 8 s of waiting in all: a database restart or failover, not a long outage. */
export const LINE_RETRY: OutageRetry = { attempts: 6, firstDelayMs: 250 }

/**
 * Handles one acknowledged chat line or tap, again and again while it fails because the database
 * is unreachable: the platform will not deliver what we acknowledged a second time, so giving up
 * at the first lost connection would drop it. Domain steps are conditional updates, so running a
 * line again cannot decide twice. `lastTry` asks the work to give its usual answer (please try
 * again) instead of failing once more.
 */
export async function handleThroughOutages(work: (lastTry: boolean) => Promise<void>, retry: OutageRetry = LINE_RETRY): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const lastTry = attempt >= retry.attempts
    try {
      return await work(lastTry)
    } catch (error) {
      if (lastTry || !isConnectionFailure(error)) throw error
      await new Promise((resolve) => setTimeout(resolve, retry.firstDelayMs * 2 ** (attempt - 1)))
    }
  }
}
