import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ErpNextAdapter } from '../../erp-bridge/adapters/erpnext/erpnext-adapter.js'
import type { ErpNextConfigInput } from '../../erp-bridge/adapters/erpnext/erpnext-config.js'
import type { ExpenseVoucherAction, PurchaseAction } from '../../erp-bridge/erp-adapter.js'
import { startErpNextFake, type ErpNextFake } from '../fakes/erpnext/erpnext-fake.js'
import { rejection } from './erp-rejection.js'
import { BEIJING_TRIP, ODD_ORDERS, requestNumbers, rnd, sampleExpense, sampleHrChange, samplePurchase, sampleProject, TWO_THINKPADS, zhangsan } from './sample-actions.js'

let erpnext: ErpNextFake

beforeAll(async () => {
  erpnext = await startErpNextFake()
})
afterAll(() => erpnext.close())
beforeEach(() => erpnext.master.closedPeriods.clear())

function settings(overrides: Partial<ErpNextConfigInput> = {}): ErpNextConfigInput {
  return {
    url: erpnext.url,
    apiKey: erpnext.apiKey,
    apiSecret: erpnext.apiSecret,
    company: 'Acme (Demo)',
    employeePayableAccount: 'Payroll Payable - AD',
    warehouse: 'Stores - AD',
    purchaseItem: 'Purchase - General',
    expenseClaimTypes: { travel: 'Travel' },
    timeoutMs: 2_000,
    ...overrides,
  }
}

const nextKey = requestNumbers()

const voucher = (requestNo: string, overrides: Partial<ExpenseVoucherAction> = {}) =>
  sampleExpense({ ...BEIJING_TRIP, requestNo, employee: zhangsan('HR-EMP-00001'), department: rnd('R&D - AD'), accountCode: 'Travel Expenses - AD', ...overrides })
const purchase = (requestNo: string, overrides: Partial<PurchaseAction> = {}) => samplePurchase({ ...TWO_THINKPADS, requestNo, department: rnd('R&D - AD'), ...overrides })
const project = (requestNo: string) => sampleProject({ requestNo, title: '华东渠道拓展', budgetFen: 50_000_000, memo: '一期' })

const stored = (doctype: string, key: string) => erpnext.docs.get(doctype)!.filter((d) => d.external_ref === key)

