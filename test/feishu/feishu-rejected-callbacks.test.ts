import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { cardActionEnvelope, feishuEncrypt, feishuSign, messageEnvelope } from '../fakes/feishu/feishu-event-pusher.js'
import { DB_KINDS } from '../helpers/databases.js'
import { APP, FeishuHarness, OPEN_ID } from './feishu-harness.js'

describe.each(DB_KINDS)('forged, stale or undecryptable callbacks over HTTP (%s)', (kind) => {
  let h: FeishuHarness
  beforeAll(async () => {
    h = await FeishuHarness.start(kind)
  })
  afterAll(async () => {
    await h.close()
  })

  afterEach(async () => {
    // No side effect of any kind: nothing recorded, nobody linked, nothing sent.
    await h.settled()
    const db = h.t.database.db
    expect(await db.selectFrom('inbound_events').selectAll().execute()).toEqual([])
    expect(await db.selectFrom('user_identities').selectAll().where('platform', '=', 'feishu').execute()).toEqual([])
    expect(await db.selectFrom('requests').selectAll().execute()).toEqual([])
    expect(h.fake.messages).toEqual([])
    expect(h.fake.requests.filter((r) => r.path.startsWith('/open-apis/'))).toEqual([])
  })

  const line = (token = APP.verificationToken) => messageEnvelope({ appId: APP.appId, token, openId: OPEN_ID.zhangsan, text: '提交本月差旅费 3500元' })

  it('a forged signature gets 401 and a log line', async () => {
    const { body, headers } = h.pusher.wire(line())
    const forged = await h.pusher.post('/feishu/events', body, { ...headers, 'x-lark-signature': 'f'.repeat(64) })
    expect(forged.status).toBe(401)
    expect(forged.body).toEqual({ ok: false, message: '请求验证失败 / request verification failed' })
    const unsigned = await h.pusher.post('/feishu/events', body, { 'content-type': 'application/json' })
    expect(unsigned.status).toBe(401)
    expect(h.logs.filter((l) => l.startsWith('feishu: rejected POST /feishu/events (HTTP 401)'))).toHaveLength(2)
  })

  it('a wrong verification token gets 401, even correctly signed and encrypted', async () => {
    const { body, headers } = h.pusher.wire(line('someone-elses-token'))
    expect((await h.pusher.post('/feishu/events', body, headers)).status).toBe(401)
    expect(h.logs.at(-1)).toContain('verification token mismatch')
  })

  it('a stale timestamp gets 401 (a replay)', async () => {
    const { body, headers } = h.pusher.wire(line(), Date.now() - 10 * 60_000)
    expect((await h.pusher.post('/feishu/events', body, headers)).status).toBe(401)
    expect(h.logs.at(-1)).toContain('stale X-Lark-Request-Timestamp')
  })

  it('a ciphertext that does not decrypt gets 400', async () => {
    const body = JSON.stringify({ encrypt: feishuEncrypt('another-key', JSON.stringify(line())) })
    const timestamp = String(Math.floor(Date.now() / 1000))
    const headers = { 'content-type': 'application/json', 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': 'n1', 'x-lark-signature': feishuSign(timestamp, 'n1', APP.encryptKey, body) }
    expect((await h.pusher.post('/feishu/events', body, headers)).status).toBe(400)
    expect(h.logs.at(-1)).toContain('does not decrypt')
  })

  it('card callbacks are held to the same checks', async () => {
    const tap = cardActionEnvelope({ appId: APP.appId, token: APP.verificationToken, openId: OPEN_ID.lisi, messageId: 'om_x', cardToken: 'c-x', value: { card: 'x', action: 'approve' } })
    const { body, headers } = h.pusher.wire(tap)
    expect((await h.pusher.post('/feishu/cards', body, { ...headers, 'x-lark-signature': '0'.repeat(64) })).status).toBe(401)
    const stale = h.pusher.wire(tap, Date.now() - 3_600_000)
    expect((await h.pusher.post('/feishu/cards', stale.body, stale.headers)).status).toBe(401)
  })

  it('the console URL check is answered with the challenge within 1 s, encrypted and unsigned', async () => {
    const body = JSON.stringify({ encrypt: feishuEncrypt(APP.encryptKey, JSON.stringify({ challenge: 'ch-42', token: APP.verificationToken, type: 'url_verification' })) })
    for (const path of ['/feishu/events', '/feishu/cards']) {
      const answer = await h.pusher.post(path, body, { 'content-type': 'application/json' })
      expect(answer).toMatchObject({ status: 200, body: { challenge: 'ch-42' } })
      expect(answer.ms).toBeLessThan(1_000)
    }
  })
})
