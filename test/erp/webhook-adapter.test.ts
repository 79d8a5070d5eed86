import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebhookAdapter } from '../../erp-bridge/adapters/webhook/webhook-adapter.js'
import type { ExpenseVoucherAction } from '../../erp-bridge/erp-adapter.js'
import { startFaultProxy, type FaultProxy } from '../fakes/erp-proxy/fault-proxy.js'
import { startWebhookErp, type WebhookErp } from '../fakes/erp-proxy/webhook-erp.js'
import { rejection } from './erp-rejection.js'
import { rnd, sampleExpense, zhangsan } from './sample-actions.js'

const SECRET = 'shared-secret-0123456789'

const voucher = (requestNo: string, overrides: Partial<ExpenseVoucherAction> = {}) =>
  sampleExpense({ requestNo, date: '2026-11-25', employee: zhangsan('P-1001'), department: rnd('CC-200'), accountCode: '6602.01', amountFen: 350000, memo: '上海出差', ...overrides })

let erp: WebhookErp
let proxy: FaultProxy
let adapter: WebhookAdapter

beforeAll(async () => {
  erp = await startWebhookErp({ secret: SECRET, dedupe: false, reject: (action) => (action.date === '2026-01-31' ? '会计期间 2026-01 已结账' : null) })
  proxy = await startFaultProxy(new URL(erp.url).origin)
  adapter = new WebhookAdapter({ url: `${proxy.origin}/erp/hook`, secret: SECRET, timeoutMs: 400 })
})
afterAll(async () => {
  await proxy.close()
  await erp.close()
})
afterEach(async () => {
  await proxy.set('pass')
})

describe('signed webhook adapter against a receiver that checks the signature', () => {
  it('posts the action with its key, signed, and finds it afterwards', async () => {
    const document = await adapter.post(voucher('BX-202611-0001'), 'BX-202611-0001')
    expect(document.documentNo).toMatch(/^WH-\d{6}$/)
    const stored = erp.documents.find((d) => d.documentNo === document.documentNo)!
    expect(stored.idempotencyKey).toBe('BX-202611-0001')
    expect(stored.action).toMatchObject({ kind: 'expense.voucher', amountFen: 350000, accountCode: '6602.01', department: { costCenter: 'CC-200' } })
    expect(await adapter.find('BX-202611-0001')).toEqual(document)
    expect(await adapter.find('BX-202611-9999')).toBeNull()
    expect(erp.badSignatures).toBe(0)
  })

  it('tests the connection with a signed ping', async () => {
    const result = await adapter.testConnection()
    expect(result.detail).toContain('签名验证通过')
  })

  it('a wrong secret is refused by the receiver: permanent, and says to check the secret', async () => {
    const wrong = new WebhookAdapter({ url: erp.url, secret: 'not-the-shared-secret' })
    const error = await rejection(wrong.post(voucher('BX-202611-0002'), 'BX-202611-0002'))
    expect(error.kind).toBe('permanent')
    expect(error.userMessage).toContain('签名密钥')
    expect(erp.postsByKey.get('BX-202611-0002')).toBeUndefined()
  })

  it("a refusal (422) is permanent and carries the ERP's own words", async () => {
    const error = await rejection(adapter.post(voucher('BX-202611-0003', { date: '2026-01-31' }), 'BX-202611-0003'))
    expect(error.kind).toBe('permanent')
    expect(error.userMessage).toBe('ERP 拒绝了此单据：会计期间 2026-01 已结账')
  })

  it('connection refused and 503 are transient: nothing reached the ERP', async () => {
    await proxy.set('refuse')
    const refused = await rejection(adapter.post(voucher('BX-202611-0004'), 'BX-202611-0004'))
    expect(refused.kind).toBe('transient')
    expect(refused.detail).toContain('ECONNREFUSED')
    await proxy.set('unavailable')
    const unavailable = await rejection(adapter.post(voucher('BX-202611-0004'), 'BX-202611-0004'))
    expect(unavailable.kind).toBe('transient')
    expect(unavailable.userMessage).toContain('HTTP 503')
    expect(erp.postsByKey.get('BX-202611-0004')).toBeUndefined()
  })

  it('a post with no answer in time is unknown; a lookup with no answer is only transient', async () => {
    await proxy.set('hang')
    const post = await rejection(adapter.post(voucher('BX-202611-0005'), 'BX-202611-0005'))
    expect(post.kind).toBe('unknown')
    expect(post.userMessage).toContain('单据可能已经生成')
    expect((await rejection(adapter.find('BX-202611-0005'))).kind).toBe('transient')
  })

  it('a reply lost after the ERP made the document is unknown, and find then sees the document', async () => {
    await proxy.set('lose-reply')
    const error = await rejection(adapter.post(voucher('BX-202611-0006'), 'BX-202611-0006'))
    expect(error.kind).toBe('unknown')
    await proxy.set('pass')
    const found = await adapter.find('BX-202611-0006')
    expect(found?.documentNo).toBe(erp.documents.find((d) => d.idempotencyKey === 'BX-202611-0006')?.documentNo)
  })

  it('refuses settings without a usable URL or secret', () => {
    expect(() => new WebhookAdapter({ url: 'ftp://erp.example.com', secret: SECRET })).toThrow(/http\(s\)/)
    expect(() => new WebhookAdapter({ url: 'https://erp.example.com', secret: 'short' })).toThrow(/16/)
  })
})
