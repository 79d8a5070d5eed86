import { describe, expect, it } from 'vitest'
import { parsedCommandSchema } from '../../bot/nlu/command.js'
import { parseNumber } from '../../bot/nlu/rules/chinese-numbers.js'
import { CONFIDENCE_BAR } from '../../bot/nlu/llm/llm-fallback-parser.js'
import { asksAboutDecision, negatedDecision, parseWithRules, RuleParser, unexplainedParts } from '../../bot/nlu/rules/index.js'
import { CORPUS, CORPUS_NOW } from './corpus.js'

const now = new Date(CORPUS_NOW)

describe('labelled corpus', () => {
  it('has at least 300 commands covering every intent', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(300)
    expect(new Set(CORPUS.map((c) => c.intent)).size).toBe(12)
  })

  it.each(CORPUS.map((c) => [c.text, c] as const))('%j', (_text, c) => {
    const parsed = parseWithRules(c.text, new Date(c.now ?? CORPUS_NOW))
    expect(parsedCommandSchema.parse(parsed)).toEqual(parsed)
    expect({ intent: parsed.intent, slots: parsed.slots }).toEqual({ intent: c.intent, slots: c.slots })
    expect(parsed.source).toBe('rules')
  })
})

describe('numbers', () => {
  it.each([
    ['3500', 3500],
    ['三千五', 3500],
    ['两千三百', 2300],
    ['一万二', 12000],
    ['两万五', 25000],
    ['一百五', 150],
    ['十五', 15],
    ['二十五', 25],
    ['一千零五', 1005],
    ['三千零五十', 3050],
    ['1.2万', 12000],
    ['3.5k', 3500],
    ['8w', 80000],
    ['3千5', 3500],
    ['2万5', 25000],
    ['5万3千', 53000],
    ['三点五万', 35000],
    ['壹仟贰佰', 1200],
    ['叁万伍仟', 35000],
    ['3,500', 3500],
    ['12,000.50', 12000.5],
    ['一亿二千万', 120_000_000],
    ['二〇二六', 2026],
    ['十一', 11],
    ['二十一', 21],
    ['一百零一', 101],
    ['三百五十一', 351],
  ])('%s = %d', (token, value) => {
    expect(parseNumber(token)).toBe(value)
  })

  // Two digits with no unit between them make no number, as a unit with no digit does (千):
  // 三百五一 is neither 310 nor 三百五十一, 350一 is not 1.
  it.each(['千', '点', 'abc', '三百五一', '三千五一', '350一', '三百五六', '3.5.2'])('%s is not a number', (token) => {
    expect(parseNumber(token)).toBeUndefined()
  })

  it.each([
    ['八百块', 800],
    ['58块钱', 58],
    ['¥3,500', 3500],
    ['￥1,280.50', 1280.5],
    ['RMB 2100', 2100],
    ['2100 RMB', 2100],
    ['99 yuan', 99],
    ['三块五', 3.5],
    ['壹仟贰佰元整', 1200],
    ['8 万元', 80000],
  ])('amount %s = %d', (text, amount) => {
    expect(parseWithRules(text, now).slots.amount).toBe(amount)
  })

  it('reads spaces between groups of three digits as thousands, where it must be one sum', () => {
    expect(parseWithRules('报销差旅费 1 500 元', now).slots.amount).toBe(1500)
    expect(parseWithRules('报销差旅费 1 500', now).slots.amount).toBe(1500)
    expect(parseWithRules('¥ 12 000', now).slots.amount).toBe(12000)
    expect(parseWithRules('报销差旅费 1 234 567.50 元', now).slots.amount).toBe(1234567.5)
    // Groups of two digits are two numbers, the first one the sum.
    expect(parseWithRules('报销打车 12 30', now).slots.amount).toBe(12)
  })

  it('keeps counts, days and ordinals out of amounts', () => {
    expect(parseWithRules('报销出差3天的住宿费 900', now).slots).toEqual({ category: 'lodging', amount: 900 })
    expect(parseWithRules('发起立项：双十一营销活动', now).slots).toEqual({ title: '双十一营销活动' })
    expect(parseWithRules('报销A4纸 35', now).slots.amount).toBe(35)
  })

  it('ignores negative, zero and absurd sums', () => {
    expect(parseWithRules('报销打车 -30', now).slots).toEqual({ category: 'transport' })
    expect(parseWithRules('报销 0 元', now).slots).toEqual({})
    expect(parseWithRules('999999999999999999999', now).slots).toEqual({})
  })

  it('reads a bare month.day right before a cost, beside another sum, as the day the cost arose', () => {
    const december = new Date('2026-12-05T10:00:00+08:00')
    // 12.3 is dated as 12月3日 would be: an expense looks back.
    expect(parseWithRules('报销12.3打车费50', december).slots).toEqual(parseWithRules('报销12月3日打车费50', december).slots)
    expect(parseWithRules('报销12.3打车费50', december)).toMatchObject({ slots: { category: 'transport', amount: 50, date: '2026-12-03' }, confidence: 0.95 })
    expect(parseWithRules('报销12.3打车费50元', december).slots).toEqual({ category: 'transport', amount: 50, date: '2026-12-03' })
    expect(parseWithRules('12.3 打车费 50', december).slots).toEqual({ category: 'transport', amount: 50, date: '2026-12-03' })
    // With 元 or 金额, as the only number, or naming no day, it is the sum.
    expect(parseWithRules('打车费12.3', december).slots).toEqual({ category: 'transport', amount: 12.3 })
    expect(parseWithRules('报销12.3元', december).slots).toEqual({ amount: 12.3 })
    expect(parseWithRules('报销打车12.3', december).slots).toEqual({ category: 'transport', amount: 12.3 })
    expect(parseWithRules('报销12.3打车费', december).slots).toEqual({ category: 'transport', amount: 12.3 })
    expect(parseWithRules('报销12.3元打车费50', december).slots.amount).toBe(12.3)
    expect(parseWithRules('报销金额12.3打车费50', december).slots.amount).toBe(12.3)
    expect(parseWithRules('报销13.3打车费50', december).slots.amount).toBe(13.3)
  })

  it('does not guess a sum whose comma separates no thousands, nor make its digits a reason', () => {
    for (const text of ['报销打车费12,00元', '报销打车费12,00', '报销打车费1,2000元']) {
      const parsed = parseWithRules(text, now)
      expect(parsed).toMatchObject({ intent: 'expense.submit', slots: { category: 'transport' } })
      expect(parsed.slots.amount).toBeUndefined()
      expect(parsed.slots.reason).toBeUndefined()
      // Not understood, so not sure: a model is asked when one is configured.
      expect(parsed.confidence).toBeLessThan(CONFIDENCE_BAR)
    }
    expect(unexplainedParts('报销打车费12,00元', now)).toEqual(['12,00元'])
    expect(parseWithRules('12,00', now).slots).toEqual({})
    // Thousands, and a comma between a sum and a date, are what they were.
    expect(parseWithRules('报销打车费1,200元', now).slots).toEqual({ category: 'transport', amount: 1200 })
    expect(parseWithRules('报销打车费50，11月3日的', now).slots).toEqual({ category: 'transport', amount: 50, date: '2026-11-03' })
  })

  it('reads a budget as a budget and a spend as an amount', () => {
    expect(parseWithRules('预算8万', now).slots).toEqual({ budget: 80000 })
    expect(parseWithRules('8万', now).slots).toEqual({ amount: 80000 })
    expect(parseWithRules('采购投影仪 8000', now).slots).toEqual({ item: '投影仪', budget: 8000 })
  })
})

