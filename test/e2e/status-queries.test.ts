import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'

const lines = async (t: TestSystem, userId: string, text: string) => (await t.say(userId, text)).flatMap((m) => (m.text ? m.text.split('\n') : []))

/** 「…到哪了」 answers about the requests the line names, and only about the asker's own, or those he handles. */
describe.each(DB_KINDS)('status questions (%s)', (kind) => {
  let t: TestSystem
  let taxi: string
  let dinner: string
  let purchase: string
  beforeAll(async () => {
    t = await TestSystem.start(kind)
    taxi = await t.submitExpense('zhangsan', '报销2026年11月20日打车费58元')
    dinner = await t.submitExpense('zhangsan', '报销2026年10月8日餐费120元')
    const draft = (await t.say('zhangsan', '申请采购3台显示器，预算6000')).find((m) => m.card)!.card!
    purchase = /CG-\d{6}-\d{4}/.exec((await t.tap(draft.id, 'confirm', 'zhangsan')).body.message)![0]
  })
  afterAll(async () => {
    await t.close()
  })

  it('the type, category and period a line names narrow the answer', async () => {
    expect(await lines(t, 'zhangsan', '我的报销到哪了')).toHaveLength(2)
    const purchases = await lines(t, 'zhangsan', '我的采购申请审批到哪了')
    expect(purchases).toHaveLength(1)
    expect(purchases[0]).toMatch(new RegExp(`^${purchase} `))
    const taxis = await lines(t, 'zhangsan', '我2026年11月的打车费报销到哪了')
    expect(taxis).toHaveLength(1)
    expect(taxis[0]).toMatch(new RegExp(`^${taxi} `))
    expect(await lines(t, 'zhangsan', '我的离职申请到哪了')).toEqual(['没有找到符合条件的申请'])
    expect((await lines(t, 'zhangsan', `${dinner} 到哪一步了`))[0]).toMatch(new RegExp(`^${dinner} `))
  })

  it("someone else's requests: those the asker has a task on, and no others", async () => {
    const seen = await lines(t, 'lisi', '张三的报销到哪了')
    expect(seen.map((l) => l.split(' ')[0]).sort()).toEqual([dinner, taxi].sort())
    expect(await lines(t, 'qianqi', '张三的报销到哪了')).toEqual(['没有你经手的张三的申请；只能查看你自己的，或你审批过的'])
    expect(await lines(t, 'qianqi', '我的报销到哪了')).toEqual(['你还没有提交过申请'])
  })
})
