import { afterEach, describe, expect, it } from 'vitest'
import type { DbHandle } from '../../db/connect.js'
import { seedDemoOrg } from '../../db/seeds/demo-org.js'
import { KingdeeAdapter } from '../../erp-bridge/adapters/kingdee/kingdee-adapter.js'
import { fixedTarget } from '../../erp-bridge/erp-target.js'
import { OutboxWorker, type PostingListener } from '../../erp-bridge/outbox-worker.js'
import { AppMetrics } from '../../ops/metrics/app-metrics.js'
import { ObservedErp } from '../../server/observe/observed-erp.js'
import { startFaultProxy, type FaultProxy } from '../fakes/erp-proxy/fault-proxy.js'
import { startFakeK3Cloud, type FakeK3Cloud } from '../fakes/kingdee/k3cloud-server.js'
import { DB_KINDS } from '../helpers/databases.js'
import { scratchDatabase, type ScratchDatabase } from './scratch-database.js'
import { seedApprovedClaims } from './seed-postings.js'

/**
 * A posting is several ERP calls: Kingdee looks the key up, then saves, submits and audits the
 * voucher. Worker A's calls go through a fault proxy, which answers A's lookup late (its answer is
 * what the ERP held when asked: no voucher) and counts every call A makes, and only A's.
 */
const LEASE_MS = 900
/**
 * The wait after a lease before another worker takes the row over. Shorter than A's late answer
 * here, as any wait is shorter than a post with enough calls left: it covers the calls under way
 * when the lease ran out, never ones started after.
 */
const RECONCILE_AFTER_MS = 300
const LATE_REPLY_MS = 4_000
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

describe.each(DB_KINDS)('the ERP calls of a posting stop when its claim does (%s)', (kind) => {
  let scratch: ScratchDatabase | undefined
  let fake: FakeK3Cloud | undefined
  let proxy: FaultProxy | undefined
  let cutOff: DbHandle | undefined

  afterEach(async () => {
    await cutOff?.close().catch(() => undefined)
    await proxy?.close()
    await fake?.close()
    await scratch?.drop()
    cutOff = scratch = undefined
  })

  /** One approved claim; an ERP whose first call from A gets its answer late; `callsByA` records when each of A's calls arrived. */
  async function setUp() {
    scratch = await scratchDatabase(kind)
    await seedDemoOrg(scratch.handle.db)
    const [requestNo] = await seedApprovedClaims(scratch.handle.db, 1)
    fake = await startFakeK3Cloud()
    proxy = await startFaultProxy(new URL(fake.url).origin, { lateReplyMs: LATE_REPLY_MS })
    const callsByA: number[] = []
    await proxy.decide(() => {
      callsByA.push(Date.now())
      return callsByA.length === 1 ? 'late-reply' : 'pass'
    })
    const { acctId, username, appId, appSecret } = fake.identity
    const kingdee = (url: string) =>
      new KingdeeAdapter({
        url,
        acctId,
        username,
        appId,
        appSecret,
        orgNumber: '100',
        // Far beyond the late answer: only the fence can end A's lookup early.
        timeoutMs: 10_000,
        expense: { document: 'voucher', accountBook: '001', expenseAccounts: { travel: '6602.01' }, payableAccount: '2241.01' },
      })
    const worker = (database: DbHandle, adapter: KingdeeAdapter, listener: PostingListener, log?: (message: string) => void) =>
      new OutboxWorker({
        db: database.db,
        dialect: database.dialect,
        // Observed as the server composes it (server/compose.ts), so the fence must pass through that wrapper too.
        erp: new ObservedErp(new AppMetrics(), () => {}).target(fixedTarget(adapter, adapter.mappingPolicy, { reconcileAfterMs: RECONCILE_AFTER_MS })),
        listener,
        leaseMs: LEASE_MS,
        log,
      })
    const outboxRow = () => scratch!.handle.db.selectFrom('outbox').selectAll().where('idempotency_key', '=', requestNo!).executeTakeFirstOrThrow()
    return { requestNo: requestNo!, callsByA, erpOfA: kingdee(`${proxy.origin}${new URL(fake.url).pathname}`), erpOfB: kingdee(fake.url), worker, outboxRow }
  }

  const vouchers = () => fake!.bills.bills.filter((bill) => bill.formId === 'GL_VOUCHER')

  it('a worker cut off from the database starts no call once its lease has run out, and drops the one under way: the worker taking the row over posts it once', async () => {
    const { requestNo, callsByA, erpOfA, erpOfB, worker, outboxRow } = await setUp()
    const toldByA: string[] = []
    const logOfA: string[] = []
    cutOff = scratch!.connect()
    const workerA = worker(cutOff, erpOfA, { posted: async (event) => void toldByA.push(event.documentNo), failed: async (event) => void toldByA.push(event.reason) }, (message) => logOfA.push(message))
    const toldByB: string[] = []
    const workerB = worker(scratch!.handle, erpOfB, { posted: async (event) => void toldByB.push(event.documentNo), failed: async (event) => expect.fail(event.reason) })

    let settledA: number | undefined
    const drainingA = workerA.drainOnce().finally(() => (settledA = Date.now()))
    await until(() => callsByA.length > 0, "A's lookup")
    // A loses its database mid-posting but still reaches the ERP: it cannot renew its claim any more.
    await cutOff.close()
    const deadlineOfA = Number((await outboxRow()).locked_until)

    // B takes the row over once A's lease and the reconcile wait are over: it looks the key up (nothing), then posts.
    while ((await workerB.drainOnce()) === 0) await sleep(20)
    expect(await drainingA).toBe(1)

    // A made its lookup and nothing after its lease ran out; its lookup was dropped then, not answered.
    expect(callsByA).toHaveLength(1)
    expect(callsByA[0]).toBeLessThan(deadlineOfA)
    expect(settledA! - callsByA[0]!).toBeLessThan(LATE_REPLY_MS)
    expect(logOfA.some((line) => line.includes('lease not renewed'))).toBe(true)
    expect(toldByA).toEqual([])

    const [voucher, ...more] = vouchers()
    expect(more).toEqual([])
    expect(voucher).toMatchObject({ status: 'C' })
    expect(await outboxRow()).toMatchObject({ status: 'posted', document_no: voucher!.number, attempts: 2 })
    expect(toldByB).toEqual([voucher!.number])
  })

  it('a row handed back at shutdown: its posting drops the call under way and starts no other; the row waits for its lookup', async () => {
    const { requestNo, callsByA, erpOfA, worker, outboxRow } = await setUp()
    const workerA = worker(scratch!.handle, erpOfA, { posted: async () => expect.fail('posted'), failed: async (event) => expect.fail(event.reason) })

    const drainingA = workerA.drainOnce()
    await until(() => callsByA.length > 0, "A's lookup")
    const handedBackAt = Date.now()
    expect(await workerA.handBack([requestNo], 'the process stopped mid-call')).toBe(1)
    expect(await drainingA).toBe(1)

    expect(Date.now() - handedBackAt).toBeLessThan(LATE_REPLY_MS)
    expect(callsByA).toHaveLength(1)
    expect(vouchers()).toEqual([])
    // As handed back: the posting, stopped, did not settle the row over it.
    const row = await outboxRow()
    expect(row).toMatchObject({ status: 'unknown', locked_until: null, last_error: 'the process stopped mid-call', attempts: 1 })
    expect(Number(row.next_attempt_at)).toBeGreaterThanOrEqual(handedBackAt + RECONCILE_AFTER_MS)
  })
})
