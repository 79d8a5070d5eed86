import { afterEach, describe, expect, it } from 'vitest'
import type { DbHandle } from '../../db/connect.js'
import { seedDemoOrg } from '../../db/seeds/demo-org.js'
import { WebhookAdapter } from '../../erp-bridge/adapters/webhook/webhook-adapter.js'
import { fixedTarget } from '../../erp-bridge/erp-target.js'
import { OutboxWorker } from '../../erp-bridge/outbox-worker.js'
import { startWebhookErp, type WebhookErp } from '../fakes/erp-proxy/webhook-erp.js'
import { scratchDatabase, type ScratchDatabase } from './scratch-database.js'
import { seedApprovedClaims } from './seed-postings.js'

const SECRET = 'two-workers-signing-secret'
const CLAIMS = 600

describe('two workers on MariaDB draining one outbox', () => {
  let scratch: ScratchDatabase
  let erp: WebhookErp
  const pools: DbHandle[] = []
  const workers: OutboxWorker[] = []

  afterEach(async () => {
    await Promise.all(workers.map((w) => w.stop()))
    await Promise.all(pools.map((p) => p.close()))
    await erp?.close()
    await scratch?.drop()
  })

  it('share the rows (SKIP LOCKED) and never post one twice', async () => {
    scratch = await scratchDatabase('mysql')
    await seedDemoOrg(scratch.handle.db)
    const numbers = await seedApprovedClaims(scratch.handle.db, CLAIMS)
    erp = await startWebhookErp({ secret: SECRET, dedupe: false, latencyMs: 5 })
    const adapter = new WebhookAdapter({ url: erp.url, secret: SECRET, employeeNoIsErpCode: true, requiredMappings: { 'expense.voucher': ['employee'] } })

    const postedBy = [new Set<string>(), new Set<string>()]
    for (const [i, posted] of postedBy.entries()) {
      // Each worker has its own pool, as separate processes would.
      const pool = scratch.connect()
      pools.push(pool)
      const worker = new OutboxWorker({
        db: pool.db,
        dialect: pool.dialect,
        erp: fixedTarget(adapter, adapter.mappingPolicy),
        listener: { posted: async (event) => void posted.add(event.requestId), failed: async (event) => expect.fail(`worker ${i} failed ${event.requestId}: ${event.reason}`) },
        batchSize: 25,
        pollMs: 20,
      })
      workers.push(worker)
    }
    workers.forEach((w) => w.start())
    const posted = async () => Number((await scratch.handle.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'posted').executeTakeFirstOrThrow()).n)
    await expect.poll(posted, { timeout: 30_000, interval: 100 }).toBe(CLAIMS)
    // A worker tells its listener after the row's commit, so the last few may still be on their way.
    await expect.poll(() => postedBy[0]!.size + postedBy[1]!.size, { timeout: 10_000, interval: 20 }).toBe(CLAIMS)

    expect(postedBy[0]!.size).toBeGreaterThan(CLAIMS / 10)
    expect(postedBy[1]!.size).toBeGreaterThan(CLAIMS / 10)
    expect([...postedBy[0]!].filter((id) => postedBy[1]!.has(id))).toEqual([])
    expect(postedBy[0]!.size + postedBy[1]!.size).toBe(CLAIMS)
    // Not one key reached the ERP twice: no retries were needed, so no lookups either.
    expect([...erp.postsByKey.values()].every((n) => n === 1)).toBe(true)
    expect(erp.postsByKey.size).toBe(CLAIMS)
    expect(erp.lookups).toBe(0)
    expect(erp.documents.map((d) => d.idempotencyKey).sort()).toEqual([...numbers].sort())
  })
})
