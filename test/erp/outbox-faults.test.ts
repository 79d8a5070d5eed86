import { afterEach, describe, expect, it } from 'vitest'
import { PostingAnnouncer } from '../../bot/posting-announcer.js'
import { ErpAdminService } from '../../erp-bridge/admin/erp-admin-service.js'
import { WebhookAdapter } from '../../erp-bridge/adapters/webhook/webhook-adapter.js'
import { fixedTarget } from '../../erp-bridge/erp-target.js'
import { OutboxWorker, type OutboxWorkerOptions, type PostingListener } from '../../erp-bridge/outbox-worker.js'
import { startFaultProxy, type FaultProxy } from '../fakes/erp-proxy/fault-proxy.js'
import { startWebhookErp, type WebhookErp, type WebhookErpOptions } from '../fakes/erp-proxy/webhook-erp.js'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'
import { approveExpenseClaims } from './approvals.js'

const SECRET = 'fault-test-secret-0123'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const HOUR_MS = 60 * 60_000
/** The worker's own back-off and no attempt cap, instead of the fast retries most tests here use. */
const PRODUCTION_RETRIES: Partial<OutboxWorkerOptions> = { baseBackoffMs: undefined, maxBackoffMs: undefined, maxAttempts: undefined }

/** What the requester would be told, per request. */
class Tally implements PostingListener {
  readonly told = new Map<string, number>()
  readonly failures: { requestId: string; reason: string; status?: string }[] = []
  async posted(event: { requestId: string }) {
    this.told.set(event.requestId, (this.told.get(event.requestId) ?? 0) + 1)
  }
  async failed(event: { requestId: string; reason: string; status?: 'failed' | 'dead' }) {
    this.failures.push(event)
  }
}

