import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SimulatorItem } from '../../bot/platforms/dev/dev-platform.js'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'

const texts = (items: SimulatorItem[]) => items.flatMap((m) => (m.text ? [m.text] : []))
const DAY = 24 * 3_600_000

describe.each(DB_KINDS)('out-of-office stand-ins (代理) by chat (%s)', (kind) => {
  let t: TestSystem
  /** Starts Wednesday 25 November 2026, 10:00 in Shanghai; tests move it on. */
  let clock = Date.parse('2026-11-25T10:00:00+08:00')
  beforeEach(async () => {
    clock = Date.parse('2026-11-25T10:00:00+08:00')
    t = await TestSystem.start(kind, { now: () => clock })
  })
  afterEach(async () => {
    await t.close()
  })

  it('「12月1日到5日我休假，审批让李四代理」: during those days 李四 gets the tasks; 「取消代理」 ends it', async () => {
    expect(texts(await t.say('wangwu', '12月1日到5日我休假，审批让李四代理'))).toEqual([
      '已设置代理：2026-12-01 至 2026-12-05，期间你的新审批任务交给 李四。发送「我的代理」查看，「取消代理」撤销',
    ])
    expect(texts(await t.inbox('lisi'))).toContain('王五 设置你为 2026-12-01 至 2026-12-05 的审批代理人，期间其新的审批任务会发给你')
    expect(texts(await t.say('wangwu', '我的代理'))).toEqual(['你的代理设置：\n· 李四 代理你：2026-12-01 至 2026-12-05（未开始）'])
    expect(texts(await t.say('lisi', '我的代理'))).toEqual(['你的代理设置：\n· 你代理 王五：2026-12-01 至 2026-12-05（未开始）'])

    // 王五 is 研发部's head: above 5,000 yuan a claim of 张三 reaches him after 李四.
    clock = Date.parse('2026-12-02T10:00:00+08:00')
    const requestNo = await t.submitExpense('zhangsan', '提交本月差旅费 8000元')
    await t.tap((await t.actionableCard('lisi', requestNo)).id, 'approve', 'lisi')
    const standIn = await t.actionableCard('lisi', requestNo)
    expect(standIn.notes.join('\n')).toContain('李四（代王五） 待审批')
    expect(await t.cards('wangwu', requestNo)).toEqual([])

    expect(texts(await t.say('wangwu', '取消代理'))).toEqual(['已取消代理：李四（2026-12-01 至 2026-12-05）'])
    expect(texts(await t.inbox('lisi'))).toContain('王五 取消了你 2026-12-01 至 2026-12-05 的审批代理')
    expect(texts(await t.say('wangwu', '我的代理'))).toEqual(['你没有设置代理。例如「12月1日到5日休假，审批让李四代理」'])
    expect(texts(await t.say('wangwu', '取消代理'))).toEqual(['你没有生效中或待生效的代理设置'])
  })

  it('「设置代理 李四 下周一到下周五」, a single day, and what is missing or wrong is said plainly', async () => {
    expect(texts(await t.say('wangwu', '设置代理 李四 下周一到下周五'))[0]).toMatch(/^已设置代理：2026-11-30 至 2026-12-04/)
    expect(texts(await t.say('zhaoliu', '明天请假，吴九帮我审批'))[0]).toMatch(/^已设置代理：2026-11-26 至 2026-11-26，期间你的新审批任务交给 吴九/)
    expect(texts(await t.say('wangwu', '下周让我代理'))).toEqual(['请说明让谁代理，例如「12月1日到5日休假，审批让李四代理」'])
    expect(texts(await t.say('wangwu', '设置代理 李四'))).toEqual(['请说明代理的日期，例如「设置代理 李四 下周一到下周五」'])
    expect(texts(await t.say('wangwu', '设置代理 李四 赵六 下周'))[0]).toBe('只能指定一位代理人（你提到了 李四、赵六）')
    // Two stand-ins set; 「取消李四的代理」 cancels only that one.
    await t.say('wangwu', '12月10日到12日让赵六代理')
    expect(texts(await t.say('wangwu', '取消李四的代理'))).toEqual(['已取消代理：李四（2026-11-30 至 2026-12-04）'])
    expect(texts(await t.say('wangwu', '我的代理'))).toEqual(['你的代理设置：\n· 赵六 代理你：2026-12-10 至 2026-12-12（未开始）'])
    clock += 16 * DAY
    expect(texts(await t.say('wangwu', '我的代理'))).toEqual(['你的代理设置：\n· 赵六 代理你：2026-12-10 至 2026-12-12（生效中）'])
  })

  it('「取消代理」 is neither a withdrawal nor a dialogue cancel, and 「取消」 still cancels a dialogue', async () => {
    const requestNo = await t.submitExpense('zhangsan', '提交本月差旅费 800元')
    expect(texts(await t.say('zhangsan', '取消代理'))).toEqual(['你没有生效中或待生效的代理设置'])
    const status = await t.database.db.selectFrom('requests').select('status').where('request_no', '=', requestNo).executeTakeFirstOrThrow()
    expect(status.status).toBe('pending')
    await t.say('zhangsan', '提交本月差旅费')
    expect(texts(await t.say('zhangsan', '取消'))).toEqual(['好的，已取消正在填写的申请'])
  })
})
