import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { SapAdapter } from '../../erp-bridge/adapters/sap/sap-adapter.js'
import type { SapConfigInput } from '../../erp-bridge/adapters/sap/sap-config.js'
import { readJournalEntryConfirmation } from '../../erp-bridge/adapters/sap/sap-mapping.js'
import type { ExpenseVoucherAction, PurchaseAction } from '../../erp-bridge/erp-adapter.js'
import { startSapFake, type SapFake } from '../fakes/sap/sap-fake.js'
import { rejection } from './erp-rejection.js'
import { BEIJING_TRIP, requestNumbers, rnd, sampleExpense, sampleHrChange, samplePurchase, sampleProject, TWO_THINKPADS } from './sample-actions.js'

let sap: SapFake

beforeAll(async () => {
  sap = await startSapFake()
})
afterAll(() => sap.close())
beforeEach(() => sap.book.closedPeriods.clear())

function settings(overrides: Partial<SapConfigInput> = {}): SapConfigInput {
  return {
    url: sap.url,
    username: sap.credentials.username,
    password: sap.credentials.password,
    companyCode: '1010',
    employeePayableAccount: '22410100',
    timeoutMs: 2_000,
    purchasing: { plant: '1010', purchasingOrganization: '1010', purchasingGroup: '001', materialGroup: 'YBFA01', glAccount: '66021000' },
    ...overrides,
  }
}

const nextKey = requestNumbers()

const voucher = (requestNo: string, overrides: Partial<ExpenseVoucherAction> = {}) =>
  sampleExpense({ ...BEIJING_TRIP, requestNo, department: rnd('10101101'), accountCode: '66020100', ...overrides })
const purchase = (requestNo: string, overrides: Partial<PurchaseAction> = {}) => samplePurchase({ ...TWO_THINKPADS, requestNo, department: rnd('10101201'), ...overrides })

