import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SimulatorItem } from '../../bot/platforms/dev/dev-platform.js'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'

const texts = (items: SimulatorItem[]) => items.flatMap((m) => (m.text ? [m.text] : []))

describe.each(DB_KINDS)('withdrawing in everyday words (%s)', (kind) => {
  let t: TestSystem
  beforeEach(async () => {
    t = await TestSystem.start(kind)
  })
  afterEach(async () => {
    await t.close()
  })

  const statusOf = async (requestNo: string) =>
    (await t.database.db.selectFrom('requests').select('status').where('request_no', '=', requestNo).executeTakeFirstOrThrow()).status

  it.each(['把我那个单子撤了吧', '撤回我的报销', '刚才那个申请不要了', '我不想报了，撤掉'])('「%s」 names the one open request and withdraws it once confirmed', async (line) => {
    const requestNo = await t.submitExpense('zhangsan', '提交本月差旅费 800元')
    const asked = await t.say('zhangsan', line)
    expect(texts(asked)[0]).toBe(`要撤回 ${requestNo}（费用报销 ¥800.00，审批中）吗？回复「确认」撤回，「取消」不撤回（也可在卡片上点「撤回」）`)
    expect(asked.find((m) => m.card)?.card?.requestNo).toBe(requestNo)
    expect(await statusOf(requestNo)).toBe('pending')

    expect(texts(await t.say('zhangsan', '确认'))).toEqual([`已撤回 ${requestNo}`])
    expect(await statusOf(requestNo)).toBe('withdrawn')
    expect(texts(await t.inbox('lisi'))).toContain(`张三 撤回了申请 ${requestNo}，无需再审批`)
  })

  it('「取消」 answers the question and leaves the request alone', async () => {
    const requestNo = await t.submitExpense('zhangsan', '提交本月差旅费 800元')
    await t.say('zhangsan', '撤回我的报销')
    expect(texts(await t.say('zhangsan', '取消'))).toEqual(['好的，不撤回'])
    expect(await statusOf(requestNo)).toBe('pending')
    // The question is gone: a later 「确认」 confirms nothing.
    await t.say('zhangsan', '确认')
    expect(await statusOf(requestNo)).toBe('pending')
  })

  it('several open requests come as choices; a choice withdraws that one only', async () => {
    const first = await t.submitExpense('zhangsan', '提交本月差旅费 800元')
    const second = await t.submitExpense('zhangsan', '报销打车费 58元')
    const choice = (await t.say('zhangsan', '把我那个单子撤了吧')).find((m) => m.card)?.card
    expect(choice?.title).toBe('要撤回哪一个申请？')
    expect(choice?.actions.map((a) => a.id)).toEqual([`say:撤回 ${second}`, `say:撤回 ${first}`])
    expect((await t.tap(choice!.id, `say:撤回 ${first}`, 'zhangsan')).body.ok).toBe(true)
    expect(await statusOf(first)).toBe('withdrawn')
    expect(await statusOf(second)).toBe('pending')
  })

  it('a type named narrows the choice; a request someone already approved is not offered', async () => {
    const claim = await t.submitExpense('zhangsan', '提交本月差旅费 800元')
    const purchase = (await t.say('zhangsan', '申请采购5把椅子，预算2000')).find((m) => m.card)!.card!
    await t.tap(purchase.id, 'confirm', 'zhangsan')
    expect(texts(await t.say('zhangsan', '撤回我的报销'))[0]).toContain(claim)

    await t.tap((await t.actionableCard('lisi', claim)).id, 'approve', 'lisi')
    // 李四 approved the claim and its step moved on; the finance step has not decided: still withdrawable.
    // Deciding on the finance step too ends it, so nothing can be withdrawn any more.
    await t.tap((await t.actionableCard('sunba', claim)).id, 'approve', 'sunba')
    expect(texts(await t.say('zhangsan', '撤回我的报销'))).toEqual(['你没有可以撤回的这类申请'])
  })

  it('with a request number it acts at once; rejections and a cancelled dialogue are not withdrawals', async () => {
    const requestNo = await t.submitExpense('zhangsan', '提交本月差旅费 800元')
    expect(texts(await t.say('zhangsan', `${requestNo} 我不要了，撤回来`))).toEqual([`已撤回 ${requestNo}`])

    const other = await t.submitExpense('zhangsan', '提交本月差旅费 900元')
    expect(texts(await t.say('lisi', '不同意'))).toEqual([`已驳回 ${other}`])

    await t.say('zhangsan', '提交本月差旅费')
    expect(texts(await t.say('zhangsan', '我不想报了'))).toEqual(['好的，已取消正在填写的申请'])
    const draft = (await t.say('zhangsan', '报销打车费 58元')).find((m) => m.card)!.card!
    expect(texts(await t.say('zhangsan', '刚才那个申请不要了'))).toEqual(['好的，已取消正在填写的申请'])
    expect((await t.cards('zhangsan')).find((c) => c.id === draft.id)?.status).toBe('已取消')
  })
})
