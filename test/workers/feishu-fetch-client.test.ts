import { describe, expect, it } from 'vitest'
import { FeishuFetchApi } from '../../bot/platforms/feishu/feishu-fetch-client.js'
import { FeishuApiError } from '../../bot/platforms/feishu/feishu-outbound.js'
import { FeishuWire } from './feishu-wire.js'
import { FEISHU_APP, OPEN_ID } from './feishu-tenant.js'

/** The fetch transport on its own, inside workerd, against the fake open platform: the SDK client's policy, kept. */
describe('the fetch open-platform client (Workers)', () => {
  const control = new FeishuWire(() => Promise.reject(new Error('no worker calls here')))
  const fakeUrl = () => control.control<{ url: string }>('GET', '/url')
  const api = async (options: { appSecret?: string; retry?: { baseDelayMs: number; maxDelayMs: number } } = {}) =>
    new FeishuFetchApi({ appId: FEISHU_APP.appId, appSecret: options.appSecret ?? FEISHU_APP.appSecret, baseUrl: (await fakeUrl()).url, retry: options.retry ?? { baseDelayMs: 5, maxDelayMs: 2_000 } })
  const text = (uuid: string) => ({ receiveIdType: 'open_id' as const, receiveId: OPEN_ID.zhangsan, msgType: 'text' as const, content: JSON.stringify({ text: 'hi' }), uuid })
  const count = async (method: string, path: string) => (await control.control<{ method: string; path: string }[]>('GET', '/requests')).filter((r) => r.method === method && r.path === path).length

  it('sends with a tenant token, fetched once and reused, and fetched anew once when revoked', async () => {
    const client = await api()
    const tokens = () => count('POST', '/open-apis/auth/v3/tenant_access_token/internal')
    const before = await tokens()
    await client.sendMessage(text(crypto.randomUUID()))
    await client.sendMessage(text(crypto.randomUUID()))
    expect((await tokens()) - before).toBe(1)
    await control.control('POST', '/revoke-tenant-tokens')
    const id = await client.sendMessage(text(crypto.randomUUID()))
    expect(id).toMatch(/^om_/)
    expect((await tokens()) - before).toBe(2)
  })

  it('waits as long as x-ogw-ratelimit-reset says after HTTP 429, then sends once', async () => {
    const client = await api()
    const sends = () => count('POST', '/open-apis/im/v1/messages')
    const before = await sends()
    await control.control('POST', '/fail-next', { method: 'POST', path: '^/open-apis/im/v1/messages$', status: 429, body: { code: 99991400, msg: 'request trigger frequency limit' }, headers: { 'x-ogw-ratelimit-reset': '1' } })
    const started = Date.now()
    await client.sendMessage(text(crypto.randomUUID()))
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
    expect((await sends()) - before).toBe(2)
  })

  it('gives up after the last try with a readable error; does not retry what retrying cannot fix', async () => {
    await control.control('POST', '/fail-next', { path: '^/open-apis/im/v1/messages$', status: 503, body: 'upstream unavailable', times: 6 })
    const down = await (await api({ retry: { baseDelayMs: 1, maxDelayMs: 5 } })).sendMessage(text(crypto.randomUUID())).catch((e: unknown) => e)
    expect(down).toBeInstanceOf(FeishuApiError)
    expect((down as FeishuApiError).message).toBe('feishu send message failed: upstream unavailable (HTTP 503)')

    const nobody = await (await api()).sendMessage({ ...text(crypto.randomUUID()), receiveId: 'ou_nobody' }).catch((e: unknown) => e)
    expect(nobody).toMatchObject({ code: 230013, retryable: false })
    await expect((await api({ appSecret: 'wrong' })).sendMessage(text(crypto.randomUUID()))).rejects.toThrow(/app secret invalid/)
  })

  it('looks people up in the directory, by id and by contact', async () => {
    const client = await api()
    expect(await client.contactUser(OPEN_ID.lisi)).toMatchObject({ open_id: OPEN_ID.lisi, name: '李四', enterprise_email: 'lisi@demo.example.com' })
    expect(await client.openIdByContact({ email: 'lisi@demo.example.com' })).toBe(OPEN_ID.lisi)
    expect(await client.openIdByContact({ email: 'nobody@demo.example.com' })).toBeUndefined()
  })
})
