import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseWithRules } from '../../bot/nlu/rules/index.js'
import { CORPUS, CORPUS_NOW } from '../nlu/corpus.js'
import { readingsOf } from '../../bot/conversation/handlers/request-type-choice.js'
import { rankRequestOptions } from '../../workflow/receipts/suggestions/request-type-ranking.js'
import { loadRequestTypeSignals } from '../../workflow/receipts/suggestions/request-type-signals.js'
import { DB_KINDS } from '../helpers/databases.js'
import { ReceiptsSystem } from './receipts-system.js'
import { seedClaim } from './seeded-claims.js'

const NOW = Date.parse('2026-11-25T10:00:00+08:00')
const BOOKS = ['purchase', 'expense:training', 'expense:office'] as const

describe('ranking request types', () => {
  it('keeps the reading’s order with nothing known, and says why each option ranks where it does', () => {
    const none = { own: new Map(), department: new Map(), roleHints: [] }
    expect(rankRequestOptions(BOOKS, none).map((o) => [o.key, o.label, o.reason])).toEqual([
      ['purchase', '采购申请', '常见选项'],
      ['expense:training', '报销培训费', '常见选项'],
      ['expense:office', '报销办公费', '常见选项'],
    ])
  })

  it('counts every claim for a bare “expense”, and a category hint counts for the family', () => {
    const signals = { own: new Map([['expense:meal', 2], ['project', 1]]), department: new Map(), roleHints: ['expense:travel'] }
    const ranked = rankRequestOptions(['project', 'purchase', 'expense'], signals)
    expect(ranked.map((o) => o.key)).toEqual(['expense', 'project', 'purchase'])
    expect(ranked[0]).toMatchObject({ reason: '你近半年提交过 2 次费用报销', score: 3 * (2 / 3) + 0.5 })
  })

  it('reads a weak 买 and money for something as several requests; clear lines as one', () => {
    const read = (text: string) => readingsOf(text, parseWithRules(text, new Date(NOW)), new Date(NOW))
    expect(Object.fromEntries(read('买几本书')!)).toEqual({ purchase: '采购几本书', 'expense:training': '报销培训费，事由：买几本书', 'expense:office': '报销办公费，事由：买几本书' })
    expect(Object.fromEntries(read('买两箱A4纸 预算300元')!)).toEqual({ purchase: '采购两箱A4纸 预算300元', 'expense:office': '报销办公费 300元，事由：买两箱A4纸 预算300元' })
    expect(Object.fromEntries(read('团建费用 3000元')!)).toEqual({ expense: '报销 3000元，事由：团建费用 3000元', project: '立项：团建，预算3000元' })
    for (const clear of ['采购几本书', '报销培训费 200元', '立项：团建，预算3000元', '买了几本书', '你好']) expect(read(clear)).toBeUndefined()
    // Every offered line names its request type outright: a tap is never ambiguous again.
    for (const line of [...read('买几本书')!.values(), ...read('团建费用 3000元')!.values()]) expect(read(line)).toBeUndefined()
  })
})

describe('readings on the labelled corpus', () => {
  it('offers choices for the weak 买 lines only, always including what the line was labelled, and every choice reads as one request', () => {
    const offered = CORPUS.flatMap((c) => {
      const now = new Date(c.now ?? CORPUS_NOW)
      const readings = readingsOf(c.text, parseWithRules(c.text, now), now)
      return readings ? [{ c, readings, now }] : []
    })
    expect(offered.map(({ c }) => c.text)).toEqual(['帮我买两箱A4纸', '买十个鼠标', '我想买个路由器 预算 800 元', '需要买20把椅子，预算一万', '买5个显示器支架'])
    for (const { c, readings, now } of offered) {
      expect(c.intent).toBe('purchase.request')
      // The purchase button keeps everything the parser read from the line.
      expect(parseWithRules(readings.get('purchase')!, now)).toMatchObject({ intent: 'purchase.request', slots: c.slots })
      for (const line of readings.values()) expect(readingsOf(line, parseWithRules(line, now), now)).toBeUndefined()
    }
  })
})