describe('a price said for one piece (350一台, 三百五一台)', () => {
  const december = new Date('2026-12-05T10:00:00+08:00')
  const purchase = (text: string) => parseWithRules(text, december)

  it.each([
    ['采购10台显示器，350一台', { item: '显示器', quantity: 10, budget: 3500 }],
    ['采购10台显示器，三百五一台', { item: '显示器', quantity: 10, budget: 3500 }],
    ['采购显示器，三百五一台，买10台', { item: '显示器', quantity: 10, budget: 3500 }],
    ['采购三百五一台的显示器10台', { item: '显示器', quantity: 10, budget: 3500 }],
    ['申请采购笔记本三千五一台共4台', { item: '笔记本', quantity: 4, budget: 14000 }],
    ['采购显示器 350 一台 10台', { item: '显示器', quantity: 10, budget: 3500 }],
    ['采购350元一台的显示器10台', { item: '显示器', quantity: 10, budget: 3500 }],
  ])('%s is the price times the quantity', (text, slots) => {
    expect(purchase(text)).toMatchObject({ intent: 'purchase.request', slots, confidence: 0.95 })
    expect(purchase(text).slots).toEqual(slots)
  })

  it('is read as 每台 is', () => {
    expect(purchase('采购10台显示器，三百五一台').slots).toEqual(purchase('采购10台显示器，每台三百五').slots)
    expect(purchase('采购10台显示器，350一台').slots).toEqual(purchase('采购10台显示器，单价350').slots)
  })

  it('without a quantity gives no budget and is left unexplained, as 单价350 is', () => {
    const bare = purchase('采购显示器，单价350')
    for (const text of ['采购显示器，三百五一台', '采购显示器，350一台', '采购显示器，350元一台']) {
      const parsed = purchase(text)
      expect(parsed.slots).toEqual(bare.slots)
      expect(parsed.slots).toEqual({ item: '显示器' })
      expect(parsed.confidence).toBeLessThan(CONFIDENCE_BAR)
    }
    expect(unexplainedParts('采购显示器，三百五一台', december)).toEqual(['三百五一台'])
  })

  it('is tenths of a yuan after 块 (三块五一个), and no May Day', () => {
    expect(purchase('买鼠标，三块五一个，20个').slots).toEqual({ item: '鼠标', quantity: 20, budget: 70 })
  })

  it('leaves a 一 that belongs to the number a count: 十一台, 二十一个', () => {
    expect(purchase('采购十一台显示器').slots).toEqual({ item: '显示器', quantity: 11 })
    expect(purchase('采购显示器十一台').slots).toEqual({ item: '显示器', quantity: 11 })
    expect(purchase('采购二十一个鼠标').slots).toEqual({ item: '鼠标', quantity: 21 })
    expect(purchase('采购鼠标，二十一个').slots).toEqual({ item: '鼠标', quantity: 21 })
  })

  it('counts 一百零一台 as 101, not 一台', () => {
    expect(purchase('采购一百零一台电脑').slots).toEqual({ item: '电脑', quantity: 101 })
    expect(purchase('采购电脑，一百零一台').slots).toEqual({ item: '电脑', quantity: 101 })
    expect(purchase('采购显示器十一台，三百五一台').slots).toEqual({ item: '显示器', quantity: 11, budget: 3850 })
  })

  it('steps over what was read before the item with 的: a price, a day', () => {
    expect(purchase('采购三百五一台的显示器').slots).toEqual({ item: '显示器' })
    expect(purchase('采购明天的机票').slots).toEqual({ item: '机票', date: '2026-12-06' })
  })
})

