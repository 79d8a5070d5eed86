import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FeishuFetchApi } from '../../bot/platforms/feishu/feishu-fetch-client.js'
import { FeishuApiError } from '../../bot/platforms/feishu/feishu-outbound.js'
import { FakeFeishuOpenPlatform } from '../fakes/feishu/fake-open-platform.js'
import { APP, FEISHU_USERS, OPEN_ID } from './feishu-harness.js'

describe('the open-platform client: tokens, rate limits, outages (no database)', () => {
  let fake: FakeFeishuOpenPlatform
  const logs: string[] = []
  const api = (retry = { baseDelayMs: 5, maxDelayMs: 2_000 }) => new FeishuFetchApi({ appId: APP.appId, appSecret: APP.appSecret, baseUrl: fake.url, retry, log: (l) => logs.push(l) })
  const send = (client: FeishuFetchApi, uuid: string) =>
    client.sendMessage({ receiveIdType: 'open_id', receiveId: OPEN_ID.zhangsan, msgType: 'text', content: JSON.stringify({ text: 'hi' }), uuid })
  const sends = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/open-apis/im/v1/messages').length
  const tokenRequests = () => fake.requests.filter((r) => r.path === '/open-apis/auth/v3/tenant_access_token/internal').length

  beforeAll(async () => {
    fake = await FakeFeishuOpenPlatform.start({ appId: APP.appId, appSecret: APP.appSecret, users: FEISHU_USERS })
  })
  afterAll(async () => {
    await fake.close()
  })

  it('waits as long as x-ogw-ratelimit-reset says after HTTP 429, then sends once', async () => {
    const client = api()
    const before = sends()
    fake.failNext({ method: 'POST', path: /^\/open-apis\/im\/v1\/messages$/ }, { status: 429, body: { code: 99991400, msg: 'request trigger frequency limit' }, headers: { 'x-ogw-ratelimit-reset': '1' } })
    const started = performance.now()
    const id = await send(client, 'u-429')
    expect(performance.now() - started).toBeGreaterThanOrEqual(950)
    expect(sends() - before).toBe(2)
    expect(fake.messages.filter((m) => m.message_id === id)).toHaveLength(1)
  })

  it('treats code 99991400 on an older API (HTTP 400) as a rate limit too', async () => {
    fake.failNext({ method: 'PATCH', path: /^\/open-apis\/im\/v1\/messages\// }, { status: 400, body: { code: 99991400, msg: 'request trigger frequency limit' } }, 2)
    const client = api()
    const card = JSON.stringify({ schema: '2.0', config: { update_multi: true }, header: { title: { tag: 'plain_text', content: 't' } }, body: { elements: [] } })
    const id = await client.sendMessage({ receiveIdType: 'open_id', receiveId: OPEN_ID.zhangsan, msgType: 'interactive', content: card, uuid: 'u-card' })
    await client.patchMessage(id, card)
    expect(fake.message(id)?.patches).toHaveLength(1)
  })

  it('fetches a new tenant token when the cached one is revoked', async () => {
    const client = api()
    await send(client, 'u-token-1')
    const before = tokenRequests()
    fake.revokeTenantTokens()
    await send(client, 'u-token-2')
    expect(tokenRequests() - before).toBe(1)
  })

  it('after a revocation, 20 calls at once share one new token: one token request, 20 messages', async () => {
    const client = api()
    await send(client, 'u-storm-0')
    const before = tokenRequests()
    fake.revokeTenantTokens()
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => send(client, `u-storm-${i + 1}`)))
    expect(tokenRequests() - before).toBe(1)
    expect(new Set(ids).size).toBe(20)
    expect(ids.every((id) => fake.message(id)?.to === OPEN_ID.zhangsan)).toBe(true)
  })

  it('rides out a short outage; gives up with a readable error after the last try', async () => {
    fake.failNext({ path: /^\/open-apis\/im\/v1\/messages$/ }, { status: 503, body: 'upstream unavailable' }, 3)
    await send(api(), 'u-outage')
    fake.failNext({ path: /^\/open-apis\/im\/v1\/messages$/ }, { status: 503, body: 'upstream unavailable' }, 6)
    // Six tries in all (the default), every one of them failing.
    const error = await send(api({ baseDelayMs: 1, maxDelayMs: 5 }), 'u-down').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FeishuApiError)
    expect((error as FeishuApiError).message).toBe('feishu send message failed: upstream unavailable (HTTP 503)')
  })

  it('does not retry what retrying cannot fix', async () => {
    const before = sends()
    const error = await api()
      .sendMessage({ receiveIdType: 'open_id', receiveId: 'ou_nobody', msgType: 'text', content: JSON.stringify({ text: 'x' }), uuid: 'u-nobody' })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 230013, retryable: false })
    expect(sends() - before).toBe(1)
    const wrongSecret = new FeishuFetchApi({ appId: APP.appId, appSecret: 'wrong', baseUrl: fake.url })
    await expect(send(wrongSecret, 'u-secret')).rejects.toThrow(/tenant_access_token|app secret invalid/)
  })
})
