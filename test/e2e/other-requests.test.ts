import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'

const texts = (items: { text?: string }[]) => items.flatMap((m) => (m.text ? [m.text] : []))

describe.each(DB_KINDS)('purchase, transfer, resignation and project from chat (%s)', (kind) => {
  let t: TestSystem
  beforeEach(async () => {
    t = await TestSystem.start(kind)
  })
  afterEach(async () => {
    await t.close()
  })

  /** Confirms the draft card in `replies` and returns the request number. */
  async function confirm(userId: string, replies: { card?: { id: string; actions: { id: string }[] } }[]): Promise<string> {
    const card = replies.find((m) => m.card?.actions.some((a) => a.id === 'confirm'))?.card
    expect(card).toBeDefined()
    const { body } = await t.tap(card!.id, 'confirm', userId)
    return /[A-Z]{2}-\d{6}-\d{4}/.exec(body.message)![0]
  }

  it('a purchase asks for what is missing, one question at a time, then is approved and posted', async () => {
    expect(texts(await t.say('zhangsan', '申请采购笔记本电脑'))).toEqual(['请问需要多少（数量）？'])
    expect(texts(await t.say('zhangsan', '10台'))).toEqual(['请问预算是多少？'])
    const replies = await t.say('zhangsan', '8万')
    expect(replies[0]?.card?.fields).toEqual(expect.arrayContaining([expect.objectContaining({ value: expect.stringContaining('笔记本电脑') })]))
    const requestNo = await confirm('zhangsan', replies)
    expect(requestNo).toMatch(/^CG-/)

    for (let i = 0; i < 5; i++) {
      const holders = ['lisi', 'wangwu', 'sunba', 'qianqi', 'zhouzong']
      const next = (await Promise.all(holders.map(async (id) => ({ id, cards: await t.cards(id, requestNo) })))).find((h) => h.cards.some((c) => c.actions.some((a) => a.id === 'approve')))
      if (!next) break
      await t.tap(next.cards.find((c) => c.actions.some((a) => a.id === 'approve'))!.id, 'approve', next.id)
    }
    const status = await t.database.db.selectFrom('requests').select('status').where('request_no', '=', requestNo).executeTakeFirstOrThrow()
    expect(status.status).toBe('approved')
    await t.system.outbox.drainOnce()
    const row = await t.database.db.selectFrom('outbox').select(['status', 'action_kind']).where('idempotency_key', '=', requestNo).executeTakeFirstOrThrow()
    expect(row).toEqual({ status: 'posted', action_kind: 'purchase.requisition' })
  })

  it('an answer that says more than was asked fills every slot it names', async () => {
    expect(texts(await t.say('zhangsan', '采购笔记本电脑'))).toEqual(['请问需要多少（数量）？'])
    const both = (await t.say('zhangsan', '3台，预算1.5万'))[0]?.card
    expect(both?.fields).toEqual(expect.arrayContaining([{ label: '物品', value: '笔记本电脑' }, { label: '数量', value: '3' }, { label: '预算', value: '¥15,000.00' }]))
    await t.say('zhangsan', '取消')

    expect(texts(await t.say('zhangsan', '我要采购'))).toEqual(['请问要采购什么？'])
    expect(texts(await t.say('zhangsan', '5台显示器'))).toEqual(['请问预算是多少？'])
    const card = (await t.say('zhangsan', '6000'))[0]?.card
    expect(card?.fields).toEqual(expect.arrayContaining([{ label: '物品', value: '显示器' }, { label: '数量', value: '5' }]))
  })

  it('the day a purchase is needed by, and the day a project starts, are kept from the line', async () => {
    const purchase = (await t.say('zhangsan', '申请采购3台显示器，预算6000，2027年1月15日前要'))[0]?.card
    expect(purchase?.fields).toContainEqual({ label: '需要日期', value: '2027-01-15' })
    const project = (await t.say('zhangsan', '发起立项：年货节营销，预算5万，2027年1月10日开始'))[0]?.card
    expect(project?.fields).toContainEqual({ label: '开始日期', value: '2027-01-10' })
  })

  it('a transfer to a department that does not exist asks again, listing the real ones', async () => {
    const first = texts(await t.say('zhangsan', '下月1号调岗到市场部'))
    expect(first[0]).toContain('没有找到部门「市场部」')
    expect(first[0]).toContain('销售部')
    const replies = await t.say('zhangsan', '销售部')
    const card = replies.find((m) => m.card)?.card
    expect(JSON.stringify(card?.fields)).toContain('销售部')
    expect(await confirm('zhangsan', replies)).toMatch(/^DG-/)
  })

  it('a resignation asks for the last working day', async () => {
    expect(texts(await t.say('wujiu', '我要离职'))).toEqual(['请问最后工作日是哪天？例如「12月31日」'])
    const replies = await t.say('wujiu', '12月31日')
    expect(JSON.stringify(replies[0]?.card)).toContain('2026-12-31')
    expect(await confirm('wujiu', replies)).toMatch(/^LZ-/)
  })

  it('a project takes its name and budget as answers', async () => {
    expect(texts(await t.say('zhangsan', '发起立项'))).toEqual(['请问项目名称是什么？'])
    expect(texts(await t.say('zhangsan', '双十一营销活动'))).toEqual(['请问项目预算是多少？'])
    const replies = await t.say('zhangsan', '预算5万')
    const card = replies[0]?.card
    expect(JSON.stringify(card)).toContain('双十一营销活动')
    // The project template lets the initiator choose the reviewers (发起人自选): named with the tap.
    const { body } = await t.tap(card!.id, 'confirm-select', 'zhangsan', '赵六、钱七')
    expect(body.message).toMatch(/LX-\d{6}-\d{4}/)
  })
})