describe('dates in Asia/Shanghai', () => {
  const expense = (text: string, at = now) => parseWithRules(`报销${text}的打车费 50`, at).slots
  const effective = (text: string, at = now) => parseWithRules(`${text}调岗到销售部`, at).slots.effectiveDate

  it.each([
    ['今天', '2026-11-25'],
    ['昨天', '2026-11-24'],
    ['前天', '2026-11-23'],
    ['大前天', '2026-11-22'],
    ['上周五', '2026-11-20'],
    ['本周一', '2026-11-23'],
    ['周五', '2026-11-20'],
    ['11月3日', '2026-11-03'],
    ['12月15日', '2025-12-15'],
    ['3号', '2026-11-03'],
    ['28号', '2026-10-28'],
    ['2026-11-18', '2026-11-18'],
    ['2026/11/18', '2026-11-18'],
    ['11/20', '2026-11-20'],
    ['昨晚', '2026-11-24'],
    ['上月底', '2026-10-31'],
    ['月初', '2026-11-01'],
    ['元旦', '2026-01-01'],
    ['国庆', '2026-10-01'],
    ['五一', '2026-05-01'],
  ])('expense on %s → date %s', (text, date) => {
    expect(expense(text).date).toBe(date)
  })

  it.each([
    ['本周', '2026-11-23', '2026-11-29'],
    ['上周', '2026-11-16', '2026-11-22'],
    ['上上周', '2026-11-09', '2026-11-15'],
    ['本月', '2026-11-01', '2026-11-30'],
    ['这个月', '2026-11-01', '2026-11-30'],
    ['上月', '2026-10-01', '2026-10-31'],
    ['上个月', '2026-10-01', '2026-10-31'],
    ['上上个月', '2026-09-01', '2026-09-30'],
    ['9月份', '2026-09-01', '2026-09-30'],
    ['11月', '2026-11-01', '2026-11-30'],
    ['12月', '2025-12-01', '2025-12-31'],
    ['去年12月', '2025-12-01', '2025-12-31'],
    ['本季度', '2026-10-01', '2026-12-31'],
    ['上季度', '2026-07-01', '2026-09-30'],
    ['第三季度', '2026-07-01', '2026-09-30'],
    ['Q1', '2026-01-01', '2026-03-31'],
    ['今年', '2026-01-01', '2026-12-31'],
    ['去年', '2025-01-01', '2025-12-31'],
    ['上半年', '2026-01-01', '2026-06-30'],
    ['11月1日到11月5日', '2026-11-01', '2026-11-05'],
    ['11月1日至5日', '2026-11-01', '2026-11-05'],
    ['最近一周', '2026-11-19', '2026-11-25'],
    ['11月下旬', '2026-11-21', '2026-11-30'],
  ])('expense in %s → period %s..%s', (text, from, to) => {
    expect(expense(text).period).toEqual({ from, to })
  })

  it.each([
    ['下月1号', '2026-12-01'],
    ['下个月1号', '2026-12-01'],
    ['下周一', '2026-11-30'],
    ['下个月底', '2026-12-31'],
    ['12月15日', '2026-12-15'],
    ['1月1日', '2027-01-01'],
    ['1号', '2026-12-01'],
    ['28号', '2026-11-28'],
    ['明天', '2026-11-26'],
    ['月底', '2026-11-30'],
    ['年底', '2026-12-31'],
    ['元旦', '2027-01-01'],
    ['2028年元旦', '2028-01-01'],
    ['五一劳动节', '2027-05-01'],
    ['劳动节', '2027-05-01'],
    ['国庆节', '2027-10-01'],
  ])('effective %s → %s (dates for changes look forward)', (text, date) => {
    expect(effective(text)).toBe(date)
  })

  it('takes a holiday for its date, and 生效 after it for no reason', () => {
    const december = new Date('2026-12-05T10:00:00+08:00')
    expect(parseWithRules('调岗到销售部，元旦生效', december)).toMatchObject({
      intent: 'hr.transfer',
      slots: { department: '销售部', effectiveDate: '2027-01-01' },
      confidence: 0.95,
    })
    expect(parseWithRules('调岗到销售部，元旦生效', december).slots.reason).toBeUndefined()
    // Inside a number, 五一 is no holiday.
    expect(parseWithRules('报销三百五一', now).slots.date).toBeUndefined()
  })

  it('uses the Shanghai calendar day, not UTC', () => {
    // 2026-11-25T16:30Z is already 00:30 on the 26th in Shanghai.
    expect(expense('今天', new Date('2026-11-25T16:30:00Z')).date).toBe('2026-11-26')
    expect(expense('本月', new Date('2026-11-30T16:30:00Z')).period).toEqual({ from: '2026-12-01', to: '2026-12-31' })
  })

  it('crosses year ends', () => {
    const newYear = new Date('2027-01-03T09:00:00+08:00')
    expect(expense('上个月', newYear).period).toEqual({ from: '2026-12-01', to: '2026-12-31' })
    expect(expense('上周', newYear).period).toEqual({ from: '2026-12-21', to: '2026-12-27' })
    expect(expense('去年第四季度', newYear).period).toEqual({ from: '2026-10-01', to: '2026-12-31' })
    expect(effective('下月1号', new Date('2026-12-20T09:00:00+08:00'))).toBe('2027-01-01')
  })

  it('knows leap years and short months', () => {
    expect(expense('2月份', new Date('2028-03-10T09:00:00+08:00')).period).toEqual({ from: '2028-02-01', to: '2028-02-29' })
    expect(effective('下个月底', new Date('2027-01-31T09:00:00+08:00'))).toBe('2027-02-28')
  })
})

