import { createCipheriv, createHash, createHmac, randomBytes, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyAuditChain } from '../../workflow/audit-chain.js'
import { APP as DINGTALK_APP, EVENT_KEYS } from '../dingtalk/dingtalk-harness.js'
import { cardActionEnvelope, feishuEncrypt, feishuSign, messageEnvelope } from '../fakes/feishu/feishu-event-pusher.js'
import { APP as FEISHU_APP, OPEN_ID, readCard } from '../feishu/feishu-harness.js'
import { DB_KINDS } from '../helpers/databases.js'
import { AdminClient } from '../miniapp/admin-client.js'
import { startChatStack, type ChatStack } from './chat-stack.js'

/**
 * Forged and replayed requests, on every door that takes them: Feishu events and card callbacks,
 * DingTalk robot, card and event callbacks, platform sign-in codes and admin sessions. Forgeries
 * are refused (4xx) and leave no trace: not a row in any table, not a message to anyone. A replay
 * of a valid request changes nothing the second time.
 *
 * Not covered because it does not hold by design: admin sessions are stateless signed cookies, so a
 * copy taken before logout keeps working until it expires (12 h) or the employee is deactivated.
 */
const TABLES = ['inbound_events', 'requests', 'approval_tasks', 'audit_log', 'conversations', 'cards', 'outbox', 'user_identities'] as const
const MINUTE = 60_000

