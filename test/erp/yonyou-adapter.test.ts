import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { YonyouAdapter } from '../../erp-bridge/adapters/yonyou/yonyou-adapter.js'
import type { YonyouConfigInput } from '../../erp-bridge/adapters/yonyou/yonyou-config.js'
import type { ExpenseVoucherAction, PurchaseAction } from '../../erp-bridge/erp-adapter.js'
import { companyDate } from '../../workflow/shanghai-time.js'
import { BATCH_PARTLY_FAILED, TOKEN_ILLEGAL } from '../fakes/yonyou/yonbip-fixtures.js'
import { startFakeYonBip, type FakeYonBip, type FakeYonBipOptions } from '../fakes/yonyou/yonbip-server.js'
import { rejection } from './erp-rejection.js'
import { sampleExpense, sampleHrChange, samplePurchase, sampleProject } from './sample-actions.js'

/** The Yonyou adapter against a fake YonBIP open platform (lookup, token, gateway); every document is read back from the fake. */

let fake: FakeYonBip

async function start(options: FakeYonBipOptions = {}) {
  await fake?.close()
  fake = await startFakeYonBip(options)
}
beforeEach(() => start())
afterEach(() => fake.close())

function settings(overrides: Partial<YonyouConfigInput> = {}): YonyouConfigInput {
  return {
    ...fake.identity,
    discoveryUrl: fake.url,
    timeoutMs: 1_000,
    orgCode: 'ORG01',
    expense: { document: 'expenseBill', transactionType: 'BX01', expenseItems: { travel: 'FY01', meal: 'FY02' }, settlementMethod: 'SM01' },
    ...overrides,
  }
}

const voucherExpense = (): Partial<YonyouConfigInput> => ({
  expense: { document: 'voucher', accountBook: 'ZB01', expenseAccounts: { travel: '660201' }, payableAccount: '224101', employeeAuxiliary: '0004' },
})

const today = companyDate(Date.now())

const expense = (overrides: Partial<ExpenseVoucherAction> = {}) => sampleExpense({ date: today, ...overrides })
const purchase = (overrides: Partial<PurchaseAction> = {}) => samplePurchase({ date: today, materialCode: 'MAT-001', ...overrides })

const docs = (kind: 'expensebill' | 'voucher' | 'applyorder' | 'purchaseorder') => fake.documents.of(kind)
const gatewayCalls = () => fake.calls.filter((c) => c.path.startsWith('/iuap-api-gateway/'))