describe('slots the text does not give are absent', () => {
  it.each(['报销', '我要立项', '申请调岗', '同意', '撤回'])('%s', (text) => {
    expect(parseWithRules(text, now).slots).toEqual({})
  })
})

describe('confidence', () => {
  it('is high when every part of the text is accounted for', () => {
    expect(parseWithRules('提交本月差旅费 3500元', now).confidence).toBeGreaterThanOrEqual(0.9)
    expect(parseWithRules('不同意BX-202611-0011', now).confidence).toBeGreaterThanOrEqual(0.9)
    // Where 退回 sends the request is read by the chat handler: understood, so the return is not held back as unsure.
    for (const text of ['退回 BX-202611-0020 第2步', '退回 BX-202611-0020 上一步', '退回给发起人 BX-202611-0020']) {
      expect(parseWithRules(text, now)).toMatchObject({ intent: 'approval.reject', slots: { requestNo: 'BX-202611-0020' }, confidence: 0.95 })
    }
    expect(parseWithRules('驳回 BX-202611-0020 第2步', now).confidence).toBeLessThan(0.8)
  })

  it('drops when part of the text is not understood', () => {
    const clean = parseWithRules('报销打车费 58', now).confidence
    const noisy = parseWithRules('报销打车费 58 顺便问问年会在哪开', now)
    expect(noisy.intent).toBe('expense.submit')
    expect(noisy.confidence).toBeLessThan(clean - 0.2)
  })

  it('drops a little for each corrected typo', () => {
    expect(parseWithRules('报消差旅费3500', now).confidence).toBeLessThan(parseWithRules('报销差旅费3500', now).confidence)
  })

  it('is low for small talk', () => {
    for (const text of ['你好', '今天天气怎么样', '讲个笑话', 'asdfghjkl']) expect(parseWithRules(text, now).confidence).toBeLessThan(0.3)
  })

  it('names what it did not understand, whole words rather than the letters between fillers', () => {
    expect(unexplainedParts('同意张三的报销', now)).toEqual(['张三的'])
    expect(unexplainedParts('报销打车费 58 顺便问问年会在哪开', now)).toEqual(['顺便问问年会在哪开'])
    expect(unexplainedParts('李四说这个他实在无法同意', now)).toEqual(['李四说这个他实在'])
    expect(unexplainedParts('同意 BX-202611-0007', now)).toEqual([])
  })

  it('is lower when two request types are named', () => {
    expect(parseWithRules('报销采购的笔记本电脑 8000', now).confidence).toBeLessThan(0.9)
  })

  it('is below the bar when a claim names two kinds of cost, whichever category is kept', () => {
    for (const text of ['报销10月份的差旅费、住宿费共5000', '报销打车费和餐费 300', '报销差旅费，住宿费，共5000']) {
      const parsed = parseWithRules(text, now)
      expect(parsed.intent).toBe('expense.submit')
      expect(parsed.confidence).toBeLessThan(CONFIDENCE_BAR)
      expect(parsed.slots.reason).toBeUndefined()
    }
    // Context is not a second cost: a taxi on a trip, a meal with clients.
    expect(parseWithRules('出差期间的打车费 240', now).confidence).toBe(0.95)
    expect(parseWithRules('申请报销招待客户的餐费 1500', now).confidence).toBe(0.95)
  })

  it('is below the bar when a unit price has no quantity to make a budget', () => {
    const parsed = parseWithRules('采购笔记本，单价6000', now)
    expect(parsed.slots).toEqual({ item: '笔记本' })
    expect(parsed.confidence).toBeLessThan(CONFIDENCE_BAR)
  })
})

