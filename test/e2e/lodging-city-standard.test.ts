import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Card } from '../../bot/cards/card.js'
import { DEMO_POLICIES } from '../../db/seeds/demo-policies.js'
import { PolicyStore } from '../../workflow/policy/policy-store.js'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'

/**
 * The lodging standard by city tier (LODGING_PER_NIGHT, seeded as a warning), reached from chat:
 * the city and the nights typed with the claim travel on it, and the approver's card cites the rule
 * when the claim is over the standard of that city's tier. 张三 is level 2: ¥500 a night in a
 * tier-1 city, ¥400 in tier 2, ¥300 in tier 3; a claim naming no city is held to tier 1.
 */
describe.each(DB_KINDS)('lodging standard by city tier from chat (%s)', (kind) => {
  let t: TestSystem
  beforeEach(async () => {
    t = await TestSystem.start(kind)
  })
  afterEach(async () => {
    await t.close()
  })

  const RULE = '⚠️ 规则 LODGING_PER_NIGHT'
  const field = (card: Card | undefined, label: string) => card?.fields.find((f) => f.label === label)?.value
  const confirmation = async (userId: string, text: string) => {
    const card = (await t.say(userId, text)).find((m) => m.card?.actions.some((a) => a.id === 'confirm' || a.id === 'edit'))?.card
    if (!card) throw new Error(`no confirmation card for ${text}`)
    return card
  }
  /** Submits by chat and returns the card the supervisor 李四 got. */
  const approverCard = async (text: string) => {
    const requestNo = await t.submitExpense('zhangsan', text)
    return t.actionableCard('lisi', requestNo)
  }
  const lodgingNotes = (card: Card) => card.notes.filter((n) => n.startsWith(RULE))

  it('a tier-2 city over its per-night standard: the finding is cited on the approver card; the same sum in a tier-1 city is not', async () => {
    const draft = await confirmation('zhangsan', '报销杭州出差住宿2晚900元')
    expect([field(draft, '费用类型'), field(draft, '城市'), field(draft, '晚数')]).toEqual(['住宿费', '杭州', '2'])
    await t.tap(draft.id, 'cancel', 'zhangsan')

    const hangzhou = await approverCard('报销杭州出差住宿2晚900元')
    expect(field(hangzhou, '城市')).toBe('杭州')
    expect(lodgingNotes(hangzhou)).toEqual([`${RULE}：住宿费标准：职级 2 在二线城市（杭州）每晚不超过 ¥400.00，本次 2 晚共 ¥900.00，超出 ¥100.00`])

    const shanghai = await approverCard('报销上海出差住宿2晚900元')
    expect(field(shanghai, '城市')).toBe('上海')
    expect(field(shanghai, '晚数')).toBe('2')
    expect(lodgingNotes(shanghai)).toEqual([])
  })

  it('nights said as 两晚 / 三个晚上 / 住了N天, and a tier-3 city', async () => {
    const luoyang = await approverCard('洛阳宾馆三个晚上 1000')
    expect(lodgingNotes(luoyang)).toEqual([`${RULE}：住宿费标准：职级 2 在三线及以下城市（洛阳）每晚不超过 ¥300.00，本次 3 晚共 ¥1,000.00，超出 ¥100.00`])

    // ¥1,600 for 3 nights in 北京 is ¥533 a night: over ¥500. For 4 nights it would not be.
    const stayed = await approverCard('北京酒店住了3天 1600元')
    expect([field(stayed, '城市'), field(stayed, '晚数')]).toEqual(['北京', '3'])
    expect(lodgingNotes(stayed)).toEqual([`${RULE}：住宿费标准：职级 2 在一线城市（北京）每晚不超过 ¥500.00，本次 3 晚共 ¥1,600.00，超出 ¥100.00`])
    expect(lodgingNotes(await approverCard('北京酒店4晚 1600元'))).toEqual([])

    expect(lodgingNotes(await approverCard('北京酒店两晚 1200'))).toEqual([`${RULE}：住宿费标准：职级 2 在一线城市（北京）每晚不超过 ¥500.00，本次 2 晚共 ¥1,200.00，超出 ¥200.00`])
  })

  it('a city and nights given across turns: the amount asked for afterwards keeps them', async () => {
    expect((await t.say('zhangsan', '报销杭州住宿2晚')).map((m) => m.text)).toEqual(['请问金额是多少？'])
    const draft = (await t.say('zhangsan', '900')).find((m) => m.card)?.card
    expect([field(draft, '城市'), field(draft, '晚数')]).toEqual(['杭州', '2'])
    expect(draft!.notes).toContain(`${RULE}：住宿费标准：职级 2 在二线城市（杭州）每晚不超过 ¥400.00，本次 2 晚共 ¥900.00，超出 ¥100.00。建议：如确需超标，请在事由中说明原因，审批人会看到这条提示`)
  })

  it('a lodging claim without a city keeps the fallback: the most lenient tier, no finding at ¥450 a night', async () => {
    const card = await approverCard('报销住宿费2晚900元')
    expect(field(card, '城市')).toBeUndefined()
    expect(field(card, '晚数')).toBe('2')
    expect(lodgingNotes(card)).toEqual([])
  })

  it('a city the admin adds to the policy is recognised in chat; made a block, it stops the claim before submit', async () => {
    // Before: 拉萨 is in no list, so the claim is held to tier 1 and passes.
    expect(lodgingNotes(await approverCard('拉萨酒店两晚 700元'))).toEqual([])

    const seeded = DEMO_POLICIES.find((p) => p.code === 'LODGING_PER_NIGHT')!
    const policies = new PolicyStore(t.database.db)
    const params = { ...seeded.params, cityTiers: { ...seeded.params.cityTiers, 拉萨市: 3 } }
    await policies.save({ code: seeded.code, kind: seeded.kind, severity: 'warn', params }, 'admin')
    const warned = await approverCard('拉萨酒店两晚 700元')
    expect(field(warned, '城市')).toBe('拉萨市')
    expect(lodgingNotes(warned)).toEqual([`${RULE}：住宿费标准：职级 2 在三线及以下城市（拉萨市）每晚不超过 ¥300.00，本次 2 晚共 ¥700.00，超出 ¥100.00`])

    await policies.save({ code: seeded.code, kind: seeded.kind, severity: 'block', params }, 'admin')
    const blocked = await confirmation('zhangsan', '去拉萨出差，住宿两晚700元')
    expect(blocked.actions.map((a) => a.id)).toEqual(['edit', 'cancel'])
    expect(blocked.notes.join('\n')).toContain('⛔ 规则 LODGING_PER_NIGHT：住宿费标准：职级 2 在三线及以下城市（拉萨市）每晚不超过 ¥300.00，本次 2 晚共 ¥700.00，超出 ¥100.00。建议：请将金额调整到 ¥600.00 以内，超标部分自理')
    expect((await t.tap(blocked.id, 'confirm', 'zhangsan')).body.message).toContain('【LODGING_PER_NIGHT】')
    // The same claim in a tier-1 city goes through.
    expect(lodgingNotes(await approverCard('去上海出差，住宿两晚700元'))).toEqual([])
  })
})
