import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DB_KINDS } from '../helpers/databases.js'
import { FeishuHarness, OPEN_ID, readCard } from './feishu-harness.js'

describe.each(DB_KINDS)('expense story through Feishu (%s)', (kind) => {
  let h: FeishuHarness
  beforeEach(async () => {
    h = await FeishuHarness.start(kind)
  })
  afterEach(async () => {
    await h.close()
  })

  it('p2p message → confirm → 李四 and 孙八 approve by card → ERP voucher → every card copy PATCHed', async () => {
    const said = await h.say(OPEN_ID.zhangsan, '提交本月差旅费 3500元')
    expect(said.status).toBe(200)

    // 张三 was matched by 工号 through the contact API and got a confirmation card.
    const confirmation = h.cardOffering(OPEN_ID.zhangsan, 'confirm')
    expect(confirmation.title).toContain('请确认')
    expect(confirmation.json.header.template).toBe('orange')
    expect(confirmation.text).toContain('¥3,500.00')
    expect(confirmation.buttons.map((b) => b.label)).toEqual(['确认提交', '修改', '取消'])

    const confirmed = await h.tap(OPEN_ID.zhangsan, confirmation, 'confirm')
    expect(confirmed.status).toBe(200)
    expect(confirmed.body.toast?.type).toBe('success')
    const requestNo = /BX-\d{6}-\d{4}/.exec(confirmed.body.toast!.content)?.[0]
    expect(requestNo).toBeDefined()
    expect(confirmed.body.card?.type).toBe('raw')
    await h.settled()

    // 李四 never wrote to the bot: found in the directory by company e-mail, sent an approval card.
    const lisiCard = h.cardOffering(OPEN_ID.lisi, 'approve')
    expect(lisiCard.title).toContain(requestNo)
    expect(lisiCard.buttons.map((b) => [b.label, b.inForm])).toEqual([
      ['同意', true],
      ['驳回', true],
    ])
    const approved = await h.tap(OPEN_ID.lisi, lisiCard, 'approve')
    expect(approved.body.toast).toMatchObject({ type: 'success', content: `已同意 ${requestNo}` })
    // The answer carries 李四's card as it now is: his decision in the header, no buttons.
    const answered = readCard({ ...lisiCard.message, content: JSON.stringify(approved.body.card!.data) })
    expect(answered.buttons).toEqual([])
    expect(answered.status).toContain('已同意 by 李四')
    await h.settled()

    const sunbaCard = h.cardOffering(OPEN_ID.sunba, 'approve')
    const financeApproved = await h.tap(OPEN_ID.sunba, sunbaCard, 'approve', '票据齐全')
    expect(financeApproved.body.toast?.type).toBe('success')
    await h.settled()

    expect(await h.t.system.outbox.drainOnce()).toBe(1)
    await h.settled()
    const [voucher] = await h.t.vouchers()
    expect(voucher?.requestNo).toBe(requestNo)

    expect(h.texts(OPEN_ID.zhangsan).some((t) => t.startsWith(`已入账，凭证号 ${voucher!.voucherNo}`))).toBe(true)
    for (const openId of [OPEN_ID.zhangsan, OPEN_ID.lisi, OPEN_ID.sunba]) {
      const cards = h.cards(openId)
      expect(cards.length).toBeGreaterThan(0)
      for (const card of cards) {
        expect(card.message.patches.length).toBeGreaterThan(0)
        expect(card.status).toBe(`已入账 · 凭证号 ${voucher!.voucherNo}`)
        expect(card.json.header.template).toBe('green')
        expect(card.buttons).toEqual([])
        expect(card.text).toContain('孙八 已同意「票据齐全」')
      }
    }
    expect(h.logs.filter((line) => /failed|rejected/.test(line))).toEqual([])
  })
})
