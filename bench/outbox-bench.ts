import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import type { DbHandle } from '../db/connect.js'
import { seedDemoOrg } from '../db/seeds/demo-org.js'
import { TrytonAdapter } from '../erp-bridge/adapters/tryton/tryton-adapter.js'
import { WebhookAdapter } from '../erp-bridge/adapters/webhook/webhook-adapter.js'
import type { ErpAdapter } from '../erp-bridge/erp-adapter.js'
import { fixedTarget } from '../erp-bridge/erp-target.js'
import { MappingStore } from '../erp-bridge/mapping/mapping-store.js'
import { OutboxWorker } from '../erp-bridge/outbox-worker.js'
import { startTrytonPeer } from '../test/fakes/tryton/tryton-peer.js'
import type { TestDbKind } from '../test/helpers/databases.js'
import { scratchDatabase } from '../test/erp/scratch-database.js'
import { seedApprovedClaims } from '../test/erp/seed-postings.js'

/**
 * How fast the outbox drains into an ERP that takes 20 ms per call: approved claims already in
 * the outbox, N workers (each with its own connection pool, as separate processes would have),
 * posting through the signed-webhook adapter to the fake ERP running in its own process. Counts
 * are checked afterwards: every row posted, no key posted twice. Then the same into a real Tryton.
 */
const SECRET = 'outbox-bench-signing-secret'
const fakeErpScript = fileURLToPath(new URL('../test/fakes/erp-proxy/webhook-erp-process.ts', import.meta.url))

interface FakeErp {
  url: string
  stats(): Promise<{ documents: number; duplicates: number; lookups: number }>
  stop(): Promise<void>
}

async function startFakeErp(latencyMs: number): Promise<FakeErp> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', fakeErpScript], {
    env: { ...process.env, ERP_SECRET: SECRET, ERP_LATENCY_MS: String(latencyMs), ERP_DEDUPE: '0' },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  })
  const [line] = (await once(child.stdout!, 'data')) as [Buffer]
  const { url } = JSON.parse(line.toString()) as { url: string }
  return {
    url,
    stats: async () => {
      const reply = once(child, 'message')
      child.send('stats')
      return (await reply)[0] as { documents: number; duplicates: number; lookups: number }
    },
    stop: async () => {
      const exited = once(child, 'exit')
      child.disconnect()
      await exited
    },
  }
}

export interface DrainResult {
  postingsPerSecond: number
  rows: number
  seconds: number
}

/** Drains `rows` seeded postings with `workers` workers into the fake ERP; throws if anything is missing or doubled. */
export async function measureDrain(options: { kind: TestDbKind; workers: number; rows: number; latencyMs: number; batchSize: number }): Promise<DrainResult> {
  const erp = await startFakeErp(options.latencyMs)
  try {
    const adapter = new WebhookAdapter({ url: erp.url, secret: SECRET, employeeNoIsErpCode: true, requiredMappings: { 'expense.voucher': ['employee', 'department'] } })
    const result = await drain(adapter, options)
    const stats = await erp.stats()
    if (stats.documents !== options.rows || stats.duplicates !== 0) throw new Error(`the ERP holds ${stats.documents} documents (${stats.duplicates} duplicated keys) for ${options.rows} postings`)
    return result
  } finally {
    await erp.stop()
  }
}

/** The same drain into a real trytond (a fresh copy of the test template): each voucher is a search, a create, a post and a read. */
export async function measureTrytonDrain(options: { rows: number; batchSize: number }): Promise<DrainResult> {
  const peer = await startTrytonPeer()
  try {
    const result = await drain(new TrytonAdapter(peer.adapterConfig), { kind: 'mysql', workers: 1, ...options }, [{ kind: 'employee', localKey: 'zhangsan', erpCode: 'E001', erpName: null }])
    const moves = await peer.admin.search('account.move', [['journal.code', '=', 'EXP'], ['state', '=', 'posted']])
    if (moves.length !== options.rows) throw new Error(`Tryton holds ${moves.length} posted vouchers for ${options.rows} postings`)
    return result
  } finally {
    await peer.dispose()
  }
}

async function drain(
  adapter: ErpAdapter,
  options: { kind: TestDbKind; workers: number; rows: number; batchSize: number },
  mappings: { kind: 'employee'; localKey: string; erpCode: string; erpName: null }[] = [],
): Promise<DrainResult> {
  const scratch = await scratchDatabase(options.kind)
  const pools: DbHandle[] = []
  const workers: OutboxWorker[] = []
  try {
    await seedDemoOrg(scratch.handle.db)
    await seedApprovedClaims(scratch.handle.db, options.rows)
    if (mappings.length) await new MappingStore(scratch.handle.db).save(mappings)
    let posted = 0
    let allPosted!: () => void
    let failed!: (error: Error) => void
    const done = new Promise<void>((resolve, reject) => {
      allPosted = resolve
      failed = reject
    })
    for (let i = 0; i < options.workers; i++) {
      const pool = options.kind === 'sqlite' ? scratch.handle : scratch.connect()
      if (pool !== scratch.handle) pools.push(pool)
      workers.push(
        new OutboxWorker({
          db: pool.db,
          dialect: pool.dialect,
          erp: fixedTarget(adapter, adapter.mappingPolicy),
          listener: {
            posted: async () => {
              if (++posted === options.rows) allPosted()
            },
            failed: async (event) => failed(new Error(`posting failed in the bench: ${event.reason}`)),
          },
          batchSize: options.batchSize,
          concurrency: options.batchSize,
          pollMs: 10,
        }),
      )
    }
    const started = performance.now()
    workers.forEach((w) => w.start())
    await done
    const seconds = (performance.now() - started) / 1000
    return { postingsPerSecond: Math.round((options.rows / seconds) * 10) / 10, rows: options.rows, seconds: Math.round(seconds * 100) / 100 }
  } finally {
    await Promise.all(workers.map((w) => w.stop()))
    await Promise.all(pools.map((p) => p.close()))
    await scratch.drop()
  }
}

export async function runOutboxBench(rows = 3000): Promise<Record<string, number | string>> {
  const figures: Record<string, number | string> = {}
  for (const [label, kind, workers] of [
    ['mariadb, 1 worker', 'mysql', 1],
    ['mariadb, 4 workers', 'mysql', 4],
    ['sqlite, 1 worker', 'sqlite', 1],
  ] as const) {
    const result = await measureDrain({ kind, workers, rows, latencyMs: 20, batchSize: 100 })
    figures[`${label}: postings/s (ERP 20 ms)`] = result.postingsPerSecond
  }
  try {
    // One at a time: the test trytond keeps its data in SQLite, where parallel posts only wait on each other's locks.
    figures['tryton 6.0 (real trytond, SQLite): vouchers/s'] = (await measureTrytonDrain({ rows: Math.min(40, Math.ceil(rows / 75)), batchSize: 1 })).postingsPerSecond
  } catch (error) {
    // No trytond on this machine (scripts/tryton/install.sh installs it).
    figures['tryton 6.0 (real trytond, SQLite): vouchers/s'] = `not measured: ${String(error).slice(0, 120)}`
  }
  return figures
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures = await runOutboxBench(Number(process.argv[2] ?? 3000))
  for (const [name, value] of Object.entries(figures)) console.log(`${name.padEnd(44)} ${value}`)
  process.exit(0)
}