describe('Yonyou adapter: each request type posts and reads back', () => {
  it('posts an expense as a 通用报销单 with resubmitCheckKey, the token in the query string', async () => {
    const adapter = new YonyouAdapter(settings())
    const document = await adapter.post(expense(), 'BX-202611-0001')
    const [bill] = docs('expensebill')
    expect(bill).toMatchObject({ code: document.documentNo, status: 0 })
    expect(bill!.body).toMatchObject({ pk_handlepsn: 'E001', vfinacedeptid: 'BM001', nsummny: 128.5, vreason: '上海出差高铁票 CVN:BX-202611-0001;', resubmitCheckKey: expect.stringMatching(/^[0-9a-f]{32}$/) })
    expect(await adapter.find('BX-202611-0001')).toEqual(document)
    expect(await adapter.find('BX-202611-0002')).toBeNull()
    expect(gatewayCalls().every((c) => c.query.get('access_token') && !c.headers.authorization)).toBe(true)
    expect(fake.calls.filter((c) => c.path.endsWith('getGatewayAddress'))).toHaveLength(1)
  })

  it('posts an expense as a balanced 凭证 with businessId and the employee as 辅助核算, and finds it by period', async () => {
    const adapter = new YonyouAdapter(settings(voucherExpense()))
    const document = await adapter.post(expense(), 'BX-202611-0001')
    const [voucher] = docs('voucher')
    expect(document.documentNo).toBe(`${today.slice(0, 7)} 第1号`)
    expect(voucher!.body).toMatchObject({
      accbookCode: 'ZB01',
      businessId: expect.stringMatching(/^[0-9a-f]{32}$/),
      bodies: [
        { accsubjectCode: '660201', debitOriginal: 128.5, debitOrg: 128.5 },
        { accsubjectCode: '224101', creditOriginal: 128.5, creditOrg: 128.5, clientAuxiliaryList: [{ filedCode: '0004', valueCode: 'E001' }] },
      ],
    })
    expect(await adapter.find('BX-202611-0001')).toEqual(document)
  })

  it('takes the account from the expense-category mapping before the settings', async () => {
    const adapter = new YonyouAdapter(settings({ expense: { document: 'voucher', accountBook: 'ZB01', payableAccount: '224101' } }))
    expect(adapter.mappingPolicy.required['expense.voucher']).toEqual(['expense_category'])
    await adapter.post(expense({ accountCode: '660201' }), 'BX-1')
    expect(docs('voucher')[0]!.body.bodies).toMatchObject([{ accsubjectCode: '660201' }, { accsubjectCode: '224101' }])
  })

  it('asks for the mappings each configured document needs', () => {
    expect(new YonyouAdapter(settings()).mappingPolicy).toEqual({
      required: { 'expense.voucher': ['employee', 'department'], 'purchase.requisition': ['purchase_item'] },
      masterCodes: ['department', 'employee'],
    })
  })

  it('posts a purchase request as a 请购单, submitted and audited', async () => {
    const adapter = new YonyouAdapter(settings())
    const document = await adapter.post(purchase({ supplierCode: 'S001', neededBy: '2026-12-01' }), 'CG-202611-0001')
    const [order] = docs('applyorder')
    expect(order).toMatchObject({ code: document.documentNo, status: 1 })
    expect(order!.body).toMatchObject({ bustype: 'A25001', vouchdate: `${today} 00:00:00`, headItem: { define1: 'CG-202611-0001' }, applyOrders: [{ product_cCode: 'MAT-001', qty: 2, oriTaxUnitPrice: 6500, oriSum: 13000, requirementDate: '2026-12-01 00:00:00', adviseSupplier_code: 'S001' }] })
    expect(await adapter.find('CG-202611-0001')).toEqual(document)
  })

  it('posts a purchase request as a 采购订单 when configured, and needs the supplier for it', async () => {
    const adapter = new YonyouAdapter(settings({ purchase: { document: 'order' } }))
    expect((await rejection(adapter.post(purchase(), 'CG-1'))).userMessage).toMatch(/^未配置映射：采购「笔记本电脑」的供应商 → 用友供应商编码/)
    const document = await adapter.post(purchase({ supplierCode: 'S001' }), 'CG-1')
    expect(docs('purchaseorder')).toMatchObject([{ code: document.documentNo, status: 1, body: { vendor_code: 'S001', headItem: { define1: 'CG-1' } } }])
  })

  it('says plainly that HR changes and projects are not posted to YonBIP', async () => {
    const adapter = new YonyouAdapter(settings())
    const hr = await rejection(adapter.post(sampleHrChange({ change: 'transfer' }), 'RS-1'))
    expect(hr).toMatchObject({ kind: 'permanent', userMessage: expect.stringMatching(/^用友对接不处理人事变动/) })
    expect((await rejection(adapter.post(sampleProject(), 'XM-1'))).userMessage).toMatch(/^用友对接不处理立项申请/)
    expect(fake.calls).toHaveLength(0)
  })
})

