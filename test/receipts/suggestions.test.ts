import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXPENSE_CATEGORIES } from '../../bot/nlu/command.js'
import { rankChoices } from '../../workflow/receipts/suggestions/choice-ranking.js'
import { loadCategorySignals } from '../../workflow/receipts/suggestions/category-signals.js'
import { ReceiptsSystem } from './receipts-system.js'
import { seedClaim } from './seeded-claims.js'

const NOW = Date.parse('2026-11-25T10:00:00+08:00')
const none = { own: new Map<string, number>(), department: new Map<string, number>(), roleHints: [] as string[] }

describe('ranking choices', () => {
  it('keeps the default order with nothing known, lets the role break a cold start', () => {
    expect(rankChoices(EXPENSE_CATEGORIES, none)).toEqual([...EXPENSE_CATEGORIES])
    expect(rankChoices(EXPENSE_CATEGORIES, { ...none, roleHints: ['entertainment', 'travel', 'transport'] }).slice(0, 3)).toEqual(['travel', 'transport', 'entertainment'])
  })

  it('weighs the person’s own share three times the department’s, and the role least', () => {
    const department = new Map([['office', 10]])
    const own = new Map([['communication', 1], ['meal', 3]])
    // meal 3 × ¾, office 1 × 1, communication 3 × ¼, training ½.
    expect(rankChoices(EXPENSE_CATEGORIES, { own, department, roleHints: ['training'] }).slice(0, 4)).toEqual(['meal', 'office', 'communication', 'training'])
    expect(rankChoices(EXPENSE_CATEGORIES, { own: new Map(), department, roleHints: ['training'] }).slice(0, 2)).toEqual(['office', 'training'])
  })
})

describe('category suggestions from history, in the chat', () => {
  let t: ReceiptsSystem
  beforeAll(async () => {
    t = await ReceiptsSystem.start('sqlite', () => NOW)
    const db = t.database.db
    for (const day of ['2026-11-03', '2026-11-04', '2026-11-05', '2026-11-10']) await seedClaim(db, { by: 'zhangsan', amount: 55, category: 'meal', date: day })
    for (const day of ['2026-11-06', '2026-11-11']) await seedClaim(db, { by: 'zhangsan', amount: 40, category: 'transport', date: day })
    await seedClaim(db, { by: 'lisi', amount: 300, category: 'office', date: '2026-11-12' })
    // Older than half a year: no longer a habit.
    for (const day of ['2026-03-02', '2026-03-03', '2026-03-04']) await seedClaim(db, { by: 'zhangsan', amount: 800, category: 'training', date: day })
  })
  afterAll(async () => {
    await t.close()
  })

  it('reads the person’s and the department’s last six months and the role', async () => {
    const org = t.system.services.org
    const zhangsan = (await org.employee('zhangsan'))!
    const signals = await loadCategorySignals(t.database.db, zhangsan, '研发部', NOW)
    expect(Object.fromEntries(signals.own)).toEqual({ meal: 4, transport: 2 })
    expect(Object.fromEntries(signals.department)).toEqual({ meal: 4, transport: 2, office: 1 })
    expect(rankChoices(EXPENSE_CATEGORIES, signals).slice(0, 4)).toEqual(['meal', 'transport', 'office', 'travel'])
    // 王五 has claimed nothing: his department's habits and his roles (研发 → 差旅/办公/通讯, 部门负责人 → 招待/差旅).
    // 办公 is both a department habit and a role hint, so it comes first.
    const wangwu = (await org.employee('wangwu'))!
    expect(rankChoices(EXPENSE_CATEGORIES, await loadCategorySignals(t.database.db, wangwu, '研发部', NOW)).slice(0, 4)).toEqual(['office', 'meal', 'travel', 'entertainment'])
    // 吴九 in sales, no history anywhere: the sales hints.
    const wujiu = (await org.employee('wujiu'))!
    expect(rankChoices(EXPENSE_CATEGORIES, await loadCategorySignals(t.database.db, wujiu, '销售部', NOW)).slice(0, 3)).toEqual(['travel', 'transport', 'entertainment'])
  })

  it('offers the top categories as buttons; a tap continues the claim', async () => {
    const asked = await t.send('zhangsan', '报销 350元')
    const card = asked.messages.find((m) => m.card)!.card!
    expect(card.title).toBe('这笔 ¥350.00 是哪类费用？')
    expect(card.actions.map((a) => a.label)).toEqual(['餐费', '交通费', '办公费', '差旅费'])
    expect(card.actions[0]).toMatchObject({ id: 'say:报销餐费', style: 'primary' })
    const tapped = await t.tap(card.id, 'say:报销餐费', 'zhangsan')
    expect(tapped.body).toEqual({ ok: true, message: '已选择：报销餐费' })
    const draft = (await t.cards('zhangsan')).at(-1)!
    expect(draft.fields).toEqual(expect.arrayContaining([{ label: '费用类型', value: '餐费' }, { label: '金额', value: '¥350.00' }]))
    expect(draft.actions.map((a) => a.id)).toEqual(['confirm', 'edit', 'cancel'])
  })
})