describe.each(DB_KINDS)('forgery and replay (%s)', (kind) => {
  let s: ChatStack

  beforeAll(async () => {
    s = await startChatStack(kind)
  })
  afterAll(async () => s?.close())

  /** Row counts of every table a callback could write, and every message the bot sent. */
  async function trace(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {}
    for (const table of TABLES) {
      const row = await s.database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
      counts[table] = Number(row.n)
    }
    counts['feishu messages'] = s.feishu.messages.length
    counts['dingtalk messages'] = ['dt-zhangsan', 'dt-lisi', 'dt-wangwu', 'dt-sunba', 'dt-stranger'].reduce((n, id) => n + s.dingtalk.inbox(id).length, 0)
    return counts
  }

  const pusher = () => s.instances[0]!.pusher
  const feishuLine = (text = '帮助') => messageEnvelope({ appId: FEISHU_APP.appId, token: FEISHU_APP.verificationToken, openId: OPEN_ID.zhangsan, text })

  it('forged Feishu callbacks are refused and leave no trace', async () => {
    const before = await trace()
    const wired = () => pusher().wire(feishuLine())
    const flip = (hex: string) => hex.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))
    const forgeries: [string, { body: string; headers: Record<string, string> }, string?][] = [
      ['a signature with one digit changed', (() => { const w = wired(); return { ...w, headers: { ...w.headers, 'x-lark-signature': flip(w.headers['x-lark-signature']!) } } })()],
      ['a body changed after signing', (() => { const w = wired(); const other = wired(); return { body: other.body, headers: w.headers } })()],
      ['signed and encrypted with another app’s key', (() => {
        const body = JSON.stringify({ encrypt: feishuEncrypt('someone-elses-key', JSON.stringify(feishuLine())) })
        const timestamp = String(Math.floor(Date.now() / 1000))
        const nonce = randomUUID()
        return { body, headers: { 'content-type': 'application/json', 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': nonce, 'x-lark-signature': feishuSign(timestamp, nonce, 'someone-elses-key', body) } }
      })()],
      ['the wrong verification token, correctly signed and encrypted', pusher().wire({ ...feishuLine(), header: { ...feishuLine().header, token: 'not-our-token' } })],
      ['a request signed six minutes ago', pusher().wire(feishuLine(), Date.now() - 6 * MINUTE)],
      ['a request signed six minutes in the future', pusher().wire(feishuLine(), Date.now() + 6 * MINUTE)],
      ['no signature headers on an event', (() => { const w = wired(); return { body: w.body, headers: { 'content-type': 'application/json' } } })()],
      ['a legacy card callback with a wrong SHA-1 signature', {
        body: JSON.stringify({ open_id: OPEN_ID.lisi, open_message_id: 'om_x', token: 't', action: { value: { card: 'x', action: 'approve' } } }),
        headers: { 'content-type': 'application/json', 'x-lark-request-timestamp': String(Math.floor(Date.now() / 1000)), 'x-lark-request-nonce': 'n', 'x-lark-signature': createHash('sha1').update('forged').digest('hex') },
      }],
    ]
    for (const [name, { body, headers }] of forgeries) {
      for (const path of ['/feishu/events', '/feishu/cards']) {
        const answer = await pusher().post(path, body, headers)
        expect({ name, path, status: answer.status }).toEqual({ name, path, status: 401 })
        expect((answer.body as { message: string }).message).toMatch(/验证失败/)
      }
    }
    await s.settle()
    expect(await trace()).toEqual(before)
  })

  it('forged DingTalk callbacks are refused and leave no trace', async () => {
    const before = await trace()
    const secret = DINGTALK_APP.clientSecret
    const message = JSON.stringify(s.dingtalk.robotMessage('dt-zhangsan', '帮助'))
    const robotSign = (timestamp: number, key = secret) => createHmac('sha256', key).update(`${timestamp}\n${secret}`).digest('base64')
    const cardSign = (timestamp: number, key = secret) => createHmac('sha256', key).update(String(timestamp)).digest('base64')
    const card = JSON.stringify(s.dingtalk.cardCallback('dt-lisi', 'some-card', 'approve'))
    const event = (keys: { aesKey: string; ownerKey: string; token: string }, signWith = keys.token) => {
      const key = Buffer.from(`${keys.aesKey}=`, 'base64')
      const plain = Buffer.from(JSON.stringify({ EventType: 'user_add_org', UserId: ['x'] }))
      const length = Buffer.alloc(4)
      length.writeUInt32BE(plain.length)
      const padded = Buffer.concat([randomBytes(16), length, plain, Buffer.from(keys.ownerKey)])
      const pad = 32 - (padded.length % 32)
      const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false)
      const encrypt = Buffer.concat([cipher.update(Buffer.concat([padded, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64')
      const timestamp = String(Date.now())
      const nonce = randomBytes(4).toString('hex')
      const signature = createHash('sha1').update([signWith, timestamp, nonce, encrypt].sort().join('')).digest('hex')
      return { query: `?msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`, body: JSON.stringify({ encrypt }) }
    }
    const now = Date.now()
    const forgeries: [string, string, Record<string, string>, string][] = [
      ['robot: signed with another secret', '', { timestamp: String(now), sign: robotSign(now, 'another-secret') }, message],
      ['robot: signed two hours ago', '', { timestamp: String(now - 120 * MINUTE), sign: robotSign(now - 120 * MINUTE) }, message],
      ['robot: no signature', '', {}, message],
      ['card: signed with another secret', '', { 'x-ddpaas-signature-timestamp': String(now), 'x-ddpaas-signature': cardSign(now, 'another-secret') }, card],
      ['card: signed two hours ago', '', { 'x-ddpaas-signature-timestamp': String(now - 120 * MINUTE), 'x-ddpaas-signature': cardSign(now - 120 * MINUTE) }, card],
      ['event: signed with another token', event(EVENT_KEYS, 'another-token').query, {}, event(EVENT_KEYS, 'another-token').body],
      ['event: encrypted for another app', event({ ...EVENT_KEYS, ownerKey: 'dingotherapp' }).query, {}, event({ ...EVENT_KEYS, ownerKey: 'dingotherapp' }).body],
    ]
    for (const [name, query, headers, body] of forgeries) {
      // The query and the body of an event must come from the same signing.
      const signed = name.startsWith('event') ? event(name.includes('token') ? EVENT_KEYS : { ...EVENT_KEYS, ownerKey: 'dingotherapp' }, name.includes('token') ? 'another-token' : EVENT_KEYS.token) : undefined
      const response = await fetch(`${s.instances[0]!.url}/dingtalk/events${signed?.query ?? query}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: signed?.body ?? body })
      expect({ name, status: response.status }).toEqual({ name, status: 401 })
      expect(((await response.json()) as { message: string }).message).toMatch(/签名校验失败/)
    }
    await s.settle()
    expect(await trace()).toEqual(before)
  })

  it('replayed valid callbacks are acknowledged and change nothing the second time', async () => {
    // A Feishu chat line, replayed byte for byte five times, then its capture replayed after the 5-minute window.
    const line = feishuLine('查询 BX-202611-0777')
    const signedNow = pusher().wire(line)
    const answersBefore = s.feishu.messagesTo(OPEN_ID.zhangsan).length
    for (let i = 0; i < 6; i++) expect((await pusher().post('/feishu/events', signedNow.body, signedNow.headers)).status).toBe(200)
    expect((await pusher().post('/feishu/events', pusher().wire(line, Date.now() - 6 * MINUTE).body, pusher().wire(line, Date.now() - 6 * MINUTE).headers)).status).toBe(401)
    await s.settle()
    expect(s.feishu.messagesTo(OPEN_ID.zhangsan).slice(answersBefore).filter((m) => m.content.includes('BX-202611-0777'))).toHaveLength(1)

    // A DingTalk robot message, replayed (DingTalk retries with a new signature, same msgId).
    const robot = s.dingtalk.robotMessage('dt-zhangsan', '查询 BX-202611-0778')
    for (let i = 0; i < 4; i++) expect((await s.dingtalk.postRobotCallback(robot)).status).toBe(200)
    await s.settle()
    expect(s.dingtalk.texts('dt-zhangsan').filter((t) => t.includes('BX-202611-0778'))).toHaveLength(1)

    // An approval tap on Feishu, replayed: one decision. Then the same on a DingTalk card callback.
    const { t } = s.instances[0]!
    const requestNo = await t.submitExpense('zhangsan', '提交本月差旅费 880元')
    await s.settle()
    const card = s.feishu.messagesTo(OPEN_ID.lisi).filter((m) => m.msg_type === 'interactive').map(readCard).find((c) => c.text.includes(requestNo))!
    const approve = card.buttons.find((b) => b.value.action === 'approve')!
    const tap = cardActionEnvelope({ appId: FEISHU_APP.appId, token: FEISHU_APP.verificationToken, openId: OPEN_ID.lisi, messageId: card.message.message_id, cardToken: s.feishu.issueCardToken(card.message.message_id), value: approve.value })
    const tapWire = pusher().wire(tap)
    const first = await pusher().post('/feishu/cards', tapWire.body, tapWire.headers)
    expect((first.body as { toast?: { type: string } }).toast?.type).toBe('success')
    await s.settle()
    const afterTap = await trace()
    for (let i = 0; i < 3; i++) expect((await pusher().post('/feishu/cards', tapWire.body, tapWire.headers)).body).toEqual({})
    await s.settle()
    expect(await trace()).toEqual(afterTap)
    const decisions = await s.database.db.selectFrom('audit_log').innerJoin('requests', 'requests.id', 'audit_log.entity_id').select('audit_log.action').where('requests.request_no', '=', requestNo).where('audit_log.action', '=', 'task.approved').execute()
    expect(decisions).toHaveLength(1)
    expect((await verifyAuditChain(s.database.db)).ok).toBe(true)
  })

  it('a sign-in code works once; an edited session cookie is nobody’s', async () => {
    const app = s.instances[0]!.t.app
    const visitor = new AdminClient(app)
    const code = s.dingtalk.issueAuthCode('dt-lisi')
    expect((await visitor.post('/api/admin/auth/dingtalk', { code })).status).toBe(200)
    const replayed = await new AdminClient(app).post('/api/admin/auth/dingtalk', { code })
    expect(replayed.status).toBe(401)
    expect(((await replayed.json()) as { code: string }).code).toBe('BAD_LOGIN_CODE')

    const feishuCode = s.feishu.issueLoginCode(OPEN_ID.sunba)
    expect((await new AdminClient(app).post('/api/admin/auth/feishu', { code: feishuCode })).status).toBe(200)
    expect((await new AdminClient(app).post('/api/admin/auth/feishu', { code: feishuCode })).status).toBe(401)

    // A session cookie from another key, or edited, is nobody's.
    const [name, value] = [...visitor.cookies].find(([k]) => k === 'ab_session')!
    const edited = value.replace(/^./, (c) => (c === 'e' ? 'f' : 'e'))
    expect((await app.request('http://localhost/api/admin/me', { headers: { cookie: `${name}=${edited}` } })).status).toBe(401)
    expect((await app.request('http://localhost/api/admin/me', { headers: { cookie: `${name}=${value}` } })).status).toBe(200)
  })
})
