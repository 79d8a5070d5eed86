import { afterEach, describe, expect, it } from 'vitest'
import type { Card } from '../../bot/cards/card.js'
import { renderFeishuCard } from '../../bot/platforms/feishu/feishu-cards.js'
import { DB_KINDS } from '../helpers/databases.js'
import { FeishuHarness, OPEN_ID, readCard } from './feishu-harness.js'

/** Feishu's card limit (PROTOCOLS F2); the fake refuses bigger sends and PATCHes with 230025. */
const LIMIT = 30 * 1024
const EARLIER = '…更早的记录请在小程序查看'
const bytes = (card: unknown) => Buffer.byteLength(JSON.stringify(card))

describe.each(DB_KINDS)('a request whose history outgrows a Feishu card (%s)', (kind) => {
  let h: FeishuHarness
  afterEach(async () => {
    await h.close()
  })

  // The tapped card comes back in the callback's answer, or, when the work outlasts the answer's budget, by the delayed update.
  it.each([
    ['in the answer', undefined],
    ['by the delayed update', 1],
  ])('12 long comments, then 同意: the next approver gets a card, every copy is updated, all within 30 KB (tapped card %s)', async (_, cardAnswerBudgetMs) => {
    h = await FeishuHarness.start(kind, { cardAnswerBudgetMs })
    await h.say(OPEN_ID.zhangsan, '提交本月差旅费 3500元')
    const confirmation = h.cardOffering(OPEN_ID.zhangsan, 'confirm')
    await h.tap(OPEN_ID.zhangsan, confirmation, 'confirm')
    await h.settled()
    const lisiCard = h.cardOffering(OPEN_ID.lisi, 'approve')
    const requestNo = /BX-\d{6}-\d{4}/.exec(lisiCard.title)![0]

    // Comments take up to 1000 characters (DingTalk users type them after 评论; Feishu's box takes 500).
    const { id: requestId } = await h.t.database.db.selectFrom('requests').select('id').where('request_no', '=', requestNo).executeTakeFirstOrThrow()
    for (let n = 1; n <= 12; n++) {
      await h.t.system.services.decisions.comment({ requestId, actorId: n % 2 ? 'zhangsan' : 'lisi', text: `第${n}条意见：${'差旅行程与票据说明'.repeat(100)}` })
    }

    const approved = await h.tap(OPEN_ID.lisi, lisiCard, 'approve', '同意')
    await h.settled()
    if (cardAnswerBudgetMs === undefined) {
      expect(approved.body.toast).toMatchObject({ type: 'success', content: `已同意 ${requestNo}` })
      expect(bytes(approved.body.card!.data)).toBeLessThanOrEqual(LIMIT)
    } else {
      const [delayed] = h.fake.message(lisiCard.message.message_id)!.delayed_updates
      expect(readCard({ ...lisiCard.message, content: delayed! }).status).toContain('已同意 by 李四')
    }

    const sunbaCard = h.cardOffering(OPEN_ID.sunba, 'approve')
    expect(sunbaCard.title).toContain(requestNo)
    expect(sunbaCard.text).toContain(EARLIER)
    expect(sunbaCard.text).toContain('第12条意见：')
    expect(sunbaCard.text).not.toContain('第1条意见：')
    expect(sunbaCard.text).toContain('▶ 第2步 财务审批：孙八 待审批')

    const zhangsanCopy = readCard(h.fake.message(confirmation.message.message_id)!)
    expect(zhangsanCopy.status).toContain('已同意 by 李四')
    expect(zhangsanCopy.text).toContain(EARLIER)
    for (const message of h.fake.messages.filter((m) => m.msg_type === 'interactive')) expect(Buffer.byteLength(message.content)).toBeLessThanOrEqual(LIMIT)
    expect(h.logs.filter((line) => /not delivered|refresh failed|230025/.test(line))).toEqual([])
    expect(h.logs.some((line) => line.includes('over Feishu'))).toBe(true)
  })
})

describe('a Feishu card rendered past the size limit', () => {
  const card: Card = {
    id: 'c-1',
    title: '张三的费用报销',
    requestNo: 'BX-202611-0001',
    status: '待审批 · 李四',
    tone: 'blue',
    fields: [{ label: '金额', value: '¥3,500.00' }],
    notes: ['▶ 第1步 直属上级审批：李四 待审批（报销需直属上级审批）', ...Array.from({ length: 40 }, (_, i) => `💬 张三（2026-11-0${(i % 9) + 1} 10:00）：第${i + 1}条 ${'"引号"与说明'.repeat(120)}`), '需要退回、转交或加签？发送「待我审批」'],
    actions: [{ id: 'approve', label: '同意', style: 'primary', withComment: true }],
  }
  const notesOf = (json: ReturnType<typeof renderFeishuCard>) => readCard({ content: JSON.stringify(json) } as never).text

  it('drops the oldest comments first, shortens the last one to go, and keeps every other note', () => {
    const logs: string[] = []
    const json = renderFeishuCard(card, (line) => logs.push(line))
    // As sent: the card is the `content` string of the request.
    expect(Buffer.byteLength(JSON.stringify(JSON.stringify(json)))).toBeLessThanOrEqual(LIMIT)
    const text = notesOf(json)
    expect(text).toContain('▶ 第1步 直属上级审批')
    expect(text).toContain('需要退回、转交或加签？')
    expect(text).toContain('第40条')
    expect(text).not.toContain('第1条 ')
    const lines = text.split('\n')
    const marker = lines.indexOf(EARLIER)
    expect(lines[marker - 1]).toContain('▶ 第1步')
    expect(lines[marker + 1]).toMatch(/^💬 .*…$/)
    expect(logs).toHaveLength(1)
    expect(renderFeishuCard({ ...card, notes: card.notes.slice(0, 3) }, (line) => logs.push(line))).toEqual(renderFeishuCard({ ...card, notes: card.notes.slice(0, 3) }))
    expect(logs).toHaveLength(1)
  })

  it('shortens the fields too when they alone are too big (hundreds of attachments)', () => {
    const files = Array.from({ length: 400 }, (_, i) => `发票扫描件第${i + 1}页.pdf（需人工核对）`).join('；')
    const json = renderFeishuCard({ ...card, fields: [...card.fields, { label: '附件', value: files }] })
    expect(Buffer.byteLength(JSON.stringify(JSON.stringify(json)))).toBeLessThanOrEqual(LIMIT)
    expect(notesOf(json)).toContain('¥3,500.00')
    expect(notesOf(json)).toContain('发票扫描件第1页.pdf')
  })
})
