import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { KingdeeAdapter } from '../../erp-bridge/adapters/kingdee/kingdee-adapter.js'
import type { KingdeeConfigInput } from '../../erp-bridge/adapters/kingdee/kingdee-config.js'
import type { PurchaseAction } from '../../erp-bridge/erp-adapter.js'
import { startFakeK3Cloud, type FakeK3Cloud, type FakeK3Options } from '../fakes/kingdee/k3cloud-server.js'
import { rejection } from './erp-rejection.js'
import { sampleExpense, sampleHrChange, samplePurchase, sampleProject } from './sample-actions.js'

/** The Kingdee adapter against a fake K/3 Cloud site speaking the WebAPI wire protocol; every bill is read back from the fake. */

let fake: FakeK3Cloud

async function start(options: FakeK3Options = {}) {
  await fake?.close()
  fake = await startFakeK3Cloud(options)
}
beforeEach(() => start())
afterEach(() => fake.close())

function settings(overrides: Partial<KingdeeConfigInput> = {}): KingdeeConfigInput {
  const { acctId, username, appId, appSecret } = fake.identity
  return {
    url: fake.url,
    acctId,
    username,
    authMode: 'appSecret',
    appId,
    appSecret,
    orgNumber: '100',
    timeoutMs: 1_000,
    expense: { document: 'reimbursement', expenseItems: { travel: 'FYXM01', meal: 'FYXM02' } },
    ...overrides,
  }
}

const voucherSettings = (): Partial<KingdeeConfigInput> => ({
  expense: { document: 'voucher', accountBook: '001', expenseAccounts: { travel: '6602.01' }, payableAccount: '2241.01' },
})

const expense = sampleExpense
const purchase = (overrides: Partial<PurchaseAction> = {}) => samplePurchase({ materialCode: 'MAT-001', ...overrides })

const billsOf = (formId: string) => fake.bills.bills.filter((b) => b.formId === formId)

