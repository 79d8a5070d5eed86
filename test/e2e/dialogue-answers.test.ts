import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Card } from '../../bot/cards/card.js'
import type { SimulatorItem } from '../../bot/platforms/dev/dev-platform.js'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'

/** Wednesday 25 November 2026, 10:00 in Shanghai. */
const NOW = Date.parse('2026-11-25T10:00:00+08:00')
const MINUTE = 60_000
const OCTOBER = '2026-10-01 至 2026-10-31'

const texts = (items: SimulatorItem[]) => items.flatMap((m) => (m.text ? [m.text] : []))
const cardIn = (items: SimulatorItem[]) => items.find((m) => m.card)?.card
const field = (card: Card | undefined, label: string) => card?.fields.find((f) => f.label === label)?.value

describe.each(DB_KINDS)('answers to the questions the bot asks (%s)', (kind) => {
  let t: TestSystem
  let clock: number
  beforeEach(async () => {
    clock = NOW
    t = await TestSystem.start(kind, { now: () => clock })
  })
  afterEach(async () => {
    await t.close()
  })

  const drafts = async () => (await t.database.db.selectFrom('requests').select('id').execute()).length

  it('an answer within the 30 minutes the question is kept fills the slot asked for', async () => {
    expect(texts(await t.say('zhangsan', '报销差旅费'))).toEqual(['请问金额是多少？'])
    clock += 29 * MINUTE
    const card = cardIn(await t.say('zhangsan', '3500'))
    expect(field(card, '费用类型')).toBe('差旅费')
    expect(field(card, '金额')).toBe('¥3,500.00')
  })

  it('after the question expires, the same answer is not taken for the slot: nothing is drafted', async () => {
    expect(texts(await t.say('zhangsan', '报销差旅费'))).toEqual(['请问金额是多少？'])
    clock += 31 * MINUTE
    const replies = await t.say('zhangsan', '3500')
    expect(cardIn(replies)).toBeUndefined()
    expect(texts(replies)[0]).toMatch(/^抱歉，我没有理解「3500」/)
    expect(await drafts()).toBe(0)
    // The expired claim does not come back either: a new one starts from nothing.
    expect(cardIn(await t.say('zhangsan', '报销'))?.title).toBe('请问是哪类费用？')
  })

  it('a sum whose comma separates no thousands (12,00元) is asked for, not guessed, and is no reason', async () => {
    expect(texts(await t.say('zhangsan', '报销打车费12,00元'))).toEqual(['请问金额是多少？'])
    const card = cardIn(await t.say('zhangsan', '1200'))
    expect(field(card, '金额')).toBe('¥1,200.00')
    expect(field(card, '事由')).toBeUndefined()
  })

  it('「上个月的」 fills the period when the period is what was asked', async () => {
    const card = cardIn(await t.say('zhangsan', '报销差旅费 3500'))
    expect(field(card, '费用期间')).toBeUndefined()
    expect(texts(await t.say('zhangsan', '修改费用期间'))).toEqual(['请问费用期间改成什么？'])
    const changed = await t.say('zhangsan', '上个月的')
    expect(texts(changed)).toEqual(['已修改费用期间，请核对后确认：'])
    expect(field(cardIn(changed), '费用期间')).toBe(OCTOBER)
  })

  it('「上个月的」 given while another slot is asked for is kept for the period, and the question stands', async () => {
    expect(texts(await t.say('zhangsan', '报销差旅费'))).toEqual(['请问金额是多少？'])
    expect(texts(await t.say('zhangsan', '上个月的'))).toEqual(['请问金额是多少？'])
    const card = cardIn(await t.say('zhangsan', '3500'))
    expect(field(card, '金额')).toBe('¥3,500.00')
    expect(field(card, '费用期间')).toBe(OCTOBER)
  })
})