describe('ERPNext adapter against a local Frappe site', () => {
  it('submits an expense voucher as a Journal Entry with the employee as party, once per key', async () => {
    const adapter = new ErpNextAdapter(settings())
    const key = nextKey('BX')
    const document = await adapter.post(voucher(key), key)
    expect(document.documentNo).toMatch(/^ACC-JV-2026-\d{5}$/)
    const [entry] = stored('Journal Entry', key)
    expect(entry).toMatchObject({ docstatus: 1, company: 'Acme (Demo)', posting_date: '2026-11-25' })
    expect(entry!.accounts).toEqual([
      { account: 'Travel Expenses - AD', debit_in_account_currency: 3500.5, credit_in_account_currency: 0, cost_center: 'R&D - AD' },
      { account: 'Payroll Payable - AD', debit_in_account_currency: 0, credit_in_account_currency: 3500.5, party_type: 'Employee', party: 'HR-EMP-00001' },
    ])
    expect(erpnext.requests.at(-1)!.headers.authorization).toBe(`token ${erpnext.apiKey}:${erpnext.apiSecret}`)
    expect(await adapter.post(voucher(key), key)).toEqual(document)
    expect(stored('Journal Entry', key)).toHaveLength(1)
    expect(await new ErpNextAdapter(settings()).find(key)).toEqual(document)
  })

  it('submits an approved Expense Claim when set to', async () => {
    const adapter = new ErpNextAdapter(settings({ expenseDocument: 'expense_claim' }))
    const key = nextKey('BX')
    const document = await adapter.post(voucher(key), key)
    expect(document.documentNo).toMatch(/^HR-EXP-2026-\d{5}$/)
    expect(stored('Expense Claim', key)).toMatchObject([{ docstatus: 1, approval_status: 'Approved', employee: 'HR-EMP-00001', expenses: [{ expense_type: 'Travel', amount: 3500.5, sanctioned_amount: 3500.5 }] }])
    expect(await adapter.find(key)).toEqual(document)
  })

  it('submits a Material Request, or a Purchase Order with the supplier, once per key', async () => {
    const requests = new ErpNextAdapter(settings())
    const key = nextKey('CG')
    const request = await requests.post(purchase(key), key)
    expect(request.documentNo).toMatch(/^MAT-MR-2026-\d{5}$/)
    expect(stored('Material Request', key)).toMatchObject([{ docstatus: 1, material_request_type: 'Purchase', items: [{ item_code: 'Purchase - General', qty: 2, rate: 10000, warehouse: 'Stores - AD' }] }])
    expect(await requests.post(purchase(key), key)).toEqual(request)
    expect(await requests.find(key)).toEqual(request)

    const orders = new ErpNextAdapter(settings({ purchaseDocument: 'purchase_order' }))
    const orderKey = nextKey('CG')
    const order = await orders.post(purchase(orderKey, { supplierCode: 'Lenovo', materialCode: 'MAT-001' }), orderKey)
    expect(order.documentNo).toMatch(/^PUR-ORD-2026-\d{5}$/)
    expect(stored('Purchase Order', orderKey)).toMatchObject([{ docstatus: 1, supplier: 'Lenovo', items: [{ item_code: 'MAT-001' }] }])
    expect(await orders.post(purchase(orderKey, { supplierCode: 'Lenovo', materialCode: 'MAT-001' }), orderKey)).toEqual(order)
    expect(stored('Purchase Order', orderKey)).toHaveLength(1)
  })

  it('rates a purchase line so that qty × rate is the budget to the fen, however many cheap units', async () => {
    const adapter = new ErpNextAdapter(settings())
    for (const order of ODD_ORDERS) {
      const key = nextKey('CG')
      await adapter.post(purchase(key, order), key)
      const [item] = stored('Material Request', key)[0]!.items as { qty: number; rate: number }[]
      expect(item!.qty).toBe(order.quantity)
      expect(Math.round(item!.rate * order.quantity * 100)).toBe(order.budgetFen)
    }
  })

  it('creates a Project with the budget as its estimated cost, once per key', async () => {
    const adapter = new ErpNextAdapter(settings())
    const key = nextKey('LX')
    const document = await adapter.post(project(key), key)
    expect(document.documentNo).toMatch(/^PROJ-\d{4}$/)
    expect(stored('Project', key)).toMatchObject([{ project_name: '华东渠道拓展', estimated_costing: 500000, docstatus: 0 }])
    expect(await adapter.post(project(key), key)).toEqual(document)
    expect(stored('Project', key)).toHaveLength(1)
    expect(await adapter.find(key)).toEqual(document)
  })

  it('answers a lost race with the document that won it, and submits a draft left behind', async () => {
    const adapter = new ErpNextAdapter(settings())
    const key = nextKey('BX')
    const winner = await adapter.post(voucher(key), key)
    // Our lookup runs before the other worker's insert commits: the insert then hits the unique field.
    erpnext.failNext({ method: 'GET', path: /Journal Entry/ }, { status: 200, headers: { 'content-type': 'application/json' }, body: '{"data":[]}' })
    expect(await adapter.post(voucher(key), key)).toEqual(winner)
    expect(stored('Journal Entry', key)).toHaveLength(1)

    const draftKey = nextKey('BX')
    erpnext.docs.get('Journal Entry')!.push({ ...stored('Journal Entry', key)[0], name: 'ACC-JV-2026-99999', external_ref: draftKey, docstatus: 0 })
    expect(await adapter.find(draftKey)).toBeNull()
    expect(await adapter.post(voucher(draftKey), draftKey)).toEqual({ documentNo: 'ACC-JV-2026-99999' })
    expect(stored('Journal Entry', draftKey)).toMatchObject([{ docstatus: 1 }])
  })

  it('says plainly when the API key is wrong', async () => {
    const error = await rejection(new ErpNextAdapter(settings({ apiSecret: 'wrong' })).testConnection())
    expect(error.kind).toBe('permanent')
    expect(error.userMessage).toContain('ERPNext 认证失败')
  })

  it('treats 5xx and throttling as transient, and a gateway timeout on a write as unknown', async () => {
    const adapter = new ErpNextAdapter(settings())
    erpnext.failNext({ method: 'GET' }, { status: 502, body: '<html>502 Bad Gateway</html>' })
    expect((await rejection(adapter.find(nextKey('BX')))).kind).toBe('transient')
    erpnext.failNext({ method: 'GET' }, { status: 429, headers: { 'retry-after': '60', 'content-type': 'application/json' }, body: JSON.stringify({ exc_type: 'TooManyRequestsError' }) })
    const throttled = await rejection(adapter.find(nextKey('BX')))
    expect(throttled.kind).toBe('transient')
    expect(throttled.userMessage).toContain('60 秒')
    const key = nextKey('BX')
    erpnext.failNext({ method: 'POST' }, { status: 504, body: 'Gateway Time-out' })
    expect((await rejection(adapter.post(voucher(key), key))).kind).toBe('unknown')
  })

  it('turns ERPNext validation errors into permanent errors with ERPNext’s message', async () => {
    const adapter = new ErpNextAdapter(settings())
    erpnext.master.closedPeriods.add('2026-11')
    const closedKey = nextKey('BX')
    const closed = await rejection(adapter.post(voucher(closedKey), closedKey))
    expect(closed.kind).toBe('permanent')
    expect(closed.userMessage).toContain('会计期间已关闭')
    expect(closed.userMessage).toContain('closed Accounting Period 2026-11')

    const centreKey = nextKey('BX')
    const centre = await rejection(adapter.post(voucher(centreKey, { department: { id: 'd9', name: '市场部', costCenter: 'Sales - AD' } }), centreKey))
    expect(centre.userMessage).toContain('ERPNext 中找不到Cost Center「Sales - AD」')
  })

  it('names the doctypes that lack the unique key field', async () => {
    erpnext.withKeyField.delete('Material Request')
    try {
      const error = await rejection(new ErpNextAdapter(settings()).testConnection())
      expect(error.userMessage).toContain('Material Request')
      const key = nextKey('CG')
      const posting = await rejection(new ErpNextAdapter(settings()).post(purchase(key), key))
      expect(posting.kind).toBe('permanent')
      expect(posting.userMessage).toContain('缺少自定义字段 external_ref')
    } finally {
      erpnext.withKeyField.add('Material Request')
    }
    expect((await new ErpNextAdapter(settings()).testConnection()).detail).toContain('bridge@example.com')
  })

  it('refuses HR changes, saying so', async () => {
    const error = await rejection(new ErpNextAdapter(settings()).post(sampleHrChange({ change: 'transfer' }), 'RS-1'))
    expect(error).toMatchObject({ kind: 'permanent' })
    expect(error.userMessage).toContain('不处理人事变动')
  })
})