describe('Kingdee adapter: each request type posts and reads back', () => {
  it('posts an expense as an audited 费用报销单 carrying the marker in 事由', async () => {
    const adapter = new KingdeeAdapter(settings())
    const document = await adapter.post(expense(), 'BX-202611-0001')
    const [bill] = billsOf('ER_ExpReimbursement')
    expect(bill).toMatchObject({ number: document.documentNo, status: 'C' })
    expect(bill!.model).toMatchObject({
      FBillTypeID: { FNUMBER: 'FYBXD001_SYS' },
      FProposerID: { FSTAFFNUMBER: 'E001' },
      FExpenseDeptID: { FNumber: 'BM001' },
      FCausa: '上海出差高铁票 CVN:BX-202611-0001;',
      FEntity: [{ FExpID: { FNumber: 'FYXM01' }, FTaxSubmitAmt: 128.5 }],
    })
    expect(await adapter.find('BX-202611-0001')).toEqual(document)
    expect(await adapter.find('BX-202611-0002')).toBeNull()
  })

  it('posts an expense as a balanced 凭证 with the employee on the payable line', async () => {
    const adapter = new KingdeeAdapter(settings({ expense: { document: 'voucher', accountBook: '001', expenseAccounts: { travel: '6602.01' }, payableAccount: '2241.01', employeeFlexField: 'FDETAILID__FFLEX7' } }))
    const document = await adapter.post(expense(), 'BX-202611-0001')
    const [voucher] = billsOf('GL_VOUCHER')
    expect(voucher).toMatchObject({ number: document.documentNo, status: 'C' })
    expect(voucher!.model.FEntity).toMatchObject([
      { FACCOUNTID: { FNumber: '6602.01' }, FDEBIT: 128.5, FCREDIT: 0 },
      { FACCOUNTID: { FNumber: '2241.01' }, FDEBIT: 0, FCREDIT: 128.5, FDetailID: { FDETAILID__FFLEX7: { FNumber: 'E001' } } },
    ])
    // The marker sits on every entry line, so the query sees the voucher twice; find reports it once.
    expect(await adapter.find('BX-202611-0001')).toEqual(document)
  })

  it('takes the account from the expense-category mapping before the settings', async () => {
    const adapter = new KingdeeAdapter(settings({ expense: { document: 'voucher', accountBook: '001', payableAccount: '2241.01' } }))
    expect(adapter.mappingPolicy.required['expense.voucher']).toEqual(['expense_category'])
    await adapter.post(expense({ category: 'meal', accountCode: '6602.02' }), 'BX-1')
    expect(billsOf('GL_VOUCHER')[0]!.model.FEntity).toMatchObject([{ FACCOUNTID: { FNumber: '6602.02' } }, { FACCOUNTID: { FNumber: '2241.01' } }])
  })

  it('posts a purchase request as an audited 采购申请单', async () => {
    const adapter = new KingdeeAdapter(settings())
    const document = await adapter.post(purchase({ supplierCode: 'S001', neededBy: '2026-12-01' }), 'CG-202611-0001')
    const [bill] = billsOf('PUR_Requisition')
    expect(bill).toMatchObject({ number: document.documentNo, status: 'C' })
    expect(bill!.model).toMatchObject({ FApplicantId: { FSTAFFNUMBER: 'E001' }, FNote: expect.stringContaining('CVN:CG-202611-0001;') })
    expect(bill!.model.FEntity).toMatchObject([{ FMaterialId: { FNumber: 'MAT-001' }, FReqQty: 2, FEvaluatePrice: 6500, FArrivalDate: '2026-12-01', FSuggestSupplierId: { FNumber: 'S001' } }])
    expect(await adapter.find('CG-202611-0001')).toEqual(document)
  })

  it('posts a purchase request as an audited 采购订单 when configured, and needs the supplier for it', async () => {
    const adapter = new KingdeeAdapter(settings({ purchase: { document: 'order' } }))
    const noSupplier = await rejection(adapter.post(purchase(), 'CG-202611-0001'))
    expect(noSupplier.kind).toBe('permanent')
    expect(noSupplier.userMessage).toMatch(/^未配置映射：采购「笔记本电脑」的供应商/)
    const document = await adapter.post(purchase({ supplierCode: 'S001' }), 'CG-202611-0001')
    expect(billsOf('PUR_PurchaseOrder')).toMatchObject([{ number: document.documentNo, status: 'C', model: { FSupplierId: { FNumber: 'S001' } } }])
  })

  it('says plainly that HR changes and projects are not posted to Kingdee', async () => {
    const adapter = new KingdeeAdapter(settings())
    const hr = await rejection(adapter.post(sampleHrChange(), 'RS-1'))
    expect(hr).toMatchObject({ kind: 'permanent', userMessage: expect.stringMatching(/^金蝶云·星空对接不处理人事变动/) })
    const project = await rejection(adapter.post(sampleProject(), 'XM-1'))
    expect(project.userMessage).toMatch(/^金蝶云·星空对接不处理立项申请/)
    expect(fake.calls).toHaveLength(0)
  })
})

describe('Kingdee adapter: idempotency', () => {
  it('creates one bill when the same key is posted twice', async () => {
    const adapter = new KingdeeAdapter(settings())
    const first = await adapter.post(expense(), 'BX-202611-0001')
    const second = await new KingdeeAdapter(settings()).post(expense(), 'BX-202611-0001')
    expect(second).toEqual(first)
    expect(billsOf('ER_ExpReimbursement')).toHaveLength(1)
  })

  it('finishes a bill an interrupted post saved but did not submit, without saving it again', async () => {
    const adapter = new KingdeeAdapter(settings(voucherSettings()))
    fake.inject({ service: 'DynamicFormService.Submit', status: 503 })
    const outage = await rejection(adapter.post(expense(), 'BX-202611-0009'))
    expect(outage.kind).toBe('transient')
    expect(billsOf('GL_VOUCHER')).toMatchObject([{ status: 'A' }])
    expect(await adapter.find('BX-202611-0009')).toBeNull()
    const document = await adapter.post(expense(), 'BX-202611-0009')
    expect(billsOf('GL_VOUCHER')).toMatchObject([{ number: document.documentNo, status: 'C' }])
    expect(fake.calls.filter((c) => c.service === 'DynamicFormService.Save')).toHaveLength(1)
  })

  it('finds keys with LIKE wildcards and quotes exactly, and only their own bill', async () => {
    const adapter = new KingdeeAdapter(settings())
    await adapter.post(expense(), "BX_1%'a")
    await adapter.post(expense({ amountFen: 200 }), 'BXx1%\'a')
    expect(billsOf('ER_ExpReimbursement')).toHaveLength(2)
    expect((await adapter.find("BX_1%'a"))?.documentNo).toBe(billsOf('ER_ExpReimbursement')[0]!.number)
  })
})