describe('a decision word under a negation is never an approval', () => {
  // Every wording the issue-3 audit found approving, and more of the same kinds.
  const refusals = ['不可以同意', 'BX-202611-0007 不能通过', '不能同意', '没法同意', '无法同意', '同意不了', '我不能同意这个', 'not approved', '不能批', '批不了', "can't approve", 'cannot approve', '没办法同意', '通不过', '不应该通过', '不太能同意', '不该批', '不得批准', '不能再批了']
  const holds = ['先别同意', '别同意', '不要通过', "don't approve", 'don’t approve yet', 'do not approve', '先不要批', '先不同意', '暂时不能批', '千万别同意', '不用批', '我没同意', '别驳回', '先不要退回', '不要拒绝', '别直接通过', '可以同意吗', '同意？', '同意吗', '能同意吗', '是否同意', '要不要批', '能不能批', '等我看看再同意', '明天再批', '看完材料再驳回', '为什么同意了', '为啥驳回']

  it.each(refusals)('%s is a rejection, read whole', (text) => {
    const parsed = parseWithRules(text, now)
    expect(parsed.intent).toBe('approval.reject')
    expect(parsed.confidence).toBeGreaterThanOrEqual(CONFIDENCE_BAR)
    expect(negatedDecision(text)).toBe('refusal')
  })

  it.each(holds)('%s decides nothing, and says so with confidence (no model is asked to second-guess it)', (text) => {
    const parsed = parseWithRules(text, now)
    expect(parsed).toMatchObject({ intent: 'unknown', slots: {} })
    expect(parsed.confidence).toBeGreaterThanOrEqual(CONFIDENCE_BAR)
    expect(negatedDecision(text)).toBe('hold')
  })

  it('tells a decision asked about from one put off', () => {
    const asked = ['可以同意吗', '同意？', '同意吗', '能同意吗', '是否同意', '要不要批', '能不能批', '可不可以同意', '为什么同意了', '为啥驳回', '先别同意？']
    const putOff = ['先别同意', '别同意', '不要通过', "don't approve", '先不要批', '先不同意', '我没同意', '别驳回', '等我看看再同意', '明天再批', '看完材料再驳回']
    for (const text of [...asked, ...putOff]) expect(negatedDecision(text)).toBe('hold')
    for (const text of asked) expect(asksAboutDecision(text), text).toBe(true)
    for (const text of putOff) expect(asksAboutDecision(text), text).toBe(false)
  })

  it('leaves plain decisions and questions about them alone', () => {
    for (const text of ['同意', '同意，没问题', 'BX-202611-0044 没问题，同意', '全部同意', '不同意', '驳回']) expect(negatedDecision(text)).toBeUndefined()
    expect(parseWithRules('全部同意', now)).toMatchObject({ intent: 'approval.approve', confidence: 0.95 })
    expect(parseWithRules('李四有没有同意', now).intent).toBe('request.status')
    for (const text of ['同意了吗', '批了吗', '怎么还没同意']) expect(parseWithRules(text, now).intent).toBe('request.status')
    expect(parseWithRules('同意了，没问题', now).intent).toBe('approval.approve')
  })
})

