import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { messageEnvelope } from '../fakes/feishu/feishu-event-pusher.js'
import { APP as FEISHU_APP, OPEN_ID, readCard } from '../feishu/feishu-harness.js'
import { DB_KINDS } from '../helpers/databases.js'
import { startChatStack, type ChatStack } from './chat-stack.js'

/**
 * A chat platform down for longer than its client's retry budget (here a fraction of a second: the
 * clients' retries are compressed, which is what makes "longer" cheap to test; in production Feishu
 * retries about 15 s and DingTalk about 7.5 s). What they refused waits in the delivery queue
 * (chat_deliveries) in the database, survives a restart of every app instance, and goes out once the
 * platform is back: every approver card and every notice exactly once, cards showing the request as
 * it is by then. Some of Feishu's sends land while the answer is lost on the way back (the proxy cuts
 * the connection): their retries carry the same `uuid`, so Feishu shows them once. DingTalk's robot
 * send API has no such key, so lost answers are only tried on its cards (the card id is the
 * instance's outTrackId, which DingTalk refuses to create twice).
 */
const FEISHU_PEOPLE = [OPEN_ID.zhangsan, OPEN_ID.lisi, OPEN_ID.wangwu, OPEN_ID.sunba]
const DINGTALK_PEOPLE = ['dt-zhangsan', 'dt-lisi', 'dt-wangwu', 'dt-sunba']
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe.each(DB_KINDS)('a chat platform down for longer than its retry budget, and a restart meanwhile (%s)', (kind) => {
  let s: ChatStack
  beforeAll(async () => {
    s = await startChatStack(kind, { faultProxies: true, chatDelivery: { firstRetryMs: 0, maxRetryMs: 20 } })
    // Everyone has written once, so people are linked and sessions known before the trouble starts.
    for (const openId of FEISHU_PEOPLE) await s.instances[0]!.pusher.pushEvent(messageEnvelope({ appId: FEISHU_APP.appId, token: FEISHU_APP.verificationToken, openId, text: '帮助' }))
    for (const staffId of DINGTALK_PEOPLE) await s.dingtalk.say(staffId, '帮助')
    await s.settle()
  })
  afterAll(async () => s?.close())

  const queued = async () =>
    Object.fromEntries(
      (await s.database.db.selectFrom('chat_deliveries').select((eb) => ['status', eb.fn.countAll<number>().as('n')]).groupBy('status').execute()).map((r) => [r.status, Number(r.n)]),
    ) as Record<string, number>
  /** What the periodic job (Node, every 10 s) and the cron (Workers, every minute) do, until nothing waits. */
  const deliverQueued = async () => {
    for (let round = 0; round < 100; round++) {
      await s.instances[0]!.t.system.deliveries.drain()
      await s.settle()
      const left = await queued()
      if (!left.pending && !left.sending) return
      await sleep(25)
    }
    throw new Error(`the delivery queue did not drain: ${JSON.stringify(await queued())}`)
  }
  const answersTo = (texts: string[], prefix: string) => {
    const count = new Map<string, number>()
    for (const text of texts) for (const no of text.match(new RegExp(`${prefix}-\\d{4}`, 'g')) ?? []) count.set(no, (count.get(no) ?? 0) + 1)
    return count
  }
  const numbers = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`)
  const feishuTexts = (openId: string) => s.feishu.messagesTo(openId).filter((m) => m.msg_type === 'text').map((m) => (JSON.parse(m.content) as { text: string }).text)

  it('Feishu: answers, approver cards, card updates and notices wait out the outage and a restart, then arrive once, showing the latest state', async () => {
    const { t } = s.instances[0]!
    // Before the outage: a claim whose card reaches 李四, so its update has to wait later.
    const before = await t.submitExpense('zhangsan', '提交本月差旅费 650元')
    await s.settle()
    const cardsBefore = s.feishu.messagesTo(OPEN_ID.lisi).filter((m) => m.msg_type === 'interactive').length

    // Feishu down: every call answers 503, and every third is carried out with the answer lost on the way back.
    let call = 0
    await s.feishuProxy!.decide(() => (++call % 3 === 0 ? 'lose-reply' : 'unavailable'))
    for (let i = 0; i < 12; i++) {
      const line = messageEnvelope({ appId: FEISHU_APP.appId, token: FEISHU_APP.verificationToken, openId: FEISHU_PEOPLE[i % FEISHU_PEOPLE.length]!, text: `查询 BX-209803-${String(i).padStart(4, '0')}` })
      expect((await s.instances[0]!.pusher.pushEvent(line)).status).toBe(200)
    }
    const during: string[] = []
    for (let i = 0; i < 3; i++) during.push(await t.submitExpense('zhangsan', `提交本月差旅费 ${660 + i}元`))
    // 李四 decides in the mini-app's simulator meanwhile: one card already in Feishu, one still waiting to go out.
    await t.say('lisi', `驳回 ${before} 理由：超标`)
    await t.say('lisi', `驳回 ${during[0]} 理由：重复`)
    await s.settle()
    const waiting = await queued()
    expect(waiting.pending).toBeGreaterThanOrEqual(12 + 3 + 2)
    expect(waiting.failed ?? 0).toBe(0)

    // Every instance restarts while Feishu is still down: nothing in memory survives.
    await s.restart()
    await s.instances[0]!.t.system.deliveries.drain()
    await s.feishuProxy!.set('pass')
    await deliverQueued()

    // Every answer once, whoever asked.
    const answers = answersTo(FEISHU_PEOPLE.flatMap(feishuTexts), 'BX-209803')
    expect(numbers('BX-209803', 12).filter((no) => answers.get(no) !== 1)).toEqual([])
    // One card per claim for 李四, each showing the claim as it is now.
    const cards = s.feishu.messagesTo(OPEN_ID.lisi).filter((m) => m.msg_type === 'interactive').map(readCard)
    expect(cards).toHaveLength(cardsBefore + 3)
    const cardOf = (requestNo: string) => {
      const mine = cards.filter((c) => c.title.includes(requestNo))
      expect({ requestNo, cards: mine.length }).toEqual({ requestNo, cards: 1 })
      return mine[0]!
    }
    for (const requestNo of [before, during[0]!]) {
      expect(cardOf(requestNo).status).toContain('已驳回')
      expect(cardOf(requestNo).buttons).toEqual([])
    }
    for (const requestNo of during.slice(1)) expect(cardOf(requestNo).buttons.map((b) => b.value.action)).toEqual(expect.arrayContaining(['approve', 'reject']))
    // 张三 hears about each rejection once.
    for (const requestNo of [before, during[0]!]) expect(feishuTexts(OPEN_ID.zhangsan).filter((text) => text.includes(`${requestNo} 已被 李四 驳回`))).toHaveLength(1)
    // Every card on record points at its Feishu message, for later updates.
    const recorded = await s.database.db.selectFrom('cards').select(['message_id', 'platform']).where('recipient_id', '=', 'lisi').where('platform', '=', 'feishu').execute()
    expect(recorded.filter((r) => !s.feishu.message(r.message_id))).toEqual([])
    expect(await queued()).toEqual({})
    expect(s.feishuProxy!.counts.unavailable).toBeGreaterThan(0)
    expect(s.feishuProxy!.counts['lose-reply']).toBeGreaterThan(0)
  })

  it('DingTalk: answers and a card (created while the answer was lost) wait out the outage and a restart, then arrive once', async () => {
    // The access token is in hand (the outage is in DingTalk's APIs, not its token endpoint's answer).
    await s.instances[0]!.dingtalk.client.checkTokens()
    // The sessionWebhooks are rate-limited and the robot API down: answers cannot go out either way.
    s.dingtalk.throttle('/robot/sendBySession', 1_000)
    await s.dingtalkProxy!.set('unavailable')
    for (let i = 0; i < 8; i++) expect((await s.dingtalk.say(DINGTALK_PEOPLE[i % DINGTALK_PEOPLE.length]!, `查询 BX-209804-${String(i).padStart(4, '0')}`)).status).toBe(200)
    await s.settle()
    // 王五's confirmation card is created at DingTalk, but the answer never gets back.
    const cardsBefore = s.dingtalk.cardsOf('dt-wangwu').length
    await s.dingtalkProxy!.set('lose-reply')
    expect((await s.dingtalk.say('dt-wangwu', '提交本月差旅费 320元')).status).toBe(200)
    await s.settle()
    await s.dingtalkProxy!.set('unavailable')
    expect(s.dingtalk.cardsOf('dt-wangwu')).toHaveLength(cardsBefore + 1)
    const waitingCard = await s.database.db.selectFrom('cards').select('message_id').where('recipient_id', '=', 'wangwu').where('platform', '=', 'dingtalk').orderBy('created_at', 'desc').executeTakeFirstOrThrow()
    expect(waitingCard.message_id).toMatch(/^queued:/)
    expect((await queued()).pending).toBeGreaterThanOrEqual(8 + 1)

    await s.restart()
    await s.instances[0]!.t.system.deliveries.drain()
    s.dingtalk.throttle('/robot/sendBySession', 0)
    await s.dingtalkProxy!.set('pass')
    await deliverQueued()

    const answers = answersTo(DINGTALK_PEOPLE.flatMap((id) => s.dingtalk.texts(id)), 'BX-209804')
    expect(numbers('BX-209804', 8).filter((no) => answers.get(no) !== 1)).toEqual([])
    const wangwuCards = s.dingtalk.cardsOf('dt-wangwu')
    expect(wangwuCards).toHaveLength(cardsBefore + 1)
    const row = await s.database.db.selectFrom('cards').select(['id', 'message_id']).where('recipient_id', '=', 'wangwu').where('platform', '=', 'dingtalk').orderBy('created_at', 'desc').executeTakeFirstOrThrow()
    expect(row.message_id).toBe(row.id)
    expect(wangwuCards.at(-1)!.outTrackId).toBe(row.id)
    expect(await queued()).toEqual({})
    expect(s.dingtalkProxy!.counts['lose-reply']).toBeGreaterThan(0)
  })
})