describe('Kingdee adapter: sessions and credentials', () => {
  it('logs in once, reuses the kdservice-sessionid cookie, and logs in again once when the session is lost', async () => {
    const adapter = new KingdeeAdapter(settings())
    await adapter.post(expense(), 'BX-1')
    expect(fake.logins).toBe(1)
    const afterLogin = fake.calls.filter((c) => !c.service.startsWith('AuthService'))
    expect(afterLogin.every((c) => /kdservice-sessionid=\w+/.test(String(c.headers.cookie)))).toBe(true)
    fake.expireSessions()
    await adapter.post(expense(), 'BX-2')
    expect(fake.logins).toBe(2)
    expect(billsOf('ER_ExpReimbursement')).toHaveLength(2)
  })

  it('logs in with LoginBySign', async () => {
    const adapter = new KingdeeAdapter(settings({ authMode: 'loginBySign' }))
    await adapter.post(expense(), 'BX-1')
    expect(fake.logins).toBe(1)
    expect(fake.calls[0]!.service).toBe('AuthService.LoginBySign')
  })

  it('reports a wrong app secret as a permanent, readable login failure', async () => {
    const adapter = new KingdeeAdapter(settings({ appSecret: 'wrong' }))
    const error = await rejection(adapter.post(expense(), 'BX-1'))
    expect(error.kind).toBe('permanent')
    expect(error.userMessage).toMatch(/^金蝶登录失败：第三方系统登录授权验证失败/)
    expect(billsOf('ER_ExpReimbursement')).toHaveLength(0)
  })

  it('reports a wrong 账套ID as such', async () => {
    const error = await rejection(new KingdeeAdapter(settings({ acctId: 'nope' })).testConnection())
    expect(error).toMatchObject({ kind: 'permanent', userMessage: expect.stringMatching(/^金蝶账套ID不正确/) })
  })

  it('signs every request in signed-header mode, without a login call, and re-signs when the session is lost', async () => {
    const adapter = new KingdeeAdapter(settings({ authMode: 'signedHeaders' }))
    await adapter.post(expense(), 'BX-1')
    fake.expireSessions()
    await adapter.post(expense(), 'BX-2')
    expect(fake.logins).toBe(0)
    expect(billsOf('ER_ExpReimbursement')).toHaveLength(2)
    expect(fake.calls.every((c) => c.headers['x-api-signature'] && c.headers['x-api-signheaders'] === 'x-api-timestamp,x-api-nonce')).toBe(true)
  })

  it('gives up with a permanent error when signed headers are refused', async () => {
    const adapter = new KingdeeAdapter(settings({ authMode: 'signedHeaders', appSecret: 'wrong' }))
    const error = await rejection(adapter.post(expense(), 'BX-1'))
    expect(error).toMatchObject({ kind: 'permanent', userMessage: expect.stringMatching(/^金蝶拒绝了登录凭据（会话信息已丢失）/) })
    // One try, one re-signed retry, then stop.
    expect(fake.calls).toHaveLength(2)
  })

  it('passes the public gateway with second timestamps, and explains its 519 refusal of a session login', async () => {
    await start({ gateway: true })
    await new KingdeeAdapter(settings({ authMode: 'signedHeaders' })).post(expense(), 'BX-1')
    expect(billsOf('ER_ExpReimbursement')).toHaveLength(1)
    const error = await rejection(new KingdeeAdapter(settings()).post(expense(), 'BX-2'))
    expect(error).toMatchObject({ kind: 'permanent', userMessage: expect.stringMatching(/^金蝶网关认证失败：认证失败, 应用ID为空\[网关\]/) })
  })
})

