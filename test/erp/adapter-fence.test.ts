import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ErpNextAdapter } from '../../erp-bridge/adapters/erpnext/erpnext-adapter.js'
import { KingdeeAdapter } from '../../erp-bridge/adapters/kingdee/kingdee-adapter.js'
import { OdooAdapter } from '../../erp-bridge/adapters/odoo/odoo-adapter.js'
import { SapAdapter } from '../../erp-bridge/adapters/sap/sap-adapter.js'
import { TrytonAdapter } from '../../erp-bridge/adapters/tryton/tryton-adapter.js'
import { WebhookAdapter } from '../../erp-bridge/adapters/webhook/webhook-adapter.js'
import { YonyouAdapter } from '../../erp-bridge/adapters/yonyou/yonyou-adapter.js'
import type { ErpAdapter } from '../../erp-bridge/erp-adapter.js'
import { startFaultProxy, type FaultProxy } from '../fakes/erp-proxy/fault-proxy.js'
import { startWebhookErp } from '../fakes/erp-proxy/webhook-erp.js'
import { startErpNextFake } from '../fakes/erpnext/erpnext-fake.js'
import { startFakeK3Cloud } from '../fakes/kingdee/k3cloud-server.js'
import { seedOdoo, startOdooFake } from '../fakes/odoo/odoo-fake.js'
import { startSapFake } from '../fakes/sap/sap-fake.js'
import { startScriptedTrytond } from '../fakes/tryton/scripted-trytond.js'
import { startFakeYonBip } from '../fakes/yonyou/yonbip-server.js'
import { rejection } from './erp-rejection.js'
import { sampleExpense } from './sample-actions.js'

/**
 * The outbox worker fences each posting with an AbortSignal (ErpCallOptions): once it aborts, the
 * adapter starts no call, and one under way is dropped, as `unknown`. Each adapter talks to its fake
 * ERP through the fault proxy, which counts every request that reaches it, logins and version
 * checks included.
 */
interface FakeErp {
  /** Where the fake listens: the proxy forwards every path there unchanged. */
  origin: string
  /** The adapter, set up as its own tests set it up, pointed at `origin` (the proxy's). */
  adapter(origin: string): ErpAdapter
  close(): Promise<void>
}