describe('SAP adapter against a local S/4HANA', () => {
  it('posts an expense voucher as a balanced journal entry on the cost centre and finds it by its reference', async () => {
    const adapter = new SapAdapter(settings())
    const key = nextKey('BX')
    const document = await adapter.post(voucher(key), key)
    expect(document.documentNo).toMatch(/^\d{10}\/2026$/)
    const entry = sap.book.entries.at(-1)!
    expect(entry.items).toMatchObject([
      { GLAccount: '66020100', AmountInTransactionCurrency: '3500.50', DebitCreditCode: 'S', CostCenter: '10101101', DocumentReferenceID: key },
      { GLAccount: '22410100', AmountInTransactionCurrency: '-3500.50', DebitCreditCode: 'H' },
    ])
    expect(await new SapAdapter(settings()).find(key)).toEqual(document)
  })

  it('posts the same key twice as one journal entry', async () => {
    const adapter = new SapAdapter(settings())
    const key = nextKey('BX')
    const first = await adapter.post(voucher(key), key)
    const entries = sap.book.entries.length
    expect(await adapter.post(voucher(key), key)).toEqual(first)
    expect(sap.book.entries.length).toBe(entries)
  })

  it('creates a purchase requisition by deep insert, once per key, and finds it', async () => {
    const adapter = new SapAdapter(settings())
    const key = nextKey('CG')
    const document = await adapter.post(purchase(key), key)
    const created = sap.requisitions.find((r) => r.header.PurchaseRequisition === document.documentNo)!
    expect(created.header.PurReqnDescription).toBe(key)
    expect(created.items[0]).toMatchObject({ RequestedQuantity: '2', PurchaseRequisitionPrice: '10000.00', MaterialGroup: 'YBFA01', to_PurReqnAcctAssgmt: [{ CostCenter: '10101201', GLAccount: '66021000' }] })
    expect(await adapter.post(purchase(key), key)).toEqual(document)
    expect(sap.requisitions.filter((r) => r.header.PurReqnDescription === key)).toHaveLength(1)
    expect(await adapter.find(key)).toEqual(document)
  })

  it('with OAuth2 client credentials, creates the requisition and a purchase order that references it', async () => {
    const { clientId, clientSecret } = sap.credentials
    const adapter = new SapAdapter(settings({ authMethod: 'oauth2', tokenUrl: sap.tokenUrl, clientId, clientSecret, purchasing: { ...settings().purchasing, document: 'order' } }))
    const key = nextKey('CG')
    const document = await adapter.post(purchase(key, { supplierCode: '17300001', materialCode: 'TG11' }), key)
    expect(document.documentNo).toMatch(/^45\d{8}$/)
    const order = sap.orders.find((o) => o.header.PurchaseOrder === document.documentNo)!
    const requisition = sap.requisitions.find((r) => r.header.PurReqnDescription === key)!
    expect(order.items[0]).toMatchObject({ PurchaseRequisition: requisition.header.PurchaseRequisition, Material: 'TG11', OrderQuantity: '2' })
    expect(await adapter.post(purchase(key, { supplierCode: '17300001', materialCode: 'TG11' }), key)).toEqual(document)
    expect(sap.orders.filter((o) => o.header.PurchaseOrder === document.documentNo)).toHaveLength(1)
    expect(await adapter.find(key)).toEqual(document)

    sap.revokeTokens()
    expect(await adapter.find(key)).toEqual(document)
  })

  it('fetches the CSRF token again, once, when the session expired, and the write succeeds', async () => {
    const adapter = new SapAdapter(settings())
    const first = nextKey('CG')
    await adapter.post(purchase(first), first)
    sap.expireSessions()
    const fetchesBefore = sap.requests.filter((r) => r.headers['x-csrf-token'] === 'Fetch').length
    const key = nextKey('CG')
    const document = await adapter.post(purchase(key), key)
    expect(document.documentNo).toMatch(/^\d{8}$/)
    expect(sap.requests.filter((r) => r.headers['x-csrf-token'] === 'Fetch').length).toBe(fetchesBefore + 1)
    const posts = sap.requests.filter((r) => r.method === 'POST' && r.path.endsWith('A_PurchaseRequisitionHeader')).slice(-2)
    expect(posts[0]!.headers['x-csrf-token']).not.toBe(posts[1]!.headers['x-csrf-token'])
    expect(posts[1]!.headers.cookie).toMatch(/SAP_SESSIONID_S4H_100=/)
  })

  it('says plainly when the credentials are wrong', async () => {
    const basic = await rejection(new SapAdapter(settings({ password: 'wrong' })).testConnection())
    expect(basic.kind).toBe('permanent')
    expect(basic.userMessage).toContain('SAP 登录失败')
    const oauth = await rejection(new SapAdapter(settings({ authMethod: 'oauth2', tokenUrl: sap.tokenUrl, clientId: 'sb-bridge', clientSecret: 'nope' })).testConnection())
    expect(oauth.kind).toBe('permanent')
    expect(oauth.userMessage).toContain('clientSecret')
  })

  it('treats 5xx and throttling as transient, and a gateway timeout on a write as unknown', async () => {
    const adapter = new SapAdapter(settings())
    const outage = nextKey('BX')
    sap.failNext({ method: 'GET', path: /A_OperationalAcctgDocItemCube/ }, { status: 503, body: 'Service Unavailable' })
    expect((await rejection(adapter.post(voucher(outage), outage))).kind).toBe('transient')

    sap.failNext({ method: 'GET', path: /A_PurchaseRequisitionHeader/ }, { status: 429, headers: { 'retry-after': '30' }, body: '' })
    const throttled = await rejection(adapter.find(nextKey('CG')))
    expect(throttled.kind).toBe('transient')
    expect(throttled.userMessage).toContain('30 秒')

    const key = nextKey('BX')
    sap.failNext({ method: 'POST', path: /journalentrycreaterequestconfi/ }, { status: 504, body: 'Gateway Timeout' })
    expect((await rejection(adapter.post(voucher(key), key))).kind).toBe('unknown')
    expect(await adapter.find(key)).toBeNull()
  })

  it('treats a write that never gets an answer as unknown, and a read that never does as transient', async () => {
    const adapter = new SapAdapter(settings({ timeoutMs: 300 }))
    const key = nextKey('CG')
    sap.failNext({ method: 'POST', path: /A_PurchaseRequisitionHeader/ }, { status: 0 })
    expect((await rejection(adapter.post(purchase(key), key))).kind).toBe('unknown')
    sap.failNext({ method: 'GET', path: /A_PurchaseRequisitionHeader/ }, { status: 0 })
    expect((await rejection(adapter.find(key))).kind).toBe('transient')
  })

  it('turns SAP validation messages into permanent errors a finance person can read', async () => {
    const adapter = new SapAdapter(settings())
    sap.book.closedPeriods.add('2026-11')
    const inClosedPeriod = nextKey('BX')
    const closed = await rejection(adapter.post(voucher(inClosedPeriod), inClosedPeriod))
    expect(closed.kind).toBe('permanent')
    expect(closed.userMessage).toContain('过账期间未打开')
    expect(closed.userMessage).toContain('Posting period 011 2026 is not open')

    const unknownCentre = nextKey('CG')
    const badCostCentre = await rejection(adapter.post(purchase(unknownCentre, { department: { id: 'd9', name: '无', costCenter: '99999999' } }), unknownCentre))
    expect(badCostCentre.kind).toBe('permanent')
    expect(badCostCentre.userMessage).toContain('成本中心不存在')
    expect(badCostCentre.userMessage).toContain('Cost center 99999999 does not exist')

    const noAccount = nextKey('BX')
    const unmapped = await rejection(adapter.post(voucher(noAccount, { accountCode: undefined }), noAccount))
    expect(unmapped.userMessage).toContain('未配置映射')
  })

  it('refuses HR changes and projects, saying so', async () => {
    const adapter = new SapAdapter(settings())
    const hr = await rejection(adapter.post(sampleHrChange(), 'RS-1'))
    expect(hr).toMatchObject({ kind: 'permanent' })
    expect(hr.userMessage).toContain('不处理人事变动')
    const project = await rejection(adapter.post(sampleProject(), 'XM-1'))
    expect(project.userMessage).toContain('不创建项目')
  })

  it('tests the connection through a CSRF fetch on each service', async () => {
    const result = await new SapAdapter(settings()).testConnection()
    expect(result.detail).toContain('API_PURCHASEREQ_PROCESS_SRV')
  })
})

