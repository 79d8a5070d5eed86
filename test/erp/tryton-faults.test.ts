import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TrytonAdapter } from '../../erp-bridge/adapters/tryton/tryton-adapter.js'
import { fixedTarget } from '../../erp-bridge/erp-target.js'
import { OutboxWorker } from '../../erp-bridge/outbox-worker.js'
import { startFaultProxy, type FaultProxy } from '../fakes/erp-proxy/fault-proxy.js'
import { startTrytonPeer, type TrytonPeer } from '../fakes/tryton/tryton-peer.js'
import { TestSystem } from '../helpers/test-system.js'
import { approveExpenseClaims } from './approvals.js'

/**
 * The same faults as against the fake, against a real trytond: its replies lost after it
 * committed, calls that hang, 503s from a gateway. Tryton has no idempotency of its own; the
 * bridge's lookup (and the adapter finishing a draft an interrupted post left) keep it single.
 */
const CLAIMS = 12

let peer: TrytonPeer
let proxy: FaultProxy
let t: TestSystem

beforeAll(async () => {
  peer = await startTrytonPeer()
  proxy = await startFaultProxy(peer.url)
  t = await TestSystem.start('sqlite')
}, 120_000)
afterAll(async () => {
  await t?.close()
  await proxy?.close()
  await peer?.dispose()
})

describe('outbox into a real Tryton behind a faulty network', () => {
  it(`${CLAIMS} claims through lost replies, hangs and 503s: each one posted voucher in Tryton`, async () => {
    const numbers = await approveExpenseClaims(t.system, CLAIMS, { requesters: ['zhangsan', 'lisi'] })
    await t.system.erp.mappings.save([
      { kind: 'employee', localKey: 'zhangsan', erpCode: 'E001', erpName: null },
      { kind: 'employee', localKey: 'lisi', erpCode: 'E002', erpName: null },
    ])
    const adapter = new TrytonAdapter({ ...peer.adapterConfig, url: proxy.origin, timeoutMs: 2_000 })
    const failures: string[] = []
    const worker = new OutboxWorker({
      db: t.database.db,
      dialect: t.database.dialect,
      // As the Tryton connection does by default: a few postings at a time, or trytond drowns in parallel calls.
      erp: fixedTarget(adapter, undefined, { maxInFlight: 4, reconcileAfterMs: 4_000 }),
      listener: { posted: async () => {}, failed: async (event) => void failures.push(`${event.requestId}: ${event.reason}`) },
      batchSize: 4,
      pollMs: 20,
      leaseMs: 20_000,
      baseBackoffMs: 20,
      maxBackoffMs: 300,
      maxAttempts: 200,
    })
    // Every fault in every few calls, until each has hit a handful of times.
    const faults = ['pass', 'lose-reply', 'pass', 'unavailable', 'lose-reply', 'hang'] as const
    let call = 0
    await proxy.decide(() => faults[call++ % faults.length]!)
    worker.start()
    try {
      await expect.poll(() => Math.min(proxy.counts['lose-reply'], 2 * proxy.counts.hang, 2 * proxy.counts.unavailable), { timeout: 30_000, interval: 50 }).toBeGreaterThanOrEqual(4)
      await proxy.set('pass')
      const settled = async () => (await t.system.erp.admin.postings({ statuses: ['posted', 'failed', 'dead'], limit: 500 })).length
      await expect.poll(settled, { timeout: 60_000, interval: 250 }).toBe(CLAIMS)
    } finally {
      await worker.stop()
    }
    expect(failures).toEqual([])

    const rows = await t.database.db.selectFrom('outbox').select(['idempotency_key', 'document_no']).execute()
    const moves = await peer.admin.searchRead<{ description: string; state: string; post_number: string | null }>('account.move', [['journal.code', '=', 'EXP']], ['description', 'state', 'post_number'])
    for (const key of numbers) {
      const mine = moves.filter((m) => m.description.startsWith(`${key} `))
      expect(mine, key).toHaveLength(1)
      expect(mine[0]!.state).toBe('posted')
      expect(rows.find((r) => r.idempotency_key === key)!.document_no).toBe(mine[0]!.post_number)
    }
  }, 120_000)
})