describe.each(DB_KINDS)('request type suggestions from history, in the chat (%s)', (kind) => {
  let t: ReceiptsSystem
  beforeAll(async () => {
    t = await ReceiptsSystem.start(kind, () => NOW)
    const db = t.database.db
    // 孙八 in finance buys for the team; 吴九 in sales claims his training books.
    for (const day of ['2026-09-03', '2026-10-08', '2026-11-05']) await seedClaim(db, { by: 'sunba', amount: 900, type: 'purchase', date: day })
    for (const day of ['2026-08-03', '2026-09-14', '2026-10-12', '2026-11-09']) await seedClaim(db, { by: 'wujiu', amount: 120, category: 'training', date: day })
    await seedClaim(db, { by: 'wujiu', amount: 60, category: 'office', date: '2026-11-10' })
    // Too old to count.
    for (const day of ['2026-02-02', '2026-02-03', '2026-02-04', '2026-02-05', '2026-02-06']) await seedClaim(db, { by: 'wujiu', amount: 5000, type: 'purchase', date: day })
  })
  afterAll(async () => {
    await t.close()
  })

  it('counts the person’s and the department’s last six months per type and claim category', async () => {
    const org = t.system.services.org
    const sunba = await loadRequestTypeSignals(t.database.db, (await org.employee('sunba'))!, '财务部', NOW)
    expect(Object.fromEntries(sunba.own)).toEqual({ purchase: 3 })
    expect(sunba.roleHints).toEqual(['purchase'])
    const wujiu = await loadRequestTypeSignals(t.database.db, (await org.employee('wujiu'))!, '销售部', NOW)
    expect(Object.fromEntries(wujiu.own)).toEqual({ 'expense:training': 4, 'expense:office': 1 })
    expect(wujiu.roleHints).toEqual(['expense:entertainment', 'expense:travel', 'expense:transport'])
    expect(rankRequestOptions(BOOKS, sunba).map((o) => o.key)).toEqual(['purchase', 'expense:training', 'expense:office'])
    expect(rankRequestOptions(BOOKS, wujiu).map((o) => o.key)).toEqual(['expense:training', 'expense:office', 'purchase'])
    // 赵六 heads sales with no history of his own: the department's claims, then a head's projects.
    const zhaoliu = await loadRequestTypeSignals(t.database.db, (await org.employee('zhaoliu'))!, '销售部', NOW)
    expect(rankRequestOptions(['project', 'expense', 'purchase'], zhaoliu).map((o) => [o.key, o.reason])).toEqual([
      ['expense', '部门近半年有 5 次费用报销'],
      ['project', '与你的岗位和部门相符'],
      ['purchase', '常见选项'],
    ])
  })

  it('offers the finance buyer a purchase first; a tap continues the purchase', async () => {
    const asked = await t.send('sunba', '买几本书')
    const card = asked.messages.find((m) => m.card)!.card!
    expect(card.title).toBe('请问要发起哪类申请？')
    expect(card.actions.map((a) => [a.label, a.id, a.style])).toEqual([
      ['采购申请', 'say:采购几本书', 'primary'],
      ['报销培训费', 'say:报销培训费，事由：买几本书', 'default'],
      ['报销办公费', 'say:报销办公费，事由：买几本书', 'default'],
    ])
    expect(card.fields[0]).toEqual({ label: '采购申请', value: '你近半年提交过 3 次采购申请' })
    const tapped = await t.tap(card.id, 'say:采购几本书', 'sunba')
    expect(tapped.body).toEqual({ ok: true, message: '已选择：采购几本书' })
    expect((await t.inbox('sunba')).at(-1)!.text).toBe('请问需要多少（数量）？')
    await t.send('sunba', '5本')
    const budget = await t.send('sunba', '300元')
    const draft = budget.messages.find((m) => m.card)!.card!
    expect(draft.fields).toEqual(expect.arrayContaining([{ label: '物品', value: '几本书' }, { label: '数量', value: '5' }, { label: '预算', value: '¥300.00' }]))
    expect(draft.actions.map((a) => a.id)).toEqual(['confirm', 'edit', 'cancel'])
  })

  it('offers the salesman his usual training claim first; a tap continues the claim with the reason kept', async () => {
    const asked = await t.send('wujiu', '买几本书')
    const card = asked.messages.find((m) => m.card)!.card!
    expect(card.actions.map((a) => a.label)).toEqual(['报销培训费', '报销办公费', '采购申请'])
    expect(card.fields[0]).toEqual({ label: '报销培训费', value: '你近半年提交过 4 次报销培训费' })
    await t.tap(card.id, card.actions[0]!.id, 'wujiu')
    expect((await t.inbox('wujiu')).at(-1)!.text).toBe('请问金额是多少？')
    const answered = await t.send('wujiu', '200')
    const draft = answered.messages.find((m) => m.card)!.card!
    expect(draft.fields).toEqual(expect.arrayContaining([{ label: '费用类型', value: '培训费' }, { label: '金额', value: '¥200.00' }]))
  })

  it('asks nothing for a clear line or an answer to a question', async () => {
    const clear = await t.send('wujiu', '报销培训费 88元')
    expect(clear.messages.find((m) => m.card)!.card!.actions.map((a) => a.id)).toEqual(['confirm', 'edit', 'cancel'])
    await t.send('sunba', '采购')
    const answer = await t.send('sunba', '买几本书')
    expect(answer.messages.some((m) => m.card?.title === '请问要发起哪类申请？')).toBe(false)
  })
})
