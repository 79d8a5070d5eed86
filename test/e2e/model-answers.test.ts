import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Card } from '../../bot/cards/card.js'
import type { SimulatorItem } from '../../bot/platforms/dev/dev-platform.js'
import { startFakeOpenAi, toolCall, type FakeOpenAi } from '../fakes/openai/fake-openai.js'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'

/** Wednesday 25 November 2026, 10:00 in Shanghai. */
const NOW = Date.parse('2026-11-25T10:00:00+08:00')

const texts = (items: SimulatorItem[]) => items.flatMap((m) => (m.text ? [m.text] : []))
const cardIn = (items: SimulatorItem[]) => items.find((m) => m.card)?.card
const field = (card: Card | undefined, label: string) => card?.fields.find((f) => f.label === label)?.value

describe.each(DB_KINDS)('answers to our questions with a model configured (%s)', (kind) => {
  let fake: FakeOpenAi
  let t: TestSystem
  beforeEach(async () => {
    fake = await startFakeOpenAi()
    t = await TestSystem.start(kind, { now: () => NOW, parserEnv: { OPENAI_MODEL: 'test-model', OPENAI_BASE_URL: fake.baseURL } })
  })
  afterEach(async () => {
    await t.close()
    await fake.close()
  })

  it('an answer the rules read as the slot asked for never reaches the model', async () => {
    fake.behave(toolCall({ intent: 'help', slots: {} }))
    expect(texts(await t.say('zhangsan', '报销差旅费'))).toEqual(['请问金额是多少？'])
    const card = cardIn(await t.say('zhangsan', '嗯大概是一百二十块钱左右吧我记得'))
    expect(field(card, '费用类型')).toBe('差旅费')
    expect(field(card, '金额')).toBe('¥120.00')
    expect(fake.requests).toHaveLength(0)
  })

  it("the model is asked when the rules find nothing, and its reading cannot drop the claim for another command", async () => {
    expect(texts(await t.say('zhangsan', '报销差旅费'))).toEqual(['请问金额是多少？'])
    for (const intent of ['help', 'approval.list', 'request.withdraw'] as const) {
      fake.behave(toolCall({ intent, slots: {} }))
      expect(texts(await t.say('zhangsan', '这个嘛让我想想看啊'))).toEqual(['请问金额是多少？'])
    }
    expect(fake.requests).toHaveLength(3)
    fake.behave(toolCall({ intent: 'expense.submit', slots: { amount: 350 } }))
    const card = cardIn(await t.say('zhangsan', '差不多三四百的样子吧'))
    expect(field(card, '费用类型')).toBe('差旅费')
    expect(field(card, '金额')).toBe('¥350.00')
  })

  it('a command the rules read plainly is still that command', async () => {
    fake.behave(toolCall({ intent: 'unknown', slots: {} }))
    expect(texts(await t.say('zhangsan', '报销差旅费'))).toEqual(['请问金额是多少？'])
    expect(texts(await t.say('zhangsan', '待我审批'))).toEqual(['你目前没有待审批的申请'])
    expect(fake.requests).toHaveLength(0)
  })

  it('a sum beyond what a request can carry from the model is not taken, and the question stands', async () => {
    expect(texts(await t.say('zhangsan', '报销通讯费'))).toEqual(['请问金额是多少？'])
    fake.behave(toolCall({ intent: 'expense.submit', slots: { category: 'communication', amount: 1e12 } }))
    expect(texts(await t.say('zhangsan', '反正一共好多好多呢'))).toEqual(['请问金额是多少？'])
    expect(fake.requests).toHaveLength(1)
    expect(field(cardIn(await t.say('zhangsan', '99')), '金额')).toBe('¥99.00')
  })
})