describe('any input', () => {
  // Seeded, so a failure reproduces: random mixtures of the characters commands are made of.
  const alphabet = [...'报销差旅费打车采购台预算万千百十一二三四五六七八九零两块元¥,，：:。 0123456789.-/月日号周上下本这个年季度理由因为同意不驳回撤回BX进度立项调岗到部离职kwabcABC😀\n\t']
  let seed = 7
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  const samples = Array.from({ length: 3000 }, () =>
    Array.from({ length: 1 + Math.floor(random() * 40) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''),
  )

  it('always yields a command that satisfies the contract', () => {
    for (const text of samples) {
      const parsed = parseWithRules(text, now)
      expect(() => parsedCommandSchema.parse(parsed), JSON.stringify(text)).not.toThrow()
    }
  })

  it('stays fast on very long input', () => {
    const started = performance.now()
    for (const text of ['三'.repeat(3000), '报销'.repeat(2000), '立项：' + '啊'.repeat(5000), '理由：' + 'x,'.repeat(3000)]) parseWithRules(text, now)
    expect(performance.now() - started).toBeLessThan(1000)
  })
})

describe('RuleParser', () => {
  it('implements CommandParser with the same answer as parseWithRules', async () => {
    await expect(new RuleParser().parse('报销昨天打车费用58元', now)).resolves.toEqual(parseWithRules('报销昨天打车费用58元', now))
  })
})
