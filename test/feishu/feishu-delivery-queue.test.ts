import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withdrawAndAnnounce } from '../../bot/conversation/request-effects.js'
import { DB_KINDS } from '../helpers/databases.js'
import { FeishuHarness, OPEN_ID, readCard } from './feishu-harness.js'

const BUSY = { status: 503, body: { code: 1, msg: 'system busy' } }
const SEND = { method: 'POST', path: /^\/open-apis\/im\/v1\/messages$/ }
const EDIT = { method: 'PATCH', path: /^\/open-apis\/im\/v1\/messages\// }

/**
 * Feishu refusing for longer than the client's retry budget (compressed here to a fraction of a
 * second): what it refused waits in chat_deliveries and goes out when the delivery worker runs after
 * Feishu is back, as the request is then. Refusals for good (4xx) are not queued.
 */
describe.each(DB_KINDS)('Feishu refusing for longer than the retry budget (%s)', (kind) => {
  let h: FeishuHarness
  beforeAll(async () => {
    h = await FeishuHarness.start(kind, { chatDelivery: { firstRetryMs: 0, maxRetryMs: 10 } })
  })
  afterAll(async () => {
    await h.close()
  })

  const rows = () => h.t.database.db.selectFrom('chat_deliveries').selectAll().execute()
  async function deliverQueued() {
    for (let round = 0; round < 50; round++) {
      await h.t.system.deliveries.drain()
      await h.settled()
      if ((await rows()).every((r) => r.status !== 'pending' && r.status !== 'sending')) return
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    throw new Error(`queue did not drain: ${JSON.stringify(await rows())}`)
  }
  const latestRequestNo = async () =>
    (await h.t.database.db.selectFrom('requests').select('request_no').where('requester_id', '=', 'zhangsan').orderBy('created_at', 'desc').orderBy('request_no', 'desc').executeTakeFirstOrThrow()).request_no!
  async function submitted(amount: number) {
    await h.say(OPEN_ID.zhangsan, `提交本月差旅费 ${amount}元`)
    const confirmation = h.cardOffering(OPEN_ID.zhangsan, 'confirm')
    await h.tap(OPEN_ID.zhangsan, confirmation, 'confirm')
    await h.settled()
    return { requestNo: await latestRequestNo(), confirmation }
  }
  const cardsAbout = (openId: string, requestNo: string) => h.cards(openId).filter((c) => c.title.includes(requestNo))

  it('card updates wait, later changes join the same row per card, and every copy shows the last state once Feishu is back', async () => {
    const { requestNo } = await submitted(900)
    h.fake.failNext(EDIT, BUSY, 100_000)
    await h.say(OPEN_ID.lisi, `同意 ${requestNo}`)
    // One update waits for each copy: 张三's, 李四's, and 孙八's new card (sent, then refreshed with the others).
    const afterApproval = await rows()
    expect(afterApproval.map((r) => r.kind)).toEqual(['card_update', 'card_update', 'card_update'])
    expect(new Set(afterApproval.map((r) => r.card_id)).size).toBe(3)
    await h.say(OPEN_ID.sunba, `驳回 ${requestNo} 理由：发票不全`)
    // The rejection's updates join those rows instead of queueing three more.
    const queued = await rows()
    expect(queued.map((r) => r.id).sort()).toEqual(afterApproval.map((r) => r.id).sort())
    for (const row of queued) expect(Number(row.generation)).toBeGreaterThan(0)

    // Still down when the worker comes by: nothing is lost, the rows wait their turn.
    await h.t.system.deliveries.drain()
    expect((await rows()).map((r) => r.status)).toEqual(['pending', 'pending', 'pending'])

    h.fake.clearFaults()
    await deliverQueued()
    expect(await rows()).toEqual([])
    for (const openId of [OPEN_ID.zhangsan, OPEN_ID.lisi, OPEN_ID.sunba]) {
      const [card, ...more] = cardsAbout(openId, requestNo)
      expect(more).toEqual([])
      expect(card!.status).toContain('已驳回')
      expect(card!.buttons.map((b) => b.value.action)).not.toContain('approve')
    }
  })

  it('an approver card that waited goes out showing the request as it is then, followed by the notice sent after it', async () => {
    await h.say(OPEN_ID.zhangsan, '提交本月差旅费 450元')
    const confirmation = h.cardOffering(OPEN_ID.zhangsan, 'confirm')
    h.fake.failNext(SEND, BUSY, 100_000)
    await h.tap(OPEN_ID.zhangsan, confirmation, 'confirm')
    await h.settled()
    const requestNo = await latestRequestNo()
    const waiting = await h.t.database.db.selectFrom('cards').innerJoin('requests', 'requests.id', 'cards.request_id').select('cards.message_id').where('requests.request_no', '=', requestNo).where('cards.recipient_id', '=', 'lisi').executeTakeFirstOrThrow()
    expect(waiting.message_id).toMatch(/^queued:/)
    expect(cardsAbout(OPEN_ID.lisi, requestNo)).toEqual([])

    // 张三 withdraws (as his card's 撤回 does) before 李四 ever saw the card.
    const { id } = await h.t.database.db.selectFrom('requests').select('id').where('request_no', '=', requestNo).executeTakeFirstOrThrow()
    await withdrawAndAnnounce(h.t.system.services, id, 'zhangsan', '不报了')
    await h.settled()
    h.fake.clearFaults()
    await deliverQueued()

    const [card, ...more] = cardsAbout(OPEN_ID.lisi, requestNo)
    expect(more).toEqual([])
    expect(card!.status).toContain('撤回')
    expect(card!.buttons).toEqual([])
    expect(h.texts(OPEN_ID.lisi).filter((t) => t.includes(`撤回了申请 ${requestNo}`))).toHaveLength(1)
    // In the order they were queued: the card, then the notice about it.
    const toLisi = h.fake.messagesTo(OPEN_ID.lisi)
    expect(toLisi.findIndex((m) => m.message_id === card!.message.message_id)).toBeLessThan(toLisi.findIndex((m) => m.content.includes(`撤回了申请 ${requestNo}`)))
    const delivered = await h.t.database.db.selectFrom('cards').select('message_id').where('cards.message_id', '=', card!.message.message_id).executeTakeFirst()
    expect(delivered).toBeDefined()
    expect(await rows()).toEqual([])
  })

  it('a refusal for good (the bot cannot reach this person) is logged, not queued', async () => {
    await h.say(OPEN_ID.zhangsan, '提交本月差旅费 300元')
    const confirmation = h.cardOffering(OPEN_ID.zhangsan, 'confirm')
    h.fake.failNext(SEND, { status: 400, body: { code: 230013, msg: 'Bot has NO availability to this user.' } }, 1)
    await h.tap(OPEN_ID.zhangsan, confirmation, 'confirm')
    await h.settled()
    expect(h.logs.some((l) => l.includes('approver card not delivered'))).toBe(true)
    expect(await rows()).toEqual([])
  })
})
