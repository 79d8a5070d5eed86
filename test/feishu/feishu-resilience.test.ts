import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { legacyCardSignature } from '../../bot/platforms/feishu/feishu-crypto.js'
import { DB_KINDS } from '../helpers/databases.js'
import { APP, FeishuHarness, OPEN_ID, readCard } from './feishu-harness.js'

const DAY_MS = 24 * 60 * 60_000

describe.each(DB_KINDS)('when Feishu is slow, down, or a card is old (%s)', (kind) => {
  let h: FeishuHarness
  beforeAll(async () => {
    h = await FeishuHarness.start(kind, { cardAnswerBudgetMs: 300 })
  })
  afterAll(async () => {
    await h.close()
  })

  async function draft(amount: number) {
    await h.say(OPEN_ID.zhangsan, `提交本月差旅费 ${amount}元`)
    return h.cardOffering(OPEN_ID.zhangsan, 'confirm')
  }

  it('a slow tap is answered in time with a toast, and the card follows by the delayed-update token', async () => {
    const confirmation = await draft(1200)
    h.fake.slowDown({ method: 'POST', path: /^\/open-apis\/im\/v1\/messages$/ }, 600)
    const answer = await h.tap(OPEN_ID.zhangsan, confirmation, 'confirm')
    expect(answer.status).toBe(200)
    expect(answer.ms).toBeLessThan(1_000)
    expect(answer.body).toEqual({ toast: { type: 'info', content: '已收到，正在处理… / received, working on it' } })
    await h.settled()

    const updated = h.fake.message(confirmation.message.message_id)!
    expect(updated.delayed_updates).toHaveLength(1)
    expect(readCard(updated).status).toContain('待审批')
    expect(readCard(updated).buttons).toEqual([])
    expect(h.cardOffering(OPEN_ID.lisi, 'approve').title).toContain('张三')
  })

  it('an outage while the next approver is told delays the card but loses no decision', async () => {
    const lisiCard = h.cardOffering(OPEN_ID.lisi, 'approve')
    const requestNo = /BX-\d{6}-\d{4}/.exec(lisiCard.title)![0]
    const sunbaCards = h.cards(OPEN_ID.sunba).length
    h.fake.failNext({ method: 'POST', path: /^\/open-apis\/im\/v1\/messages$/ }, { status: 503, body: { code: 1, msg: 'system busy' } }, 3)
    expect((await h.tap(OPEN_ID.lisi, lisiCard, 'approve', '同意出差')).status).toBe(200)
    await h.settled()

    const task = await h.t.database.db.selectFrom('approval_tasks').innerJoin('requests', 'requests.id', 'approval_tasks.request_id').select(['approval_tasks.status', 'approval_tasks.comment']).where('requests.request_no', '=', requestNo).where('approver_id', '=', 'lisi').executeTakeFirstOrThrow()
    expect(task).toEqual({ status: 'approved', comment: '同意出差' })
    expect(h.cards(OPEN_ID.sunba)).toHaveLength(sunbaCards + 1)
    expect(h.cardOffering(OPEN_ID.sunba, 'approve').title).toContain(requestNo)
  })

  it('an approver the bot cannot reach does not turn a stored decision into an error, and still finds the task', async () => {
    const confirmation = await draft(900)
    await h.tap(OPEN_ID.zhangsan, confirmation, 'confirm')
    await h.settled()
    const lisiCard = h.cards(OPEN_ID.lisi).filter((c) => c.buttons.some((b) => b.value.action === 'approve')).at(-1)!
    const requestNo = /BX-\d{6}-\d{4}/.exec(lisiCard.title)![0]
    // Feishu refuses the next approver's card for good (the bot is not available to him).
    h.fake.failNext({ method: 'POST', path: /^\/open-apis\/im\/v1\/messages$/ }, { status: 400, body: { code: 230013, msg: 'Bot has NO availability to this user.' } }, 1)
    const answer = await h.tap(OPEN_ID.lisi, lisiCard, 'approve')
    expect(answer.body.toast?.type).toBe('success')
    await h.settled()

    expect(readCard(h.fake.message(confirmation.message.message_id)!).status).toContain('已同意 by 李四')
    expect(h.logs.some((l) => l.includes('approver card not delivered'))).toBe(true)
    const pending = await h.t.database.db.selectFrom('approval_tasks').innerJoin('requests', 'requests.id', 'approval_tasks.request_id').select('approval_tasks.status').where('requests.request_no', '=', requestNo).where('approver_id', '=', 'sunba').executeTakeFirstOrThrow()
    expect(pending.status).toBe('pending')
    await h.say(OPEN_ID.sunba, '待我审批')
    await h.settled()
    expect(h.cards(OPEN_ID.sunba).some((c) => c.title.includes(requestNo) && c.buttons.some((b) => b.value.action === 'approve'))).toBe(true)
  })

  it('a card past the 14-day edit window is sent again, and later updates go to the new message', async () => {
    const confirmation = await draft(800)
    const cardRow = await h.t.database.db.selectFrom('cards').selectAll().where('message_id', '=', confirmation.message.message_id).executeTakeFirstOrThrow()
    h.fake.advance(15 * DAY_MS)
    await h.t.system.services.cards.refresh(cardRow.request_id)

    const moved = await h.t.database.db.selectFrom('cards').select('message_id').where('id', '=', cardRow.id).executeTakeFirstOrThrow()
    expect(moved.message_id).not.toBe(confirmation.message.message_id)
    expect(h.fake.message(moved.message_id)?.to).toBe(OPEN_ID.zhangsan)
    expect(h.logs.some((l) => l.includes('past the 14-day edit window'))).toBe(true)

    await h.t.system.services.cards.refresh(cardRow.request_id)
    expect(h.fake.message(moved.message_id)?.patches).toHaveLength(1)
  })

  it('a legacy (消息卡片请求网址) tap is checked by its SHA-1 signature, answered at once, and the card PATCHed after', async () => {
    const confirmation = await draft(300)
    const cancel = confirmation.buttons.find((b) => b.value.action === 'cancel')!
    const body = JSON.stringify({ open_id: OPEN_ID.zhangsan, user_id: 'u1', tenant_key: 'fake-tenant', open_message_id: confirmation.message.message_id, token: 'c-legacy-1', action: { value: cancel.value, tag: 'button' } })
    const timestamp = String(Math.floor(Date.now() / 1000))
    const headers = { 'content-type': 'application/json', 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': 'n-1', 'x-lark-signature': legacyCardSignature(timestamp, 'n-1', APP.verificationToken, Buffer.from(body)) }
    const answer = await h.pusher.post('/feishu/cards', body, headers)
    expect(answer).toMatchObject({ status: 200, body: {} })
    await h.settled()
    const card = readCard(h.fake.message(confirmation.message.message_id)!)
    expect(card.message.patches.length).toBeGreaterThan(0)
    expect(card.status).toBe('已取消')
  })
})