describe('Kingdee adapter: failures', () => {
  it.each([
    { name: 'HTTP 503', fault: { status: 503 }, kind: 'transient', text: /HTTP 503/ },
    { name: 'throttling (HTTP 429)', fault: { status: 429 }, kind: 'transient', text: /请求过于频繁/ },
    { name: 'a gateway timeout on the lookup', fault: { status: 504 }, kind: 'transient', text: /HTTP 504/ },
    { name: 'a gateway timeout on the save', fault: { status: 504, service: 'DynamicFormService.Save' }, kind: 'unknown', text: /单据可能已经生成/ },
  ] as const)('treats $name as $kind', async ({ fault, kind, text }) => {
    const adapter = new KingdeeAdapter(settings())
    await adapter.testConnection()
    fake.inject(fault)
    const error = await rejection(adapter.post(expense(), 'BX-1'))
    expect(error.kind).toBe(kind)
    expect(error.userMessage).toMatch(text)
  })

  it('treats a save that times out as unknown, and a query that times out as transient', async () => {
    const adapter = new KingdeeAdapter(settings({ timeoutMs: 300 }))
    await adapter.testConnection()
    fake.inject({ service: 'DynamicFormService.Save', hang: true })
    expect((await rejection(adapter.post(expense(), 'BX-1'))).kind).toBe('unknown')
    fake.inject({ hang: true })
    expect((await rejection(adapter.find('BX-1'))).kind).toBe('transient')
  })

  it('passes on the ERP validation message when base data is unknown', async () => {
    const adapter = new KingdeeAdapter(settings())
    const error = await rejection(adapter.post(expense({ employee: { id: 'u9', name: '王九', erpCode: 'E999' } }), 'BX-1'))
    expect(error.kind).toBe('permanent')
    expect(error.userMessage).toBe('金蝶拒绝了此单据：“申请人”字段的值“E999”不存在，或未审核、已禁用。（Kingdee rejected the document）')
    expect(error.detail).toMatch(/FProposerID/)
  })

  it('reads IsSuccess given as strings', async () => {
    await start({ stringBooleans: true })
    const adapter = new KingdeeAdapter(settings())
    const document = await adapter.post(expense(), 'BX-1')
    expect(billsOf('ER_ExpReimbursement')).toMatchObject([{ number: document.documentNo, status: 'C' }])
    const error = await rejection(adapter.post(expense({ amountFen: 100, employee: { id: 'u9', name: '王九', erpCode: 'E999' } }), 'BX-2'))
    expect(error.userMessage).toMatch(/“E999”不存在/)
  })

  it('refuses a missing mapping before calling Kingdee', async () => {
    const adapter = new KingdeeAdapter(settings())
    const error = await rejection(adapter.post(expense({ category: 'training' }), 'BX-1'))
    expect(error.userMessage).toBe('未配置映射：费用类别 培训费 → 金蝶费用项目（no Kingdee expense item for training）')
    expect(fake.calls).toHaveLength(0)
  })
})

describe('Kingdee adapter: 测试连接', () => {
  it('logs in and queries the configured forms', async () => {
    const result = await new KingdeeAdapter(settings()).testConnection()
    expect(result.detail).toContain('费用报销单 ER_ExpReimbursement（标记字段 FCausa）')
    expect(result.detail).toContain('采购申请单 PUR_Requisition（标记字段 FNote）')
  })

  it('names a marker field the tenant form lacks', async () => {
    const error = await rejection(new KingdeeAdapter(settings({ markerFields: { ER_ExpReimbursement: 'FRemarks' } })).testConnection())
    expect(error.kind).toBe('permanent')
    expect(error.userMessage).toContain('元数据中标识为 FRemarks 的字段不存在')
  })
})

describe('Kingdee settings', () => {
  it('asks for the mappings each configured document needs', () => {
    expect(new KingdeeAdapter(settings()).mappingPolicy).toEqual({
      required: { 'expense.voucher': ['employee', 'department'], 'purchase.requisition': ['employee', 'purchase_item'] },
      masterCodes: ['department', 'employee'],
    })
    expect(new KingdeeAdapter(settings({ ...voucherSettings(), purchase: { document: 'order' } })).mappingPolicy.required).toEqual({ 'expense.voucher': [], 'purchase.requisition': ['purchase_item', 'supplier'] })
  })

  it('asks for the SDK 8.x AppID shape only where the AppID is used to sign', () => {
    const base = { url: 'https://erp.example.com/k3cloud/', acctId: 'a', username: 'u', appId: '210001', appSecret: 's', orgNumber: '100', expense: { document: 'reimbursement' as const, expenseItems: {} } }
    expect(() => new KingdeeAdapter({ ...base, authMode: 'appSecret' })).not.toThrow()
    expect(() => new KingdeeAdapter({ ...base, authMode: 'signedHeaders' })).toThrow(/应用ID 应形如 <clientId>_<32位字符>/)
  })
})
