import { afterEach, describe, expect, it } from 'vitest'
import { DB_KINDS } from '../helpers/databases.js'
import { requestNoIn, startDingtalk, type DingtalkHarness } from './dingtalk-harness.js'

const actionsOf = (params: Record<string, string>) => (JSON.parse(params.actions ?? '[]') as { id: string }[]).map((a) => a.id)
/** Buttons that move a request on; cards may carry others (e.g. comments) that do not. */
const DECISIONS = ['confirm', 'cancel', 'approve', 'reject']
const decisionsOf = (params: Record<string, string>) => actionsOf(params).filter((id) => DECISIONS.includes(id))

describe.each(DB_KINDS)('the expense story on DingTalk (%s)', (kind) => {
  let h: DingtalkHarness
  afterEach(async () => {
    await h?.close()
  })

  it.each(['stream', 'http'] as const)('robot message → interactive cards → supervisor → finance → ERP voucher → 已入账 (%s mode)', async (mode) => {
    h = await startDingtalk(kind, { mode })
    const { fake, t } = h

    // 李四 says hello first, which links him by 工号; 孙八 never writes and is found by mobile.
    await fake.say('dt-lisi', '待我审批')
    await fake.say('dt-zhangsan', '提交本月差旅费 3500元')
    await h.settle()
    expect(fake.texts('dt-lisi')).toEqual(['你目前没有待审批的申请'])
    expect(fake.inbox('dt-lisi')[0]).toMatchObject({ via: 'webhook' })

    const [confirmation] = fake.cardsOf('dt-zhangsan')
    expect(decisionsOf(confirmation!.params)).toEqual(['confirm', 'cancel'])
    expect(confirmation!.params.markdown).toContain('**金额**：¥3,500.00')
    expect(confirmation!.params.title).toBe('请确认费用报销信息')

    await fake.tapCard('dt-zhangsan', confirmation!.outTrackId, 'confirm')
    await h.settle()
    const requestNo = requestNoIn(fake.texts('dt-zhangsan'))
    expect(requestNo).toMatch(/^BX-\d{6}-0001$/)
    expect(fake.texts('dt-zhangsan')).toContain(`已提交，单号 ${requestNo}，等待 李四 审批`)
    // The confirmation card changed in place: no more buttons.
    expect(decisionsOf(confirmation!.params)).toEqual([])
    expect(confirmation!.params.status).toBe('待审批 · 李四')

    const [supervisorCard] = fake.cardsOf('dt-lisi')
    expect(supervisorCard!.params.requestNo).toBe(requestNo)
    expect(decisionsOf(supervisorCard!.params)).toEqual(['approve', 'reject'])
    await fake.tapCard('dt-lisi', supervisorCard!.outTrackId, 'approve', '同意报销')
    await h.settle()
    expect(fake.texts('dt-lisi')).toContain(`已同意 ${requestNo}`)
    expect(supervisorCard!.params.status).toContain('已同意 by 李四')
    expect(decisionsOf(supervisorCard!.params)).toEqual([])

    const [financeCard] = fake.cardsOf('dt-sunba')
    expect(decisionsOf(financeCard!.params)).toEqual(['approve', 'reject'])
    await fake.tapCard('dt-sunba', financeCard!.outTrackId, 'approve', '票据齐全')
    await h.settle()
    expect(fake.texts('dt-zhangsan')).toContain(`你的申请 ${requestNo} 已审批通过，正在入账`)

    expect(await t.system.outbox.drainOnce()).toBe(1)
    await h.settle()
    const [voucher] = await t.vouchers()
    expect(voucher?.requestNo).toBe(requestNo)
    expect(voucher!.lines.reduce((s, l) => s + l.debit, 0)).toBe(3500)
    expect(voucher!.lines.reduce((s, l) => s + l.credit, 0)).toBe(3500)
    expect(fake.texts('dt-zhangsan').some((text) => text.startsWith(`已入账，凭证号 ${voucher!.voucherNo}`))).toBe(true)

    // Every copy of every card shows the final state, for everyone who holds one.
    for (const staffId of ['dt-zhangsan', 'dt-lisi', 'dt-sunba']) {
      for (const card of fake.cardsOf(staffId)) {
        expect(card.params.status).toBe(`已入账 · 凭证号 ${voucher!.voucherNo}`)
        expect(decisionsOf(card.params)).toEqual([])
        expect(card.params.markdown).toContain('李四 已同意「同意报销」')
      }
    }
    // 张三 wrote 1:1, so his replies used the sessionWebhook; 孙八 never wrote: robot API.
    expect(fake.inbox('dt-zhangsan').filter((i) => i.kind === 'text').every((i) => i.kind === 'text' && i.via === 'webhook')).toBe(true)
    expect(fake.inbox('dt-sunba').filter((i) => i.kind === 'text').every((i) => i.kind === 'text' && i.via === 'robot')).toBe(true)
    expect(h.logs.filter((l) => /failed|could not/.test(l))).toEqual([])
  })

  it('without a card template: ActionCards whose buttons send the commands back (http mode)', async () => {
    h = await startDingtalk(kind, { mode: 'http', cards: 'actionCard' })
    const { fake, t } = h

    await fake.say('dt-lisi', '你好')
    await fake.say('dt-zhangsan', '提交本月差旅费 800元')
    await h.settle()
    const [confirmation] = fake.actionCardsOf('dt-zhangsan')
    expect(confirmation!.buttons.map((b) => b.title)).toEqual(expect.arrayContaining(['确认提交', '取消']))
    expect(confirmation!.text).toContain('**金额**：¥800.00')

    await fake.tapActionCardButton('dt-zhangsan', '确认提交')
    await h.settle()
    const requestNo = requestNoIn(fake.texts('dt-zhangsan'))!
    expect(fake.texts('dt-zhangsan')).toContain(`已提交，单号 ${requestNo}，等待 李四 审批`)

    // 李四's card: its 同意 button sends "同意 BX-…", which the text parser understands.
    const [supervisorCard] = fake.actionCardsOf('dt-lisi')
    expect(supervisorCard!.buttons.map((b) => decodeURIComponent(b.url.split('content=')[1]!))).toEqual(expect.arrayContaining([`同意 ${requestNo}`, `驳回 ${requestNo}`]))
    await fake.tapActionCardButton('dt-lisi', '同意')
    await h.settle()
    expect(fake.texts('dt-lisi')).toContain(`已同意 ${requestNo}`)

    // 孙八 never wrote: his card came through the robot API, and a second tap on 李四's stale card is refused.
    const [financeCard] = fake.actionCardsOf('dt-sunba')
    expect(financeCard!.via).toBe('robot')
    await fake.tapActionCardButton('dt-lisi', '同意')
    await fake.tapActionCardButton('dt-sunba', '同意')
    await h.settle()
    expect(fake.texts('dt-lisi')).toContain(`${requestNo} 不在你的待审批列表中`)

    expect(await t.system.outbox.drainOnce()).toBe(1)
    await h.settle()
    const [voucher] = await t.vouchers()
    expect(voucher?.requestNo).toBe(requestNo)
    expect(fake.texts('dt-zhangsan').some((text) => text.startsWith(`已入账，凭证号 ${voucher!.voucherNo}`))).toBe(true)
  })

  it('without a card template: 前加签 王五, typed as the ActionCard says, forwards the step to 王五 (http mode)', async () => {
    h = await startDingtalk(kind, { mode: 'http', cards: 'actionCard' })
    const { fake } = h

    await fake.say('dt-lisi', '你好')
    await fake.say('dt-wangwu', '你好')
    await fake.say('dt-zhangsan', '提交本月差旅费 800元')
    await h.settle()
    await fake.tapActionCardButton('dt-zhangsan', '确认提交')
    await h.settle()
    const requestNo = requestNoIn(fake.texts('dt-zhangsan'))!

    // 李四's chat session is about to lapse, so his desk card comes through the robot API: five
    // buttons at most, and the actions that did not fit are listed as what to send instead.
    await fake.say('dt-lisi', '待我审批', { sessionTtlMs: 30_000 })
    await h.settle()
    const desk = fake.actionCardsOf('dt-lisi').at(-1)!
    expect(desk.via).toBe('robot')
    expect(desk.buttons.map((b) => b.title)).toEqual(['同意', '驳回', '退回发起人', '转交', '前加签'])
    expect(desk.text).toMatch(/「同意并后加签 #[0-9a-f]{8}\/add-after」/)
    expect(desk.text).toMatch(/「评论 #[0-9a-f]{8}\/comment」/)

    const addBefore = /前加签 #[0-9a-f]{8}\/add-before/.exec(desk.text)![0]
    await fake.say('dt-lisi', `${addBefore} 王五`)
    await h.settle()
    expect(fake.texts('dt-lisi')).toContain('已前加签 王五，待其审批后回到你')
    const wangwuCard = fake.actionCardsOf('dt-wangwu').at(-1)!
    expect(wangwuCard.title).toContain(requestNo)
    expect(wangwuCard.buttons.map((b) => decodeURIComponent(b.url.split('content=')[1]!))).toEqual(expect.arrayContaining([`同意 ${requestNo}`]))

    // 王五 agrees: the step is back with 李四.
    await fake.tapActionCardButton('dt-wangwu', '同意')
    await h.settle()
    expect(fake.texts('dt-wangwu')).toContain(`已同意 ${requestNo}`)
    const lisiCards = fake.actionCardsOf('dt-lisi').filter((c) => c.title.includes(requestNo) && c.buttons.some((b) => b.title === '同意'))
    expect(lisiCards.length).toBeGreaterThanOrEqual(2)
  })
})