const ERPS: { name: string; start: () => Promise<FakeErp> }[] = [
  {
    name: 'webhook',
    start: async () => {
      const erp = await startWebhookErp({ secret: 'fence-test-secret' })
      return { origin: new URL(erp.url).origin, adapter: (origin) => new WebhookAdapter({ url: `${origin}/erp/hook`, secret: 'fence-test-secret', timeoutMs: 5_000 }), close: erp.close }
    },
  },
  {
    // Logs in first (AppSecret): a login every posting shares.
    name: 'kingdee',
    start: async () => {
      const fake = await startFakeK3Cloud()
      const { acctId, username, appId, appSecret } = fake.identity
      const settings = { acctId, username, authMode: 'appSecret', appId, appSecret, orgNumber: '100', timeoutMs: 5_000, expense: { document: 'reimbursement', expenseItems: { travel: 'FYXM01' } } } as const
      return { origin: new URL(fake.url).origin, adapter: (origin) => new KingdeeAdapter({ ...settings, url: `${origin}/k3cloud/` }), close: fake.close }
    },
  },
  {
    name: 'erpnext',
    start: async () => {
      const fake = await startErpNextFake()
      const settings = { apiKey: fake.apiKey, apiSecret: fake.apiSecret, company: 'Acme (Demo)', employeePayableAccount: 'Payroll Payable - AD', warehouse: 'Stores - AD', purchaseItem: 'Purchase - General', timeoutMs: 5_000 }
      return { origin: fake.url, adapter: (origin) => new ErpNextAdapter({ ...settings, url: origin }), close: fake.close }
    },
  },
  {
    // JSON-RPC: asks the version, then logs in, both shared by every posting.
    name: 'odoo',
    start: async () => {
      const fake = await startOdooFake({ major: 17 })
      seedOdoo(fake)
      const settings = { database: fake.database, login: fake.login, apiKey: fake.apiKey, employeePayableAccount: '224101', purchaseProduct: 'MAT-001', timeoutMs: 5_000 }
      return { origin: fake.url, adapter: (origin) => new OdooAdapter({ ...settings, url: origin }), close: fake.close }
    },
  },
  {
    // OAuth2: a bearer token every posting shares.
    name: 'sap',
    start: async () => {
      const fake = await startSapFake()
      const { clientId, clientSecret } = fake.credentials
      const purchasing = { plant: '1010', purchasingOrganization: '1010', purchasingGroup: '001', materialGroup: 'YBFA01', glAccount: '66021000' }
      const settings = { authMethod: 'oauth2', clientId, clientSecret, companyCode: '1010', employeePayableAccount: '22410100', timeoutMs: 5_000, purchasing } as const
      return { origin: fake.url, adapter: (origin) => new SapAdapter({ ...settings, url: origin, tokenUrl: `${origin}/oauth/token` }), close: fake.close }
    },
  },
  {
    // Finds its data centre, then gets an access token every posting shares.
    name: 'yonyou',
    start: async () => {
      const fake = await startFakeYonBip()
      const settings = { ...fake.identity, timeoutMs: 5_000, orgCode: 'ORG01', expense: { document: 'expenseBill', transactionType: 'BX01', expenseItems: { travel: 'FY01' }, settlementMethod: 'SM01' } } as const
      return { origin: fake.url, adapter: (origin) => new YonyouAdapter({ ...settings, discoveryUrl: origin }), close: fake.close }
    },
  },
  {
    // Logs in first: a session every posting shares.
    name: 'tryton',
    start: async () => {
      const fake = await startScriptedTrytond('secret')
      const settings = { database: fake.database, username: 'bridge', password: 'secret', timeoutMs: 5_000, expenseAccounts: { travel: '6602' } }
      return { origin: fake.url, adapter: (origin) => new TrytonAdapter({ ...settings, url: origin }), close: fake.close }
    },
  },
]

describe.each(ERPS)('$name adapter under a fenced posting', ({ start }) => {
  let erp: FakeErp
  let proxy: FaultProxy
  let adapter: ErpAdapter
  const requests = () => Object.values(proxy.counts).reduce((sum, n) => sum + n, 0)

  beforeEach(async () => {
    erp = await start()
    proxy = await startFaultProxy(erp.origin)
    adapter = erp.adapter(proxy.origin)
  })
  afterEach(async () => {
    await proxy.close()
    await erp.close()
  })

  it('given an already aborted signal, starts no call: post and find are `unknown`', async () => {
    const fence = new AbortController()
    fence.abort('claim ran out')
    const posted = await rejection(adapter.post(sampleExpense({ accountCode: '6602.01' }), 'BX-202611-0001', { signal: fence.signal }))
    const found = await rejection(adapter.find('BX-202611-0001', { signal: fence.signal }))
    expect([posted.kind, found.kind]).toEqual(['unknown', 'unknown'])
    expect(posted.detail).toContain('claim ran out')
    expect(requests()).toBe(0)

    // Unfenced, the same adapter does reach the ERP through the proxy.
    await adapter.find('BX-202611-0001').catch(() => null)
    expect(requests()).toBeGreaterThan(0)
  })

  it('drops the call under way when the signal aborts, be it its own or one it shares with other postings: `unknown` at once, and no other call', async () => {
    await proxy.set('hang')
    const fence = new AbortController()
    const posting = rejection(adapter.post(sampleExpense({ accountCode: '6602.01' }), 'BX-202611-0001', { signal: fence.signal }))
    await expect.poll(requests).toBe(1)
    const abortedAt = Date.now()
    fence.abort('claim ran out')
    const error = await posting
    expect(error.kind).toBe('unknown')
    // Well before the adapter's own timeout would have ended the call.
    expect(Date.now() - abortedAt).toBeLessThan(1_000)
    expect(requests()).toBe(1)
  })
})