describe('Yonyou adapter: idempotency', () => {
  it.each([
    { name: '通用报销单', config: {}, action: () => expense(), kind: 'expensebill' },
    { name: '凭证', config: voucherExpense(), action: () => expense(), kind: 'voucher' },
    { name: '请购单', config: {}, action: () => purchase(), kind: 'applyorder' },
  ] as const)('creates one $name when the same key is posted twice', async ({ config, action, kind }) => {
    const first = await new YonyouAdapter(settings(config)).post(action(), 'K-1')
    const second = await new YonyouAdapter(settings(config)).post(action(), 'K-1')
    expect(second).toEqual(first)
    expect(docs(kind)).toHaveLength(1)
  })

  it('answers a refused repeat of resubmitCheckKey with the bill the first submission created', async () => {
    const adapter = new YonyouAdapter(settings())
    const first = await adapter.post(expense(), 'BX-1')
    // The lookup misses (e.g. the first save's reply was lost and the list lags); YonBIP refuses the repeat.
    fake.inject({ path: '/yonbip/znbz/rbsm/api/bill/expensebill/list', status: 200, body: JSON.stringify({ code: '200', message: '操作成功', data: { recordCount: 0, recordList: [] } }) })
    expect(await adapter.post(expense(), 'BX-1')).toEqual(first)
    expect(docs('expensebill')).toHaveLength(1)
    expect(fake.calls.filter((c) => c.path.endsWith('/expensebill/save'))).toHaveLength(2)
  })

  it('answers a refused repeat of a voucher businessId with the existing voucher', async () => {
    const adapter = new YonyouAdapter(settings(voucherExpense()))
    const first = await adapter.post(expense(), 'BX-1')
    fake.inject({ path: '/yonbip/fi/ficloud/openapi/voucher/queryVouchers', status: 200, body: JSON.stringify({ code: '200', data: { recordCount: 0, recordList: [] } }) })
    expect(await adapter.post(expense(), 'BX-1')).toEqual(first)
    expect(docs('voucher')).toHaveLength(1)
  })

  it('finishes an order an interrupted post saved and submitted but did not audit', async () => {
    const adapter = new YonyouAdapter(settings({ purchase: { document: 'order' } }))
    fake.inject({ path: '/yonbip/scm/purchaseorder/batchaudit', status: 503, body: '<h1>503</h1>' })
    expect((await rejection(adapter.post(purchase({ supplierCode: 'S001' }), 'CG-9'))).kind).toBe('transient')
    expect(docs('purchaseorder')).toMatchObject([{ status: 3 }])
    expect(await adapter.find('CG-9')).toBeNull()
    const document = await adapter.post(purchase({ supplierCode: 'S001' }), 'CG-9')
    expect(docs('purchaseorder')).toMatchObject([{ code: document.documentNo, status: 1 }])
    expect(fake.calls.filter((c) => c.path.endsWith('/singleSave_v1'))).toHaveLength(1)
  })

  it('reports a batch audit that failed a row, though the reply code is 200', async () => {
    const adapter = new YonyouAdapter(settings())
    fake.inject({ path: '/yonbip/scm/applyorder/batchaudit', status: 200, body: BATCH_PARTLY_FAILED })
    const error = await rejection(adapter.post(purchase(), 'CG-1'))
    expect(error).toMatchObject({ kind: 'permanent', userMessage: '用友拒绝了此单据：单据[CG00000001]已审核，不能重复审核（YonBIP rejected the document）' })
  })
})