describe('SAP journal entry confirmation', () => {
  it('reads the reply SAP sends (sample from a real S/4HANA Cloud tenant)', () => {
    const reply =
      '<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"><soap-env:Header/><soap-env:Body><n0:JournalEntryBulkCreateConfirmation xmlns:n0="http://sap.com/xi/SAPSCORE/SFIN" xmlns:prx="urn:sap.com:proxy:XGJ:/1SAI/TAS3D871C7855B59197A671:795"><MessageHeader><UUID>2d656d48-6d1b-1eee-bc82-9fbbd1ef35ff</UUID><ReferenceID>MSG_2024-03-28</ReferenceID><CreationDateTime>2024-04-01T10:45:44.484251Z</CreationDateTime><SenderBusinessSystemID>XGJ</SenderBusinessSystemID></MessageHeader><ConfirmationInterfaceOrignName/><JournalEntryCreateConfirmation><MessageHeader><UUID>2d656d48-6d1b-1eee-bc82-9fbbd1ef55ff</UUID><ReferenceID>SUB_MSG_2024-03-28</ReferenceID><CreationDateTime>2024-04-01T10:45:44.484353Z</CreationDateTime></MessageHeader><JournalEntryCreateConfirmation><AccountingDocument>0100000008</AccountingDocument><CompanyCode>1410</CompanyCode><FiscalYear>2024</FiscalYear></JournalEntryCreateConfirmation><Log><MaximumLogItemSeverityCode>1</MaximumLogItemSeverityCode><Item><TypeID>605(RW)</TypeID><SeverityCode>1</SeverityCode><Note>Document posted successfully: BKPFF 010000000814102024 0M4SMVI</Note></Item></Log></JournalEntryCreateConfirmation><Log/></n0:JournalEntryBulkCreateConfirmation></soap-env:Body></soap-env:Envelope>'
    expect(readJournalEntryConfirmation(reply)).toMatchObject({ accountingDocument: '0100000008', companyCode: '1410', fiscalYear: '2024', maxSeverity: 1 })
  })
})