describe.each(DB_KINDS)('outbox against a failing ERP (%s)', (kind) => {
  let t: TestSystem
  let erp: WebhookErp
  let proxy: FaultProxy
  let adapter: WebhookAdapter
  let worker: OutboxWorker | undefined

  /** The ERP is a webhook fake with no idempotency of its own, behind a fault proxy: only the bridge can keep postings single. */
  async function setUp(erpOptions: Partial<WebhookErpOptions> = {}) {
    t = await TestSystem.start(kind)
    erp = await startWebhookErp({ secret: SECRET, dedupe: false, latencyMs: 2, ...erpOptions })
    proxy = await startFaultProxy(new URL(erp.url).origin)
    adapter = new WebhookAdapter({ url: `${proxy.origin}/erp/hook`, secret: SECRET, timeoutMs: 1_000, employeeNoIsErpCode: true })
    await t.system.erp.admin.saveMappings([{ kind: 'expense_category', localKey: 'travel', erpCode: '6602.01', erpName: '差旅费' }], 'admin')
  }

  function workerFor(listener: PostingListener, options: Partial<OutboxWorkerOptions> = {}): OutboxWorker {
    worker = new OutboxWorker({
      db: t.database.db,
      dialect: t.database.dialect,
      // A call that timed out is looked up only once it can no longer be on its way in.
      erp: fixedTarget(adapter, adapter.mappingPolicy, { reconcileAfterMs: 2_000 }),
      listener,
      pollMs: 30,
      batchSize: 40,
      leaseMs: 5_000,
      baseBackoffMs: 20,
      maxBackoffMs: 400,
      maxAttempts: 60,
      ...options,
    })
    return worker
  }

  afterEach(async () => {
    await worker?.stop()
    await proxy?.close()
    await erp?.close()
    await t?.close()
  })

  const outboxRow = (requestNo: string) => t.database.db.selectFrom('outbox').selectAll().where('idempotency_key', '=', requestNo).executeTakeFirstOrThrow()

  /** Drains each time the row falls due on the test's clock until it is dead; returns the row. */
  async function drainUntilDead(worker: OutboxWorker, requestNo: string, clock: { now: number }) {
    for (;;) {
      expect(await worker.drainOnce()).toBe(1)
      const row = await outboxRow(requestNo)
      if (row.status === 'dead') return row
      clock.now = Number(row.next_attempt_at)
    }
  }

  const statuses = async () => {
    const rows = await t.database.db.selectFrom('outbox').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute()
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))
  }

  it('500 approvals while the ERP refuses, fails, hangs and loses replies: after recovery each is posted exactly once', async () => {
    const tally = new Tally()
    await setUp()
    const worker = workerFor(tally)
    worker.start()
    await proxy.set('refuse')
    const approvals = approveExpenseClaims(t.system, 500, { parallel: kind === 'mysql' ? 4 : 1 })
    const requestPosting = setInterval(() => worker.kick(), 25)
    const outboxRows = async () => Number((await t.database.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
    try {
      // Down: nothing listens. Approvals keep coming and wait in the outbox.
      await expect.poll(outboxRows, { timeout: 30_000, interval: 50 }).toBeGreaterThanOrEqual(100)
      // A gateway in front of a dead ERP: 503s.
      await proxy.set('unavailable')
      await expect.poll(() => proxy.counts.unavailable, { timeout: 30_000, interval: 50 }).toBeGreaterThanOrEqual(50)
      // Flaky: in every six calls two pass, one gets a 503, one hangs, two are done by the ERP but their answer is lost.
      const faults = ['pass', 'lose-reply', 'unavailable', 'pass', 'lose-reply', 'hang'] as const
      let call = 0
      await proxy.decide(() => faults[call++ % faults.length]!)
      await expect.poll(() => Math.min(proxy.counts['lose-reply'], 2 * proxy.counts.hang), { timeout: 30_000, interval: 50 }).toBeGreaterThanOrEqual(40)
      await proxy.set('pass')
      const numbers = await approvals
      expect(new Set(numbers).size).toBe(500)
      await expect.poll(statuses, { timeout: 30_000, interval: 200 }).toEqual({ posted: 500 })
    } finally {
      clearInterval(requestPosting)
    }

    expect(proxy.counts.unavailable).toBeGreaterThan(0)
    expect(proxy.counts.hang).toBeGreaterThan(0)
    expect(proxy.counts['lose-reply']).toBeGreaterThan(0)
    // Lost replies were reconciled by lookup, not re-posted.
    expect(erp.lookups).toBeGreaterThan(0)
    expect(erp.duplicates()).toEqual([])
    expect(erp.documents).toHaveLength(500)
    const rows = await t.database.db.selectFrom('outbox').select(['idempotency_key', 'document_no']).execute()
    const documentOf = new Map(erp.documents.map((d) => [d.idempotencyKey, d.documentNo]))
    for (const row of rows) expect(row.document_no).toBe(documentOf.get(row.idempotency_key))
    expect(tally.told.size).toBe(500)
    expect([...tally.told.values()].every((n) => n === 1)).toBe(true)
    expect(tally.failures).toEqual([])
  }, 90_000)

  it('a rejection (closed period) fails once with the reason, is not retried, and an admin retry posts it after the fix', async () => {
    let periodClosed = true
    await setUp({ reject: () => (periodClosed ? '会计期间 2026-11 已结账' : null) })
    const worker = workerFor(new PostingAnnouncer(t.system.services))
    const [requestNo] = await approveExpenseClaims(t.system, 1)
    expect(await worker.drainOnce()).toBe(1)
    expect(await worker.drainOnce()).toBe(0)

    const [row] = await t.system.erp.admin.postings()
    expect(row).toMatchObject({ requestNo, status: 'failed', attempts: 1, reason: 'ERP 拒绝了此单据：会计期间 2026-11 已结账' })
    expect(row!.detail).toContain('HTTP 422')
    expect(erp.postsByKey.get(requestNo!)).toBe(1)
    const requester = (await t.inbox('zhangsan')).flatMap((m) => (m.text ? [m.text] : []))
    expect(requester).toContain(`${requestNo} 入账失败：ERP 拒绝了此单据：会计期间 2026-11 已结账。已通知 孙八 处理。`)

    periodClosed = false
    await t.system.erp.admin.retry(row!.id, 'sunba')
    expect(await worker.drainOnce()).toBe(1)
    const [posted] = await t.system.erp.admin.postings({ statuses: ['posted'] })
    expect(posted).toMatchObject({ requestNo, documentNo: erp.documents[0]!.documentNo, attempts: 1 })
    // Retried as "may exist": looked up first, then posted once.
    expect(erp.lookups).toBe(1)
    expect(erp.documents).toHaveLength(1)
  })

  it('a posting slower than its lease keeps its claim: another worker neither looks it up nor posts it while the call runs', async () => {
    await setUp()
    // This ERP takes 3.5 s over a post, several leases long, and the adapter waits for it. A lease of
    // 1 s (renewed every third) stays clear of the event-loop stalls of a loaded test machine.
    const patient = new WebhookAdapter({ url: erp.url, secret: SECRET, timeoutMs: 10_000, employeeNoIsErpCode: true })
    const shortLease = { erp: fixedTarget(patient, patient.mappingPolicy, { reconcileAfterMs: 200 }), leaseMs: 1_000 }
    const tally = new Tally()
    const slowWorker = workerFor(tally, shortLease)
    const otherWorker = workerFor(new Tally(), shortLease)
    const [requestNo] = await approveExpenseClaims(t.system, 1)
    erp.setLatency(3_500)
    let settled = false
    const slow = slowWorker.drainOnce().finally(() => (settled = true))
    const claimedByOther: number[] = []
    while (!settled) {
      claimedByOther.push(await otherWorker.drainOnce())
      await sleep(50)
    }
    expect(await slow).toBe(1)
    expect(claimedByOther.filter((n) => n > 0)).toEqual([])
    expect(claimedByOther.length).toBeGreaterThan(10)
    expect(erp.lookups).toBe(0)
    expect(erp.postsByKey.get(requestNo!)).toBe(1)
    expect(erp.documents).toHaveLength(1)
    expect((await outboxRow(requestNo!)).status).toBe('posted')
    expect([...tally.told.values()]).toEqual([1])
  })

  it('a worker held up past its claim (no renewal got through) does not post when it resumes: the row is left to the next claim, which looks it up first', async () => {
    await setUp()
    const [requestNo] = await approveExpenseClaims(t.system, 1)
    const clock = { now: Date.now() }
    const worker = workerFor(new Tally(), { now: () => clock.now, leaseMs: 60_000 })
    await proxy.set('unavailable')
    expect(await worker.drainOnce()).toBe(1)
    // The next attempt looks the key up first, and that lookup outlasts the claim.
    clock.now = Number((await outboxRow(requestNo!)).next_attempt_at)
    let heldUp = false
    await proxy.decide(() => {
      if (!heldUp) clock.now += 61_000
      heldUp = true
      return 'pass'
    })
    expect(await worker.drainOnce()).toBe(1)
    expect(erp.lookups).toBe(1)
    expect(erp.postsByKey.get(requestNo!)).toBeUndefined()
    expect((await outboxRow(requestNo!)).status).toBe('sending')

    // Taken over once the claim and the reconcile wait are over: looked up again, then posted once.
    clock.now += 3_000
    expect(await worker.drainOnce()).toBe(1)
    expect((await outboxRow(requestNo!)).status).toBe('posted')
    expect(erp.lookups).toBe(2)
    expect(erp.documents).toHaveLength(1)
  })

  it('an admin retry of a posting whose answer was lost waits for the reconcile time, then finds the document instead of posting again', async () => {
    await setUp()
    const worker = workerFor(new Tally())
    const [requestNo] = await approveExpenseClaims(t.system, 1)
    // The ERP makes the voucher, but its answer never comes back.
    await proxy.set('lose-reply')
    expect(await worker.drainOnce()).toBe(1)
    const [row] = await t.system.erp.admin.postings()
    expect(row).toMatchObject({ requestNo, status: 'unknown' })
    const lookupAt = row!.nextAttemptAt
    expect(lookupAt).toBeGreaterThan(Date.now())

    // Finance presses 重试 straight away: the lookup still waits until the lost call cannot be landing any more.
    await proxy.set('pass')
    await t.system.erp.admin.retry(row!.id, 'sunba')
    expect(await worker.drainOnce()).toBe(0)
    expect(erp.lookups).toBe(0)
    expect((await t.system.erp.admin.postings())[0]).toMatchObject({ requestNo, status: 'unknown', attempts: 0, nextAttemptAt: lookupAt })

    await sleep(lookupAt - Date.now() + 20)
    expect(await worker.drainOnce()).toBe(1)
    const [posted] = await t.system.erp.admin.postings({ statuses: ['posted'] })
    expect(posted).toMatchObject({ requestNo, documentNo: erp.documents[0]!.documentNo })
    expect(erp.lookups).toBe(1)
    expect(erp.documents).toHaveLength(1)
  })

  it('an ERP down for three hours delays a posting but never drops it: retried on the production timing until it is back, then posted once', async () => {
    await setUp()
    await proxy.set('refuse')
    const [requestNo] = await approveExpenseClaims(t.system, 1)
    const clock = { now: Number((await outboxRow(requestNo!)).created_at) }
    const outageEnds = clock.now + 3 * HOUR_MS
    const tally = new Tally()
    const worker = workerFor(tally, { ...PRODUCTION_RETRIES, now: () => clock.now })
    while (clock.now < outageEnds) {
      expect(await worker.drainOnce()).toBe(1)
      const row = await outboxRow(requestNo!)
      expect(row.status).not.toBe('dead')
      clock.now = Number(row.next_attempt_at)
    }
    await proxy.set('pass')
    expect(await worker.drainOnce()).toBe(1)
    expect((await outboxRow(requestNo!)).status).toBe('posted')
    expect(erp.documents).toHaveLength(1)
    expect(tally.failures).toEqual([])
    expect([...tally.told.values()]).toEqual([1])
  })

  it('gives a posting up only after a whole window of failures, and an admin retry starts a fresh window', async () => {
    await setUp()
    await proxy.set('refuse')
    const [requestNo] = await approveExpenseClaims(t.system, 1)
    const approvedAt = Number((await outboxRow(requestNo!)).created_at)
    const clock = { now: approvedAt }
    const window = 6 * HOUR_MS
    const tally = new Tally()
    const worker = workerFor(tally, { ...PRODUCTION_RETRIES, giveUpAfterMs: window, now: () => clock.now })
    const dead = await drainUntilDead(worker, requestNo!, clock)
    // Given up at the first attempt after the window, which is at most one capped back-off later.
    expect(clock.now - approvedAt).toBeGreaterThanOrEqual(window)
    expect(clock.now - approvedAt).toBeLessThan(window + 15 * 60_000)
    expect(Number(dead.attempts)).toBeGreaterThan(8)
    expect(tally.failures).toEqual([expect.objectContaining({ status: 'dead' })])

    const { connections, mappings, target } = t.system.erp
    const admin = new ErpAdminService({ db: t.database.db, connections, mappings, target, kick: () => {}, now: () => clock.now })
    await admin.retry(dead.id, 'sunba')
    const retriedAt = clock.now
    await drainUntilDead(worker, requestNo!, clock)
    expect(clock.now - retriedAt).toBeGreaterThanOrEqual(window)
    expect(tally.failures).toHaveLength(2)
    expect(erp.documents).toEqual([])
  })

  it('an ERP down for longer than the retries: dead, finance told in chat, and nothing lost', async () => {
    await setUp()
    const worker = workerFor(new PostingAnnouncer(t.system.services), { maxAttempts: 3, baseBackoffMs: 1, maxBackoffMs: 1 })
    await proxy.set('refuse')
    const [requestNo] = await approveExpenseClaims(t.system, 1)
    for (let i = 0; i < 3; i++) {
      await sleep(5)
      expect(await worker.drainOnce()).toBe(1)
    }
    await sleep(5)
    expect(await worker.drainOnce()).toBe(0)
    const [row] = await t.system.erp.admin.postings()
    expect(row).toMatchObject({ requestNo, status: 'dead', attempts: 3 })
    expect(row!.reason).toMatch(/^无法连接 ERP/)
    const finance = (await t.inbox('sunba')).flatMap((m) => (m.text ? [m.text] : []))
    expect(finance.some((text) => text.startsWith(`⚠️ ${requestNo} 入账失败：无法连接 ERP`) && text.includes('已自动重试 3 次'))).toBe(true)

    await proxy.set('pass')
    await t.system.erp.admin.retry(row!.id, 'sunba')
    expect(await worker.drainOnce()).toBe(1)
    expect((await t.system.erp.admin.postings({ statuses: ['posted'] }))[0]?.requestNo).toBe(requestNo)
    expect(erp.documents).toHaveLength(1)
  })
})
