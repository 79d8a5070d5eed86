import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { claimDueRows } from '../../erp-bridge/outbox-claim.js'
import { ErpError, type ErpAction, type ErpAdapter, type ErpDocument } from '../../erp-bridge/erp-adapter.js'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'

/** The worker's wait after a call ended without an answer, for an ERP that does not say its own. */
const RECONCILE_WAIT_MS = 30_000
/** A claim as a worker takes it, the lease it would renew while alive. */
const TIMING = { leaseMs: 60_000, reconcileAfterMs: RECONCILE_WAIT_MS }

/** Approves a claim all the way, with the worker not running. */
async function approvedClaim(t: TestSystem): Promise<string> {
  const requestNo = await t.submitExpense('zhangsan', '提交本月差旅费 3500元')
  await t.tap((await t.actionableCard('lisi', requestNo)).id, 'approve', 'lisi')
  await t.tap((await t.actionableCard('sunba', requestNo)).id, 'approve', 'sunba')
  return requestNo
}

/** The voucher the approved claim becomes, as a dead worker's call would have written it. */
function voucher(requestNo: string): ErpAction {
  return { kind: 'expense.voucher', requestNo, date: '2026-11-25', employee: { id: 'zhangsan', name: '张三' }, department: { id: 'd-rd', name: '研发部' }, category: 'travel', amountFen: 350000, memo: 'x' }
}

/** Stands in front of the real ledger: fails the first `outages` calls, as an ERP outage would. */
class FlakyErp implements ErpAdapter {
  readonly name = 'flaky'
  calls = 0
  constructor(
    private readonly inner: ErpAdapter,
    private outages: number,
  ) {}
  async post(action: ErpAction, key: string): Promise<ErpDocument> {
    this.calls++
    if (this.outages-- > 0) throw new ErpError('transient', 'ERP 暂时无法连接', 'ECONNREFUSED')
    return this.inner.post(action, key)
  }
  find(key: string) {
    return this.inner.find(key)
  }
  testConnection() {
    return this.inner.testConnection()
  }
}

describe.each(DB_KINDS)('outbox: nothing lost, nothing posted twice (%s)', (kind) => {
  let t: TestSystem
  beforeEach(async () => {
    t = await TestSystem.start(kind)
  })
  afterEach(async () => {
    await t.close()
  })

  const outboxRow = (requestNo: string) => t.database.db.selectFrom('outbox').selectAll().where('idempotency_key', '=', requestNo).executeTakeFirstOrThrow()

  it('an approval made while the worker is stopped is posted once after a restart', async () => {
    const requestNo = await approvedClaim(t)
    expect((await outboxRow(requestNo)).status).toBe('pending')
    expect(await t.vouchers()).toEqual([])

    t = await t.restart()
    t.system.outbox.start()
    await expect.poll(async () => (await outboxRow(requestNo)).status, { timeout: 5000 }).toBe('posted')
    await t.system.outbox.stop()
    expect(await t.system.outbox.drainOnce()).toBe(0)
    expect(await t.vouchers()).toHaveLength(1)
  })

  it('a worker that died mid-posting (after the ERP wrote the voucher) is reconciled, not re-posted', async () => {
    const requestNo = await approvedClaim(t)
    // The dead worker claimed the row and the ERP got the voucher, but the row never settled.
    const claimedAt = Date.now()
    const claimed = await claimDueRows(t.database.db, t.database.dialect, claimedAt, 10, TIMING)
    expect(claimed.map((r) => r.idempotency_key)).toEqual([requestNo])
    await t.system.ledger.post(voucher(requestNo), requestNo)
    // A live row is not touched while its lease holds.
    expect(await t.system.outbox.drainOnce()).toBe(0)

    // Taken over once the lease and the reconcile wait are over.
    const later = claimedAt + TIMING.leaseMs + RECONCILE_WAIT_MS + 1_000
    t = await t.restart({ now: () => later })
    expect(await t.system.outbox.drainOnce()).toBe(1)
    const row = await outboxRow(requestNo)
    expect(row.status).toBe('posted')
    expect(await t.vouchers()).toHaveLength(1)
    expect(row.document_no).toBe((await t.vouchers())[0]!.voucherNo)
  })

  it('a worker that died with its post still on the way: no lookup until the lease and the reconcile wait are over, so the late voucher is found, not doubled', async () => {
    const requestNo = await approvedClaim(t)
    const claimedAt = Date.now()
    await claimDueRows(t.database.db, t.database.dialect, claimedAt, 10, TIMING)
    let clock = claimedAt + TIMING.leaseMs + 1_000
    t = await t.restart({ now: () => clock })
    // The lease has run out, but the dead worker's post may still be landing: a lookup now could miss it.
    expect(await t.system.outbox.drainOnce()).toBe(0)
    expect(await t.vouchers()).toEqual([])

    await t.system.ledger.post(voucher(requestNo), requestNo)
    clock = claimedAt + TIMING.leaseMs + RECONCILE_WAIT_MS + 1_000
    expect(await t.system.outbox.drainOnce()).toBe(1)
    const row = await outboxRow(requestNo)
    expect(row.status).toBe('posted')
    expect(await t.vouchers()).toHaveLength(1)
    expect(row.document_no).toBe((await t.vouchers())[0]!.voucherNo)
  })

  it('an ERP outage delays the posting and retries until it lands, once', async () => {
    const requestNo = await approvedClaim(t)
    const flaky = new FlakyErp(t.system.ledger, 2)
    t = await t.restart({ erp: flaky })
    t.system.outbox.start()
    await expect.poll(async () => (await outboxRow(requestNo)).status, { timeout: 10_000 }).toBe('posted')
    expect(flaky.calls).toBe(3)
    expect(await t.vouchers()).toHaveLength(1)
    // The requester is told after the row settles: wait for the message, then check it came once.
    const postedTexts = async () => (await t.inbox('zhangsan')).flatMap((m) => (m.text?.startsWith('已入账') ? [m.text] : []))
    await expect.poll(async () => (await postedTexts()).length, { timeout: 5000 }).toBeGreaterThan(0)
    expect(await postedTexts()).toHaveLength(1)
  })

  it('a permanent ERP rejection fails the row with a readable reason and tells the requester', async () => {
    const requestNo = await approvedClaim(t)
    const closed: ErpAdapter = {
      name: 'closed-period',
      post: async () => {
        throw new ErpError('permanent', '会计期间 2026-11 已结账，无法过账', 'period closed')
      },
      find: async () => null,
      testConnection: async () => ({ ok: true, detail: '' }),
    }
    t = await t.restart({ erp: closed })
    expect(await t.system.outbox.drainOnce()).toBe(1)
    const row = await outboxRow(requestNo)
    expect(row.status).toBe('failed')
    expect(row.last_error).toContain('已结账')
    expect(await t.system.outbox.drainOnce()).toBe(0)
    const texts = (await t.inbox('zhangsan')).flatMap((m) => (m.text ? [m.text] : []))
    expect(texts).toContain(`${requestNo} 入账失败：会计期间 2026-11 已结账，无法过账。已通知 孙八 处理。`)
  })
})