describe('Yonyou adapter: tokens and credentials', () => {
  it('gets a token once and fetches a new one once when YonBIP calls it 非法token', async () => {
    const adapter = new YonyouAdapter(settings())
    await adapter.post(expense(), 'BX-1')
    expect(fake.tokensIssued).toBe(1)
    fake.revokeTokens()
    await adapter.post(expense(), 'BX-2')
    expect(fake.tokensIssued).toBe(2)
    expect(docs('expensebill')).toHaveLength(2)
  })

  it('gives up with a permanent error when a fresh token is refused too', async () => {
    const adapter = new YonyouAdapter(settings())
    fake.inject({ status: 200, body: TOKEN_ILLEGAL }, { status: 200, body: TOKEN_ILLEGAL })
    const error = await rejection(adapter.post(expense(), 'BX-1'))
    expect(error).toMatchObject({ kind: 'permanent', userMessage: expect.stringMatching(/^用友拒绝了刚取得的访问令牌（非法token）/) })
    expect(fake.tokensIssued).toBe(2)
  })

  it('refreshes a token before it runs out', async () => {
    await start({ tokenTtlSeconds: 1 })
    const adapter = new YonyouAdapter(settings())
    await adapter.post(expense(), 'BX-1')
    await new Promise((resolve) => setTimeout(resolve, 950))
    await adapter.post(expense(), 'BX-2')
    expect(fake.tokensIssued).toBe(2)
    // No call was refused and repeated: lookup + save per post.
    expect(gatewayCalls()).toHaveLength(4)
  })

  it.each([
    { name: 'a wrong appSecret', change: () => ({ appSecret: 'wrong' }), text: /^用友拒绝了应用凭据：签名校验失败/ },
    { name: 'an unknown appKey', change: () => ({ appKey: 'nope' }), text: /^用友拒绝了应用凭据：应用不存在或appKey已停用/ },
    { name: 'an unknown tenant', change: () => ({ tenantId: 'nope' }), text: /^用友找不到租户 nope 的数据中心：未查询到租户所在数据中心/ },
  ])('reports $name as a permanent, readable error', async ({ change, text }) => {
    const error = await rejection(new YonyouAdapter(settings(change())).post(expense(), 'BX-1'))
    expect(error.kind).toBe('permanent')
    expect(error.userMessage).toMatch(text)
  })
})

describe('Yonyou adapter: failures', () => {
  it.each([
    { name: 'throttling code 310046', fault: { status: 200, body: '{"code":"310046","message":"API调用次数超过限制"}' }, kind: 'transient', text: /限流 310046/ },
    { name: 'HTTP 429', fault: { status: 429, body: 'Too Many Requests' }, kind: 'transient', text: /调用过于频繁/ },
    { name: 'HTTP 503', fault: { status: 503, body: '<h1>503</h1>' }, kind: 'transient', text: /HTTP 503/ },
    { name: 'HTTP 504 on the save', fault: { status: 504, body: 'Gateway Timeout', path: '/yonbip/znbz/rbsm/api/bill/expensebill/save' }, kind: 'unknown', text: /单据可能已经生成/ },
  ] as const)('treats $name as $kind', async ({ fault, kind, text }) => {
    fake.inject(fault)
    const error = await rejection(new YonyouAdapter(settings()).post(expense(), 'BX-1'))
    expect(error.kind).toBe(kind)
    expect(error.userMessage).toMatch(text)
  })

  it('treats a save that times out as unknown', async () => {
    fake.inject({ path: '/yonbip/znbz/rbsm/api/bill/expensebill/save', hang: true })
    expect((await rejection(new YonyouAdapter(settings({ timeoutMs: 300 })).post(expense(), 'BX-1'))).kind).toBe('unknown')
  })

  it("passes on YonBIP's validation message", async () => {
    const error = await rejection(new YonyouAdapter(settings()).post(expense({ employee: { id: 'u9', name: '王九', erpCode: 'E999' } }), 'BX-1'))
    expect(error).toMatchObject({ kind: 'permanent', userMessage: '用友拒绝了此单据：报销人[E999]在系统中不存在或已停用（YonBIP rejected the document）' })
  })

  it('refuses a missing mapping before calling YonBIP', async () => {
    const error = await rejection(new YonyouAdapter(settings()).post(expense({ department: { id: 'd1', name: '研发部' } }), 'BX-1'))
    expect(error.userMessage).toBe('未配置映射：部门 研发部 → 用友部门编码（no YonBIP department for 研发部）')
    expect(fake.calls).toHaveLength(0)
  })
})

describe('Yonyou adapter: 测试连接', () => {
  it('looks up the tenant, gets a token and lists the documents it posts', async () => {
    const result = await new YonyouAdapter(settings()).testConnection()
    expect(result.detail).toContain(`租户 ${fake.identity.tenantId}`)
    expect(gatewayCalls().map((c) => c.path)).toEqual(['/iuap-api-gateway/yonbip/znbz/rbsm/api/bill/expensebill/list', '/iuap-api-gateway/yonbip/scm/applyorder/list'])
  })
})
