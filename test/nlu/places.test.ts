import { describe, expect, it } from 'vitest'
import { parseWithRules } from '../../bot/nlu/rules/index.js'
import { cityIn } from '../../bot/nlu/rules/places.js'

const now = new Date('2026-11-25T10:00:00+08:00')
const parse = (text: string) => parseWithRules(text, now)

/** The `city` and `nights` extension slots (README, Contracts): read for expense claims only. */
describe('places: city and nights of an expense claim', () => {
  it.each([
    ['报销上海出差住宿3晚1800元', { category: 'lodging', amount: 1800, city: '上海', nights: 3 }],
    ['北京酒店两晚 1200', { category: 'lodging', amount: 1200, city: '北京', nights: 2 }],
    ['杭州住宿住了3天 900元', { category: 'lodging', amount: 900, city: '杭州', nights: 3 }],
    ['报销杭州酒店2夜1300', { category: 'lodging', amount: 1300, city: '杭州', nights: 2 }],
    ['洛阳宾馆三个晚上 900', { category: 'lodging', amount: 900, city: '洛阳', nights: 3 }],
    ['报销成都市酒店住宿 1晚 450', { category: 'lodging', amount: 450, city: '成都', nights: 1 }],
    // The destination, not the origin; the trip's words stay the reason.
    ['从北京到杭州出差，住宿两晚1000元', { category: 'lodging', amount: 1000, city: '杭州', nights: 2, reason: '从北京到杭州出差' }],
    ['报销差旅费3500元，去上海见客户', { category: 'travel', amount: 3500, city: '上海', reason: '去上海见客户' }],
  ])('%s', (text, slots) => {
    const parsed = parse(text)
    expect(parsed.intent).toBe('expense.submit')
    expect(parsed.slots).toEqual(slots)
  })

  it.each([
    ['报销今天的晚饭 50', { category: 'meal', amount: 50, date: '2026-11-25' }],
    ['昨晚加班打车回家 67', { category: 'transport', amount: 67, date: '2026-11-24' }],
    ['报销打车费58元，加班晚归', { category: 'transport', amount: 58, reason: '加班晚归' }],
    ['双十一晚上加班打车 45', { category: 'transport', amount: 45 }],
  ])('no nights in %s', (text, slots) => {
    expect(parse(text).slots).toMatchObject(slots)
    expect(parse(text).slots).not.toHaveProperty('nights')
    expect(parse(text).slots).not.toHaveProperty('city')
  })

  it('other commands keep their words: a department, a project title', () => {
    expect(parse('下个月15号调去北京分公司').slots).toEqual({ department: '北京分公司', effectiveDate: '2026-12-15' })
    expect(parse('新项目：上海办公室装修，预算120万').slots).toMatchObject({ title: '上海办公室装修', budget: 1200000 })
    expect(parse('上海').slots).toEqual({})
  })

  it('an admin\'s city is found as the policy spells it, a destination first', () => {
    expect(cityIn('拉萨酒店两晚 700元')).toBeUndefined()
    expect(cityIn('拉萨酒店两晚 700元', ['拉萨市'])).toBe('拉萨市')
    expect(cityIn('从上海去拉萨市出差住宿两晚', ['拉萨'])).toBe('拉萨')
    expect(cityIn('1200')).toBeUndefined()
  })
})
