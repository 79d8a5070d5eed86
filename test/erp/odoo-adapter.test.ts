import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OdooAdapter } from '../../erp-bridge/adapters/odoo/odoo-adapter.js'
import type { OdooConfigInput } from '../../erp-bridge/adapters/odoo/odoo-config.js'
import type { ExpenseVoucherAction, PurchaseAction } from '../../erp-bridge/erp-adapter.js'
import { seedOdoo, startOdooFake, type OdooFake } from '../fakes/odoo/odoo-fake.js'
import { rejection } from './erp-rejection.js'
import { BEIJING_TRIP, ODD_ORDERS, requestNumbers, rnd, sampleExpense, sampleHrChange, samplePurchase, TWO_THINKPADS } from './sample-actions.js'

let v17: OdooFake
let v19: OdooFake
let v16: OdooFake

beforeAll(async () => {
  ;[v16, v17, v19] = await Promise.all([startOdooFake({ major: 16 }), startOdooFake({ major: 17 }), startOdooFake({ major: 19 })])
  for (const fake of [v16, v17, v19]) seedOdoo(fake)
})
afterAll(() => Promise.all([v16, v17, v19].map((f) => f.close())))

function settings(fake: OdooFake, overrides: Partial<OdooConfigInput> = {}): OdooConfigInput {
  return { url: fake.url, database: fake.database, login: fake.login, apiKey: fake.apiKey, employeePayableAccount: '224101', purchaseProduct: 'MAT-001', timeoutMs: 2_000, ...overrides }
}

const nextKey = requestNumbers()

const voucher = (requestNo: string, overrides: Partial<ExpenseVoucherAction> = {}) =>
  sampleExpense({ ...BEIJING_TRIP, requestNo, department: rnd('CC100'), accountCode: '660201', ...overrides })
const purchase = (requestNo: string, overrides: Partial<PurchaseAction> = {}) => samplePurchase({ ...TWO_THINKPADS, requestNo, department: rnd(), supplierCode: 'S001', ...overrides })

const rows = (fake: OdooFake, model: string) => fake.orm.tables.get(model)!

