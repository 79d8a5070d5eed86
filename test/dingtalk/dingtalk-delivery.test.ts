import { afterEach, describe, expect, it } from 'vitest'
import { DB_KINDS } from '../helpers/databases.js'
import { APP, requestNoIn, startDingtalk, waitFor, type DingtalkHarness } from './dingtalk-harness.js'

const actionsOf = (params: Record<string, string>) => (JSON.parse(params.actions ?? '[]') as { id: string }[]).map((a) => a.id)

describe.each(DB_KINDS)('DingTalk delivery guarantees (%s)', (kind) => {
  let h: DingtalkHarness
  afterEach(async () => {
    await h?.close()
  })

  async function count(table: 'requests' | 'inbound_events' | 'cards') {
    const row = await h.t.database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    return Number(row.n)
  }

  it('a redelivery storm across two instances is processed once', async () => {
    h = await startDingtalk(kind, { mode: 'stream', redeliverAfterMs: 15 })
    const { fake } = h
    await h.startAnotherInstance()
    await waitFor(() => fake.openConnections === 2, 'the second connection')

    // Acks get lost: DingTalk keeps pushing the same frame to both connections.
    fake.setIgnoreAcks(true)
    const { msgId } = await fake.say('dt-zhangsan', '提交本月差旅费 3500元')
    await waitFor(() => fake.deliveries(msgId) >= 12, 'a dozen redeliveries')
    fake.setIgnoreAcks(false)
    await h.settle()

    expect(fake.cardsOf('dt-zhangsan')).toHaveLength(1)
    expect(await count('requests')).toBe(1)
    expect(await count('inbound_events')).toBe(1)
  })

  it('the same signed HTTP callback ten times at once is processed once', async () => {
    h = await startDingtalk(kind, { mode: 'http' })
    const { fake } = h
    const message = fake.robotMessage('dt-zhangsan', '提交本月差旅费 3500元')
    const responses = await Promise.all(Array.from({ length: 10 }, () => fake.postRobotCallback(message)))
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200))
    await h.settle()
    expect(fake.cardsOf('dt-zhangsan')).toHaveLength(1)
    expect(await count('requests')).toBe(1)
  })

  it('a dropped connection mid-story loses nothing and doubles nothing', async () => {
    h = await startDingtalk(kind, { mode: 'stream' })
    const { fake, t } = h
    await fake.say('dt-lisi', '你好')
    await fake.say('dt-zhangsan', '提交本月差旅费 3500元')
    await h.settle()
    await fake.tapCard('dt-zhangsan', fake.cardsOf('dt-zhangsan')[0]!.outTrackId, 'confirm')
    await h.settle()
    const requestNo = requestNoIn(fake.texts('dt-zhangsan'))

    // The connection dies just as 李四's line is acknowledged: the ack never arrives, so the line
    // comes again after the reconnect, and must not be answered twice.
    fake.dropConnectionOnNextAck()
    await fake.say('dt-lisi', '待我审批')
    await waitFor(() => fake.openConnections === 0, 'the drop')
    // While the app is away, 李四 taps 同意: the tap waits at DingTalk for the new connection.
    const [supervisorCard] = fake.cardsOf('dt-lisi')
    await fake.tapCard('dt-lisi', supervisorCard!.outTrackId, 'approve')
    await waitFor(() => fake.openConnections === 1, 'the reconnect')
    await h.settle()

    expect(fake.texts('dt-lisi').filter((text) => text.startsWith('你有 1 个待审批的申请'))).toHaveLength(1)
    expect(fake.texts('dt-lisi').filter((text) => text === `已同意 ${requestNo}`)).toHaveLength(1)
    expect(fake.gatewayOpens).toBeGreaterThanOrEqual(2)

    // A plain drop with nothing in flight: the story simply goes on after the reconnect.
    fake.dropConnections()
    const financeCard = fake.cardsOf('dt-sunba')[0]!
    expect(actionsOf(financeCard.params)).toEqual(expect.arrayContaining(['approve', 'reject']))
    await fake.tapCard('dt-sunba', financeCard.outTrackId, 'approve')
    await waitFor(() => fake.openConnections === 1, 'the second reconnect')
    await h.settle()
    expect(await t.system.outbox.drainOnce()).toBe(1)
    await h.settle()
    expect((await t.vouchers()).map((v) => v.requestNo)).toEqual([requestNo])
    expect(fake.texts('dt-zhangsan').filter((text) => text.startsWith('已入账，凭证号'))).toHaveLength(1)
  })

  it('forged, stale and unsigned callbacks are refused and leave nothing behind', async () => {
    h = await startDingtalk(kind, { mode: 'http' })
    const { fake } = h
    const url = h.eventsUrl!
    const message = fake.robotMessage('dt-zhangsan', '提交本月差旅费 3500元')

    expect((await fake.postRobotCallback(message, { secret: 'not-the-app-secret' })).status).toBe(401)
    expect((await fake.postRobotCallback(message, { timestamp: Date.now() - 2 * 3600_000 })).status).toBe(401)
    expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) })).status).toBe(401)

    const tap = fake.cardCallback('dt-zhangsan', 'no-such-card', 'approve')
    expect((await fake.postCardCallback(url, tap, 'not-the-api-secret')).status).toBe(401)
    expect((await fake.postCardCallback(url, tap, 'fake-app-secret-0123456789abcdef', Date.now() - 2 * 3600_000)).status).toBe(401)

    const keys = { token: 'fake-callback-token', aesKey: 'Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7', ownerKey: 'dingfakeappkey0001' }
    expect(await fake.postEvent(url, { EventType: 'check_url' }, { ...keys, token: 'forged-token' })).toEqual({ status: 401 })
    expect(await fake.postEvent(url, { EventType: 'check_url' }, { ...keys, ownerKey: 'dinganotherapp' })).toEqual({ status: 401 })
    expect(await fake.postEvent(url, { EventType: 'check_url' }, { ...keys, aesKey: 'A'.repeat(43) })).toEqual({ status: 401 })
    const garbage = 'x'.repeat(24)
    const garbled = await fetch(`${url}?msg_signature=${'0'.repeat(40)}&timestamp=1&nonce=n`, { method: 'POST', body: JSON.stringify({ encrypt: garbage }) })
    expect(garbled.status).toBe(401)

    await h.t.system.outbox.drainOnce()
    expect(await count('inbound_events')).toBe(0)
    expect(await count('requests')).toBe(0)
    expect(fake.inbox('dt-zhangsan')).toEqual([])
    expect(h.logs.filter((l) => l.includes('rejected callback'))).toHaveLength(8)

    // The genuine article still works: URL check answered with the encrypted, signed "success".
    expect(await fake.postEvent(url, { EventType: 'check_url' }, keys)).toEqual({ status: 200, answer: 'success' })
    expect((await fake.postRobotCallback(message)).status).toBe(200)
    await h.settle()
    expect(fake.cardsOf('dt-zhangsan')).toHaveLength(1)
  })

  it('an exact replay of a signed card callback is dropped', async () => {
    h = await startDingtalk(kind, { mode: 'http' })
    const { fake } = h
    await fake.say('dt-lisi', '你好')
    await fake.say('dt-zhangsan', '提交本月差旅费 3500元')
    await h.settle()
    const card = fake.cardsOf('dt-zhangsan')[0]!
    const tap = fake.cardCallback('dt-zhangsan', card.outTrackId, 'confirm')
    const at = Date.now()
    const secret = 'fake-app-secret-0123456789abcdef'
    const [first, replay] = await Promise.all([fake.postCardCallback(h.eventsUrl!, tap, secret, at), fake.postCardCallback(h.eventsUrl!, tap, secret, at)])
    expect([first.status, replay.status]).toEqual([200, 200])
    await h.settle()
    // Processed twice, the second confirm would have answered with a refusal.
    expect(fake.texts('dt-zhangsan')).toEqual([expect.stringMatching(/^已提交，单号 BX-\d{6}-0001，等待 李四 审批$/)])
  })

  it('signed headers are good for the bodies they came with: DingTalk retrying gets the same answer once processed, another body under them is refused', async () => {
    h = await startDingtalk(kind, { mode: 'http' })
    const { fake } = h
    const url = h.eventsUrl!
    // Two people writing at once: DingTalk signs both in the same millisecond, with the same headers.
    const together = Date.now()
    const hello = await Promise.all(['dt-lisi', 'dt-zhangsan'].map((staffId) => fake.postRobotCallback(fake.robotMessage(staffId, '你好'), { timestamp: together })))
    expect(hello.map((r) => r.status)).toEqual([200, 200])
    await fake.say('dt-zhangsan', '提交本月差旅费 3500元')
    await h.settle()
    expect(fake.texts('dt-lisi')).toHaveLength(1)
    const zhangsanTold = fake.texts('dt-zhangsan').length

    // A card callback, and DingTalk sending exactly the same request again (headers signed 30 s
    // before, well inside the hour, and past the moment other deliveries could share them).
    const signedAt = Date.now() - 30_000
    const confirm = fake.cardCallback('dt-zhangsan', fake.cardsOf('dt-zhangsan')[0]!.outTrackId, 'confirm')
    const first = await fake.postCardCallback(url, confirm, APP.clientSecret, signedAt)
    const retry = await fake.postCardCallback(url, confirm, APP.clientSecret, signedAt)
    expect([first.status, retry.status]).toEqual([200, 200])
    expect(await retry.text()).toBe(await first.text())
    await h.settle()
    const requestNo = requestNoIn(fake.texts('dt-zhangsan').slice(zhangsanTold))!
    expect(fake.texts('dt-zhangsan').slice(zhangsanTold)).toEqual([`已提交，单号 ${requestNo}，等待 李四 审批`])

    // The same robot line twice under one signature: answered twice alike, handled once.
    const lineAt = Date.now() - 30_000
    const line = fake.robotMessage('dt-lisi', '待我审批')
    const answers = [await fake.postRobotCallback(line, { timestamp: lineAt }), await fake.postRobotCallback(line, { timestamp: lineAt })]
    expect(answers.map((a) => a.status)).toEqual([200, 200])
    expect(await answers[1]!.text()).toBe(await answers[0]!.text())
    await h.settle()
    expect(fake.texts('dt-lisi').filter((text) => text.startsWith('你有 1 个待审批的申请'))).toHaveLength(1)

    // Whoever captured those headers cannot put another body under them: not 李四's approval as a
    // card tap, not a line in his name.
    const stored = await count('inbound_events')
    const told = fake.texts('dt-lisi').length
    const approve = fake.cardCallback('dt-lisi', fake.cardsOf('dt-lisi')[0]!.outTrackId, 'approve')
    expect((await fake.postCardCallback(url, approve, APP.clientSecret, signedAt)).status).toBe(401)
    expect((await fake.postRobotCallback(fake.robotMessage('dt-lisi', `同意 ${requestNo}`), { timestamp: lineAt })).status).toBe(401)
    await h.settle()
    expect(await count('inbound_events')).toBe(stored)
    expect(fake.texts('dt-lisi')).toHaveLength(told)
    const task = await h.t.database.db.selectFrom('approval_tasks').select('status').where('approver_id', '=', 'lisi').executeTakeFirstOrThrow()
    expect(task.status).toBe('pending')
    expect(h.logs.filter((l) => l.includes('rejected callback'))).toHaveLength(2)

    // Freshly signed, the same tap is DingTalk's own and goes through.
    await fake.postCardCallback(url, approve, APP.clientSecret)
    await h.settle()
    expect(fake.texts('dt-lisi')).toContain(`已同意 ${requestNo}`)
  })
})
