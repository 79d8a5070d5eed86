import type { Server } from 'node:http'
import type { DbHandle } from '../db/connect.js'
import type { Log } from '../ops/logging/log.js'
import type { System } from './compose.js'
import type { Lifecycle } from './lifecycle.js'
import type { Periodic } from './periodic.js'

export interface Running {
  lifecycle: Lifecycle
  server: Server
  system: System
  jobs: Periodic[]
  database: DbHandle
  log: Log
  /** SHUTDOWN_TIMEOUT_MS: the whole drain must fit in it (a container runtime kills after its own grace period). */
  timeoutMs: number
  now?: () => number
}

/**
 * Graceful stop on SIGTERM. New work is refused first (readiness 503 so the load balancer moves
 * on, callbacks 503 so the platforms redeliver elsewhere), then what was accepted is finished: the
 * HTTP requests in progress, then the chat work acknowledged to Feishu/DingTalk (their queues
 * drain; long connections close, so unacknowledged frames are redelivered), the outbox batch being
 * posted and the periodic jobs; last the listener closes. If that takes longer than the bound, ERP
 * calls still in flight have their rows handed back as `unknown` (reconciled with a find before
 * any resend, so nothing is posted twice), and the process exits anyway. Returns whether
 * everything finished in time.
 */
export async function shutDown(running: Running, signal: string): Promise<boolean> {
  const { lifecycle, server, system, jobs, database, log } = running
  const now = running.now ?? Date.now
  const started = now()
  lifecycle.startDraining(started)
  log(`${signal}: shutting down, draining for up to ${running.timeoutMs} ms`, { level: 'warn', signal })

  const drain = async () => {
    await lifecycle.requestsDone()
    log('shutdown: requests in progress answered')
    // After the requests: a request may still have queued chat work, which the integrations wait for.
    await Promise.all([
      Promise.all(system.integrations.map((i) => i.stop?.())).then(() => log('shutdown: chat platforms stopped, acknowledged work done')),
      system.outbox.stop().then(() => log('shutdown: outbox worker stopped')),
      // Chat deliveries left unsent are handed back, not held claimed until their lease runs out.
      (system.deliveries.stop(), Promise.all(jobs.map((job) => job.stop()))),
    ])
    await closeListener(server)
  }
  let timer: ReturnType<typeof setTimeout> | undefined
  const inTime = await Promise.race([drain().then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), running.timeoutMs)))])
  clearTimeout(timer)

  if (!inTime) {
    server.closeAllConnections()
    const released = await releaseInFlight(running)
    log(`shutdown: bound of ${running.timeoutMs} ms reached; ${released} outbox row(s) handed back for reconciliation`, { level: 'error', released })
  }
  await database.close()
  log(`shutdown: done in ${now() - started} ms`, { clean: inTime })
  return inTime
}

/** Stops listening; keep-alive connections idle after their last answer are closed rather than waited out. */
async function closeListener(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  const sweeper = setInterval(() => server.closeIdleConnections(), 100)
  server.closeIdleConnections()
  await closed
  clearInterval(sweeper)
}

/**
 * Rows whose ERP call this process started and will not see the end of: `unknown`, looked up in
 * the ERP (once the call must have landed) before any resend. Rows claimed but not yet sent keep
 * their lease and are reclaimed when it runs out.
 */
async function releaseInFlight(running: Running): Promise<number> {
  return running.system.outbox.handBack([...running.system.erpCalls.inFlight], '进程停止时调用未完成，需核对 ERP 后再重试 / the process stopped mid-call; reconcile before resending')
}