describe.each([
  ['Odoo 17 over JSON-RPC', () => v17, 'jsonrpc'],
  ['Odoo 19 over JSON-2', () => v19, 'json2'],
] as const)('%s', (_label, fake, api) => {
  it('posts an expense voucher as a posted, balanced journal entry and finds it by ref', async () => {
    const adapter = new OdooAdapter(settings(fake()))
    const key = nextKey('BX')
    const document = await adapter.post(voucher(key), key)
    expect(document.documentNo).toMatch(/^MISC\/2026\/11\/\d{4}$/)
    const move = rows(fake(), 'account.move').find((m) => m.ref === key)!
    expect(move).toMatchObject({ state: 'posted', move_type: 'entry', date: '2026-11-25' })
    const lines = (move.line_ids as number[]).map((id) => rows(fake(), 'account.move.line').find((l) => l.id === id)!)
    expect(lines.map((l) => [l.debit, l.credit])).toEqual([[3500.5, 0], [0, 3500.5]])
    expect(Object.values(lines[0]!.analytic_distribution as object)).toEqual([100])
    expect(await new OdooAdapter(settings(fake())).find(key)).toEqual(document)
    expect(fake().calls.every((c) => c.api === api)).toBe(true)
  })

  it('posts the same key twice as one entry, and one confirmed purchase order', async () => {
    const adapter = new OdooAdapter(settings(fake()))
    const key = nextKey('BX')
    const entry = await adapter.post(voucher(key), key)
    expect(await adapter.post(voucher(key), key)).toEqual(entry)
    expect(rows(fake(), 'account.move').filter((m) => m.ref === key)).toHaveLength(1)

    const orderKey = nextKey('CG')
    const order = await adapter.post(purchase(orderKey), orderKey)
    expect(order.documentNo).toMatch(/^P\d{5}$/)
    expect(await adapter.post(purchase(orderKey), orderKey)).toEqual(order)
    const stored = rows(fake(), 'purchase.order').filter((o) => o.origin === orderKey)
    expect(stored).toHaveLength(1)
    expect(stored[0]!.state).toBe('purchase')
    const line = rows(fake(), 'purchase.order.line').find((l) => l.id === (stored[0]!.order_line as number[])[0])!
    expect(line).toMatchObject({ product_qty: 2, price_unit: 10000 })
    expect(await adapter.find(orderKey)).toEqual(order)
  })

  it('prices an order line so that quantity × unit price is the budget to the fen, however many cheap units', async () => {
    const adapter = new OdooAdapter(settings(fake()))
    for (const order of ODD_ORDERS) {
      const key = nextKey('CG')
      await adapter.post(purchase(key, order), key)
      const stored = rows(fake(), 'purchase.order').find((o) => o.origin === key)!
      const line = rows(fake(), 'purchase.order.line').find((l) => l.id === (stored.order_line as number[])[0])!
      expect(line.product_qty).toBe(order.quantity)
      expect(Math.round((line.price_unit as number) * order.quantity * 100)).toBe(order.budgetFen)
    }
  })

  it('finishes a draft left by an interrupted post instead of creating a second entry', async () => {
    const adapter = new OdooAdapter(settings(fake()))
    const key = nextKey('BX')
    fake().failNext({ method: 'action_post' }, { status: 503, body: '<h1>503 Service Unavailable</h1>' })
    expect((await rejection(adapter.post(voucher(key), key))).kind).toBe('transient')
    expect(await adapter.find(key)).toBeNull()
    const document = await adapter.post(voucher(key), key)
    expect(rows(fake(), 'account.move').filter((m) => m.ref === key)).toMatchObject([{ state: 'posted', name: document.documentNo }])
  })

  it('turns Odoo validation errors into permanent errors with Odoo’s message', async () => {
    const adapter = new OdooAdapter(settings(fake()))
    fake().orm.lockDate = '2026-11-30'
    try {
      const locked = nextKey('BX')
      const error = await rejection(adapter.post(voucher(locked), locked))
      expect(error.kind).toBe('permanent')
      expect(error.userMessage).toContain('Odoo 拒绝了此单据')
      expect(error.userMessage).toContain('lock date 2026-11-30')
    } finally {
      fake().orm.lockDate = null
    }
    const noSupplier = nextKey('CG')
    const unknown = await rejection(adapter.post(purchase(noSupplier, { supplierCode: 'S999' }), noSupplier))
    expect(unknown.userMessage).toContain('找不到供应商 S999')
  })

  it('treats 5xx and throttling as transient', async () => {
    const adapter = new OdooAdapter(settings(fake()))
    await adapter.testConnection()
    fake().failNext({}, { status: 502, body: 'Bad Gateway' })
    expect((await rejection(adapter.find(nextKey('BX')))).kind).toBe('transient')
    fake().failNext({}, { status: 429, headers: { 'retry-after': '12' }, body: 'Too Many Requests' })
    const throttled = await rejection(adapter.find(nextKey('BX')))
    expect(throttled.kind).toBe('transient')
    expect(throttled.userMessage).toContain('12 秒')
  })

  it('says plainly when the credentials are wrong', async () => {
    const error = await rejection(new OdooAdapter(settings(fake(), { apiKey: 'wrong-key' })).testConnection())
    expect(error.kind).toBe('permanent')
    expect(error.userMessage).toContain('Odoo 登录失败')
  })
})

describe('Odoo versions', () => {
  it('logs in again, once, when the cached uid stops working (JSON-RPC)', async () => {
    const adapter = new OdooAdapter(settings(v17))
    await adapter.testConnection()
    const before = v17.logins
    v17.recreateUser()
    const key = nextKey('BX')
    expect((await adapter.post(voucher(key), key)).documentNo).toMatch(/^MISC\//)
    expect(v17.logins).toBe(before + 1)
  })

  it('writes the expense amount in the field of each version', async () => {
    for (const fake of [v16, v19]) {
      const adapter = new OdooAdapter(settings(fake, { expenseDocument: 'employee_expense' }))
      const key = nextKey('BX')
      const document = await adapter.post(voucher(key), key)
      expect(await adapter.post(voucher(key), key)).toEqual(document)
      const expenses = rows(fake, 'hr.expense').filter((e) => String(e.name).startsWith(key))
      expect(expenses).toHaveLength(1)
      expect(expenses[0]).toMatchObject(fake === v16 ? { unit_amount: 3500.5, quantity: 1 } : { total_amount_currency: 3500.5 })
      expect(await adapter.find(key)).toEqual(document)
    }
  })

  it('uses JSON-2 with the bearer key and database header on 19, no login needed', async () => {
    const adapter = new OdooAdapter(settings(v19, { login: undefined }))
    const detail = (await adapter.testConnection()).detail
    expect(detail).toContain('Odoo 19（JSON-2）')
    const call = v19.calls.at(-1)!
    expect(call.headers.authorization).toBe(`bearer ${v19.apiKey}`)
    expect(call.headers['x-odoo-database']).toBe(v19.database)
  })

  it('refuses HR changes and projects, saying so', async () => {
    const adapter = new OdooAdapter(settings(v17))
    const error = await rejection(adapter.post(sampleHrChange(), 'RS-1'))
    expect(error).toMatchObject({ kind: 'permanent' })
    expect(error.userMessage).toContain('不处理人事变动')
  })
})
