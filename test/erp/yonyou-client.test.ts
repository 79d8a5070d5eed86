import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { checkKey, tokenSignature } from '../../erp-bridge/adapters/yonyou/yonyou-auth.js'
import { YonyouClient } from '../../erp-bridge/adapters/yonyou/yonyou-client.js'
import { APP_UNKNOWN, EXPENSE_BILL_SAVED, TOKEN_ILLEGAL, TOKEN_ISSUED } from '../fakes/yonyou/yonbip-fixtures.js'
import { startFakeYonBip, type FakeYonBip } from '../fakes/yonyou/yonbip-server.js'
import { rejection } from './erp-rejection.js'

/** YonBIP's wire details and published reply samples, replayed through the fake platform. */

let fake: FakeYonBip
let client: YonyouClient
const TOKEN_PATH = '/iuap-api-auth/open-auth/selfAppAuth/base/v1/getAccessToken'

beforeAll(async () => {
  fake = await startFakeYonBip()
})
afterAll(() => fake.close())
beforeEach(() => {
  client = new YonyouClient({ ...fake.identity, discoveryUrl: fake.url, timeoutMs: 1_000 })
})

describe('the token signature', () => {
  it('is the base64 HMAC-SHA256 of the sorted name+value pairs, with no = or &', () => {
    const expected = createHmac('sha256', 's3cret').update('appKey41832a3d2df94989b500da6a22268747timestamp1568098531823').digest('base64')
    expect(tokenSignature('41832a3d2df94989b500da6a22268747', 1568098531823, 's3cret')).toBe(expected)
  })

  it('is URL-encoded exactly once on the wire, with a millisecond timestamp', async () => {
    await client.accessToken()
    const call = fake.calls.find((c) => c.path === TOKEN_PATH)!
    expect(call.method).toBe('GET')
    expect(call.query.get('timestamp')).toMatch(/^\d{13}$/)
    expect(call.query.get('signature')).toBe(tokenSignature(fake.identity.appKey, Number(call.query.get('timestamp')), fake.identity.appSecret))
  })

  it('derives 32-character check keys that differ per document kind', () => {
    expect(checkKey('expensebill', 'BX-1')).toMatch(/^[0-9a-f]{32}$/)
    expect(checkKey('expensebill', 'BX-1')).not.toBe(checkKey('voucher', 'BX-1'))
  })
})

describe('published replies', () => {
  it('reads the documented token reply', async () => {
    fake.inject({ path: TOKEN_PATH, status: 200, body: TOKEN_ISSUED })
    expect(await client.accessToken()).toBe('b8743244c5b44b8fb1e52a55be7e2f')
  })

  it('explains an unknown appKey', async () => {
    fake.inject({ path: TOKEN_PATH, status: 200, body: APP_UNKNOWN })
    expect((await rejection(client.accessToken())).userMessage).toBe('用友拒绝了应用凭据：应用不存在或appKey已停用，请检查 appKey 和 appSecret（YonBIP refused the app credentials）')
  })

  it("returns the documented expense bill's data", async () => {
    fake.inject({ status: 200, body: EXPENSE_BILL_SAVED })
    expect(await client.post('/yonbip/znbz/rbsm/api/bill/expensebill/save', { data: {} }, true)).toMatchObject({ code: '0298', status: 0 })
  })

  it('accepts a numeric code 200', async () => {
    fake.inject({ status: 200, body: '{"code":200,"message":"操作成功","data":{"ok":true}}' })
    expect(await client.post('/yonbip/scm/applyorder/list', {}, false)).toEqual({ ok: true })
  })

  it('treats a plain-text 非法token like 310036 and fetches a new token', async () => {
    await client.accessToken()
    const before = fake.tokensIssued
    fake.inject({ status: 200, body: '非法token' })
    await client.post('/yonbip/scm/applyorder/list', { pageIndex: 1, pageSize: 1 }, false)
    expect(fake.tokensIssued).toBe(before + 1)
  })

  it('refuses a second 310036 in a row', async () => {
    fake.inject({ status: 200, body: TOKEN_ILLEGAL }, { status: 200, body: TOKEN_ILLEGAL })
    expect((await rejection(client.post('/yonbip/scm/applyorder/list', {}, false))).kind).toBe('permanent')
  })

  it('names an unknown API path (HTTP 404, 310404) as a configuration problem', async () => {
    const error = await rejection(client.post('/yonbip/cpu/pureq/postreq', {}, true))
    expect(error).toMatchObject({ kind: 'permanent', userMessage: expect.stringMatching(/^用友开放平台没有这个接口/) })
  })
})
