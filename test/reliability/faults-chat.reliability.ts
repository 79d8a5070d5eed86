import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { messageEnvelope } from '../fakes/feishu/feishu-event-pusher.js'
import { APP as FEISHU_APP, OPEN_ID, readCard } from '../feishu/feishu-harness.js'
import { startChatStack, type ChatStack } from './chat-stack.js'

/**
 * The chat platforms pushing back: Feishu rate-limiting (429, 99991400) and then down (503) for
 * seconds at a time, DingTalk rate-limiting its session webhooks and robot API and answering 503,
 * while people write and claims wait for approvers' cards. With the platforms' real retry timing,
 * every answer and every card arrives (later), and none twice. The faults are in the platforms,
 * not the database, so this runs on the embedded one.
 *
 * Outbound messages are retried in memory first, about 15 s on Feishu and 7.5 s on DingTalk: these
 * outages fit in that. What a platform still refuses after it waits in the delivery queue
 * (chat_deliveries) and goes out later: faults-chat-outage.reliability.ts takes a platform down for
 * longer than its retry budget, restarts the app meanwhile, and counts every card and notice once.
 */
const FEISHU_PEOPLE = [OPEN_ID.zhangsan, OPEN_ID.lisi, OPEN_ID.wangwu, OPEN_ID.sunba]
const DINGTALK_PEOPLE = ['dt-zhangsan', 'dt-lisi', 'dt-wangwu', 'dt-sunba']
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('chat platforms answering 429 and 5xx', () => {
  let s: ChatStack
  beforeAll(async () => {
    s = await startChatStack('sqlite', { productionRetries: true, faultProxies: true })
    // Everyone has written once, so people are linked and sessions known before the trouble starts.
    for (const openId of FEISHU_PEOPLE) await s.instances[0]!.pusher.pushEvent(messageEnvelope({ appId: FEISHU_APP.appId, token: FEISHU_APP.verificationToken, openId, text: '帮助' }))
    for (const staffId of DINGTALK_PEOPLE) await s.dingtalk.say(staffId, '帮助')
    await s.settle()
  })
  afterAll(async () => s?.close())

  const feishuLine = (i: number, prefix: string) =>
    s.instances[0]!.pusher.pushEvent(messageEnvelope({ appId: FEISHU_APP.appId, token: FEISHU_APP.verificationToken, openId: FEISHU_PEOPLE[i % FEISHU_PEOPLE.length]!, text: `查询 ${prefix}-${String(i).padStart(4, '0')}` }))
  const answersTo = (texts: string[], prefix: string) => {
    const count = new Map<string, number>()
    for (const text of texts) for (const no of text.match(new RegExp(`${prefix}-\\d{4}`, 'g')) ?? []) count.set(no, (count.get(no) ?? 0) + 1)
    return count
  }
  const feishuTexts = () => FEISHU_PEOPLE.flatMap((openId) => s.feishu.messagesTo(openId).map((m) => m.content))

  it('Feishu: a rate-limit storm, then a 503 outage: every answer and every approval card arrives once', async () => {
    const { t } = s.instances[0]!
    // 429 with Feishu's body for the next 12 message sends, wherever they come from.
    s.feishu.failNext({ method: 'POST', path: /^\/open-apis\/im\/v1\/messages/ }, { status: 429, body: { code: 99991400, msg: 'request trigger frequency limit' }, headers: { 'x-ogw-ratelimit-reset': '1' } }, 12)
    for (let i = 0; i < 16; i++) expect((await feishuLine(i, 'BX-209801')).status).toBe(200)
    const claims: string[] = []
    for (let i = 0; i < 3; i++) claims.push(await t.submitExpense('zhangsan', `提交本月差旅费 ${700 + i}元`))
    // Then Feishu's API is down for 2.5 s, well inside its retry budget (6 tries over ~15 s): every call answers 503.
    await s.feishuProxy!.set('unavailable')
    for (let i = 16; i < 32; i++) expect((await feishuLine(i, 'BX-209801')).status).toBe(200)
    // Confirming a claim waits for its approver's card to go out: these wait out the outage.
    const duringOutage = [3, 4].map((i) => t.submitExpense('zhangsan', `提交本月差旅费 ${700 + i}元`))
    await sleep(2_500)
    await s.feishuProxy!.set('pass')
    claims.push(...(await Promise.all(duringOutage)))
    await s.settle()

    const answers = answersTo(feishuTexts(), 'BX-209801')
    expect(Array.from({ length: 32 }, (_, i) => `BX-209801-${String(i).padStart(4, '0')}`).filter((no) => answers.get(no) !== 1)).toEqual([])
    const cards = s.feishu.messagesTo(OPEN_ID.lisi).filter((m) => m.msg_type === 'interactive').map(readCard)
    for (const requestNo of claims) expect({ requestNo, cards: cards.filter((c) => c.title.includes(requestNo)).length }).toEqual({ requestNo, cards: 1 })
    // The cards are on record for updates, one per claim for 李四.
    const recorded = await s.database.db.selectFrom('cards').innerJoin('requests', 'requests.id', 'cards.request_id').select('requests.request_no').where('cards.recipient_id', '=', 'lisi').where('cards.platform', '=', 'feishu').execute()
    for (const requestNo of claims) expect(recorded.filter((r) => r.request_no === requestNo)).toHaveLength(1)
    expect(s.feishuProxy!.counts.unavailable).toBeGreaterThan(0)
  })

  it('DingTalk: rate-limited webhooks and robot API, then 503s: every answer arrives once', async () => {
    s.dingtalk.throttle('/robot/sendBySession', 8)
    s.dingtalk.throttle('/v1.0/robot/oToMessages/batchSend', 4)
    for (let i = 0; i < 8; i++) expect((await s.dingtalk.say(DINGTALK_PEOPLE[i % DINGTALK_PEOPLE.length]!, `查询 BX-209802-${String(i).padStart(4, '0')}`)).status).toBe(200)
    await s.dingtalkProxy!.set('unavailable')
    s.dingtalk.throttle('/robot/sendBySession', 8)
    for (let i = 8; i < 16; i++) expect((await s.dingtalk.say(DINGTALK_PEOPLE[i % DINGTALK_PEOPLE.length]!, `查询 BX-209802-${String(i).padStart(4, '0')}`)).status).toBe(200)
    await sleep(2_000)
    await s.dingtalkProxy!.set('pass')
    await s.settle()

    const answers = answersTo(DINGTALK_PEOPLE.flatMap((id) => s.dingtalk.texts(id)), 'BX-209802')
    expect(Array.from({ length: 16 }, (_, i) => `BX-209802-${String(i).padStart(4, '0')}`).filter((no) => answers.get(no) !== 1)).toEqual([])
    expect(s.dingtalkProxy!.counts.unavailable).toBeGreaterThan(0)
  })
})
