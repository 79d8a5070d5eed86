import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'

describe.each(DB_KINDS)('expense story through the simulator (%s)', (kind) => {
  let t: TestSystem
  beforeEach(async () => {
    t = await TestSystem.start(kind)
  })
  afterEach(async () => {
    await t.close()
  })

  it('chat → confirmation card → supervisor → finance → balanced voucher → 已入账', async () => {
    const zhangsan = await t.user('张三')
    expect(zhangsan.department).toBe('研发部')

    const replies = await t.say(zhangsan.id, '提交本月差旅费 3500元')
    const confirmation = replies.find((m) => m.card)?.card
    expect(confirmation?.actions.map((a) => a.id)).toEqual(['confirm', 'edit', 'cancel'])
    expect(confirmation?.fields).toEqual(
      expect.arrayContaining([
        { label: '费用类型', value: '差旅费' },
        { label: '金额', value: '¥3,500.00' },
      ]),
    )

    const confirmed = await t.tap(confirmation!.id, 'confirm', zhangsan.id)
    expect(confirmed.status).toBe(200)
    const requestNo = /BX-\d{6}-0001/.exec(confirmed.body.message)?.[0]
    expect(requestNo).toBeDefined()

    const supervisor = (await t.users()).find((u) => u.id === zhangsan.managerId)!
    expect(supervisor.name).toBe('李四')
    const supervisorCard = await t.actionableCard(supervisor.id, requestNo!)
    expect(supervisorCard.actions.map((a) => a.label)).toEqual(['同意', '驳回'])
    expect((await t.tap(supervisorCard.id, 'approve', supervisor.id)).body.ok).toBe(true)

    // The supervisor's own card changed in place: no buttons, his decision in the header.
    const [after] = await t.cards(supervisor.id, requestNo)
    expect(after!.actions).toEqual([])
    expect(after!.status).toContain('已同意 by 李四')

    const finance = (await t.users()).find((u) => u.roles.includes('finance'))!
    const financeCard = await t.actionableCard(finance.id, requestNo!)
    expect((await t.tap(financeCard.id, 'approve', finance.id, '票据齐全')).body.ok).toBe(true)

    expect(await t.vouchers()).toEqual([])
    expect(await t.system.outbox.drainOnce()).toBe(1)

    const vouchers = await t.vouchers()
    expect(vouchers).toHaveLength(1)
    const voucher = vouchers[0]!
    expect(voucher.requestNo).toBe(requestNo)
    const debit = voucher.lines.reduce((s, l) => s + l.debit, 0)
    const credit = voucher.lines.reduce((s, l) => s + l.credit, 0)
    expect(debit).toBe(3500)
    expect(credit).toBe(3500)
    expect(voucher.lines.find((l) => l.debit > 0)?.account).toContain('差旅费')
    expect(voucher.lines.find((l) => l.credit > 0)?.account).toContain('其他应付款')

    const texts = (await t.inbox(zhangsan.id)).flatMap((m) => (m.text ? [m.text] : []))
    expect(texts.some((text) => text.startsWith(`已入账，凭证号 ${voucher.voucherNo}`))).toBe(true)

    // Every card about the request, for everyone who holds one, shows the final state.
    for (const holder of [zhangsan.id, supervisor.id, finance.id]) {
      const cards = await t.cards(holder, requestNo)
      expect(cards.length).toBeGreaterThan(0)
      for (const card of cards) {
        expect(card.status).toBe(`已入账 · 凭证号 ${voucher.voucherNo}`)
        expect(card.actions).toEqual([])
        expect(card.notes.join('\n')).toContain('李四 已同意')
      }
    }
  })

  it('asks for a missing amount and continues with the answer', async () => {
    const zhangsan = await t.user('张三')
    const question = await t.say(zhangsan.id, '提交本月差旅费')
    expect(question.map((m) => m.text)).toEqual(['请问金额是多少？'])
    const replies = await t.say(zhangsan.id, '3500')
    expect(replies.find((m) => m.card)?.card?.fields).toContainEqual({ label: '金额', value: '¥3,500.00' })
  })

  it('cancelling the question abandons the half-filled claim', async () => {
    const zhangsan = await t.user('张三')
    await t.say(zhangsan.id, '提交本月差旅费')
    expect((await t.say(zhangsan.id, '取消')).map((m) => m.text)).toEqual(['好的，已取消正在填写的申请'])
    expect((await t.say(zhangsan.id, '3500'))[0]?.card).toBeUndefined()
  })

  it('a rejection ends the flow and tells the requester why', async () => {
    const zhangsan = await t.user('张三')
    const requestNo = await t.submitExpense(zhangsan.id, '提交本月差旅费 3500元')
    const card = await t.actionableCard('lisi', requestNo)
    const rejected = await t.tap(card.id, 'reject', 'lisi', '缺少发票')
    expect(rejected.body).toMatchObject({ ok: true })

    const texts = (await t.inbox(zhangsan.id)).flatMap((m) => (m.text ? [m.text] : []))
    expect(texts).toContain(`你的申请 ${requestNo} 已被 李四 驳回。理由：缺少发票`)
    expect(await t.cards('sunba', requestNo)).toEqual([])
    for (const c of [...(await t.cards(zhangsan.id, requestNo)), ...(await t.cards('lisi', requestNo))]) {
      expect(c.status).toBe('已驳回 by 李四')
      expect(c.tone).toBe('red')
    }
    expect(await t.system.outbox.drainOnce()).toBe(0)
  })

  it('adds the department head above 5,000 yuan and explains why on the card', async () => {
    const requestNo = await t.submitExpense('zhangsan', '提交本月差旅费 8000元')
    await t.tap((await t.actionableCard('lisi', requestNo)).id, 'approve', 'lisi')
    const headCard = await t.actionableCard('wangwu', requestNo)
    expect(headCard.notes.join('\n')).toContain('金额 8,000.00 > 5,000.00，增加部门负责人审批')
    await t.tap(headCard.id, 'approve', 'wangwu')
    await t.tap((await t.actionableCard('sunba', requestNo)).id, 'approve', 'sunba')
    await t.system.outbox.drainOnce()
    expect((await t.vouchers())[0]?.lines.map((l) => l.debit + l.credit)).toEqual([8000, 8000])
  })
})
