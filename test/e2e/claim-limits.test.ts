import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Card } from '../../bot/cards/card.js'
import type { SimulatorItem } from '../../bot/platforms/dev/dev-platform.js'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'

/** Saturday 5 December 2026, 10:00 in Shanghai. */
const NOW = Date.parse('2026-12-05T10:00:00+08:00')

const texts = (items: SimulatorItem[]) => items.flatMap((m) => (m.text ? [m.text] : []))
const cardIn = (items: SimulatorItem[]) => items.find((m) => m.card)?.card
const field = (card: Card | undefined, label: string) => card?.fields.find((f) => f.label === label)?.value

describe.each(DB_KINDS)('days and sums a request cannot carry are asked for again (%s)', (kind) => {
  let t: TestSystem
  beforeEach(async () => {
    t = await TestSystem.start(kind, { now: () => NOW })
  })
  afterEach(async () => {
    await t.close()
  })

  const drafts = async () => (await t.database.db.selectFrom('requests').select('id').execute()).length

  it('an expense dated after today: the day is asked again, the rest of the claim kept', async () => {
    const asked = await t.say('zhangsan', '报销交通费 120元 2027-03-01')
    expect(texts(asked)).toEqual(['发生日期不能晚于今天，请重新说一下日期'])
    expect(cardIn(asked)).toBeUndefined()
    expect(await drafts()).toBe(0)
    const card = cardIn(await t.say('zhangsan', '昨天'))
    expect(field(card, '费用类型')).toBe('交通费')
    expect(field(card, '金额')).toBe('¥120.00')
    expect(field(card, '发生日期')).toBe('2026-12-04')
  })

  it('an expense more than a year back, or a period not yet begun, likewise', async () => {
    expect(texts(await t.say('zhangsan', '报销交通费 120元 2025-11-01'))).toEqual(['发生日期不能早于 2025-12-05（超过 365 天的费用不能报销），请重新说一下日期'])
    expect(field(cardIn(await t.say('zhangsan', '12月1日')), '发生日期')).toBe('2026-12-01')
    expect(texts(await t.say('zhangsan', '取消'))).toEqual(['好的，已取消正在填写的申请'])

    expect(texts(await t.say('zhangsan', '报销下个月的通讯费 99元'))).toEqual(['发生日期不能晚于今天，请重新说一下日期'])
    expect(field(cardIn(await t.say('zhangsan', '上个月')), '费用期间')).toBe('2026-11-01 至 2026-11-30')
  })

  it('a day after today typed at the card is asked again there', async () => {
    cardIn(await t.say('zhangsan', '报销交通费 120元 昨天'))
    expect(texts(await t.say('zhangsan', '日期改成明天'))).toEqual(['发生日期不能晚于今天，请问发生日期改成什么？'])
    const changed = await t.say('zhangsan', '12月3日')
    expect(texts(changed)).toEqual(['已修改发生日期，请核对后确认：'])
    expect(field(cardIn(changed), '发生日期')).toBe('2026-12-03')
  })

  it('a sum beyond what a request can carry is asked again, the claim kept', async () => {
    const asked = await t.say('zhangsan', '报销通讯费 三亿元')
    expect(texts(asked)).toEqual(['金额超出范围，请重新输入金额'])
    expect(await drafts()).toBe(0)
    const card = cardIn(await t.say('zhangsan', '300'))
    expect(field(card, '费用类型')).toBe('通讯费')
    expect(field(card, '金额')).toBe('¥300.00')
    expect(texts(await t.say('zhangsan', '金额改成三亿'))).toEqual(['金额超出范围，请问金额改成什么？'])
    expect(texts(await t.say('zhangsan', '取消'))).toEqual(['好的，已取消正在填写的申请'])

    expect(texts(await t.say('zhangsan', '申请采购10台笔记本电脑，预算三亿'))).toEqual(['预算超出范围，请重新输入预算'])
    expect(field(cardIn(await t.say('zhangsan', '8万')), '预算')).toBe('¥80,000.00')
  })
})
