import { isBareChineseDigits, NUMBER_SOURCE, parseNumber } from './chinese-numbers.js'
import type { Scan } from './scan.js'

export interface MoneyMention {
  value: number
  /** Said as a budget (预算…) rather than a spent amount. */
  budget: boolean
  /** The price of one piece (单价6000, 每个80元, 80元/个), not what the whole costs. */
  unitPrice: boolean
  start: number
  end: number
}

const BUDGET_WORDS = '预算|总预算|budget|预计|估计|估算'
// What one piece is counted in, for prices per piece.
const PIECE = '台|个|把|件|套|张|只|支|本|箱|包|盒|份|副|部|瓶|桶|双|辆|卷|袋|组|条|根|枚|片|罐'
const UNIT_PRICE_WORDS = `单价|每(?:${PIECE})?(?:单价|价格|价钱|价)?|unit price|each|per (?:unit|piece)`
const IS_UNIT_PRICE = new RegExp(UNIT_PRICE_WORDS)
const IS_BUDGET = new RegExp(BUDGET_WORDS)
const LEAD_WORDS = `${UNIT_PRICE_WORDS}|${BUDGET_WORDS}|总价|总金额|金额|合计|共计|一共|总共|共|约|大约|大概|花了|花费|用了|费用|价格|价值|amount|total|of|about|around|approx`
const CURRENCY_BEFORE = '[¥$]|rmb|cny|人民币'
const CURRENCY_AFTER = '块钱|元整|元|块|圆|rmb|cny|yuan|人民币'

// 1 500 元, ¥12 000: a space between groups of three digits separates thousands (as SI and many
// banks write it). Only where it must be one sum: with a currency, or ending the clause.
const SPACED_THOUSANDS = String.raw`\d{1,3}(?: \d{3})+(?:\.\d+)?(?![\d.])`
const SPACED_SUM =
  `(?<=(?:${CURRENCY_BEFORE})\\s*)${SPACED_THOUSANDS}` +
  `|(?<![a-z0-9.])${SPACED_THOUSANDS}(?=\\s*(?:${CURRENCY_AFTER}|$|[,;。]))`

// 12,00 元, ¥1,2000: a comma that joins digits into no thousands (a group not of exactly three
// digits) leaves the sum unclear, 1200 or 12.00. Read, like spaced thousands, only where it must be one sum.
const COMMA_JOINED = String.raw`\d+(?:,\d+)+(?:\.\d+)?(?![\d.])`
const COMMA_JOINED_SUM = new RegExp(
  `(?<=(?:${CURRENCY_BEFORE})\\s*)${COMMA_JOINED}|(?<![a-z0-9.,])${COMMA_JOINED}(?=\\s*(?:${CURRENCY_AFTER}|$|[,;。]))`,
  'g',
)
const THOUSANDS = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/

const MONEY = new RegExp(
  `(?<lead>(?:(?:${LEAD_WORDS})\\s*(?::|是|为|is|of)?\\s*)*)` +
    `(?<cur>${CURRENCY_BEFORE})?\\s*` +
    // 三百五一台, 350一台: a number stopped before 一 and a piece, when 一 is "per one" (see PER_ONE).
    `(?<num>${SPACED_SUM}|${NUMBER_SOURCE}(?=\\s*一\\s*(?:${PIECE}))|${NUMBER_SOURCE})` +
    `\\s*(?<unit>${CURRENCY_AFTER})?` +
    // 三块五 / 3元5角 / 三块五一个: a trailing digit after 块/元 is tenths of a yuan.
    `(?<jiao>(?<=[块元])(?:[1-9一二三四五六七八九](?:毛|角)|[1-9一二三四五六七八九](?:(?![0-9\\u4e00-\\u9fa5])|(?=\\s*一\\s*(?:${PIECE})))))?` +
    // 6000元/台, 80块一个, 350一台, 80 each: a price per piece.
    `(?<per>\\s*(?:/|每)\\s*(?:${PIECE})|\\s*一\\s*(?:${PIECE})|\\s+each\\b|\\s*(?:/|per )\\s*(?:unit|piece|pc)\\b)?`,
  'g',
)

// A number followed by one of these counts days, people, items or dates, not money.
const NOT_MONEY_AFTER =
  /^\s*(?:天|晚|夜|次|人|位|个|号|日|月|年|点|小时|分钟|公里|km|岁|周|%|折|台|把|箱|包|套|张|支|部|本|盒|件|瓶|桶|只|副|双|辆|卷|袋|组|条|根|份|枚|片|罐|季度|楼|层|期|届|号线|倍|days?|nights?|people|pcs|units?)/
// 第三, 双十一, 周五: ordinals and names, not money.
const NOT_MONEY_BEFORE = /(?:第|双|周|星期|礼拜|q)$/
// Beyond this a "sum" is a mistyped or pasted number, not an amount.
const LARGEST_AMOUNT = 1e12

/**
 * Sums whose commas are no thousands separators (12,00 元). Neither reading is taken: they are
 * claimed so that no other number or reason is read from their digits, and the caller gives them
 * back unexplained, so the amount is asked for.
 */
export function findUnclearSums(scan: Scan): Array<{ start: number; end: number }> {
  const found = scan.matches(COMMA_JOINED_SUM).filter((m) => !THOUSANDS.test(m[0]))
  for (const m of found) scan.claim(m.index, m.index + m[0].length)
  return found.map((m) => ({ start: m.index, end: m.index + m[0].length }))
}

/**
 * Amounts of money in the text, in order. A bare number counts too: callers only look for money
 * where the intent takes an amount or budget (or in a bare answer). Claims what it reads.
 */
export function findMoney(scan: Scan): MoneyMention[] {
  return readMoney(scan, () => true)
}

// 350一台, 80块一个: a price said for one piece.
const PER_ONE = /^\s*一/

/**
 * Prices said for one piece (三百五一台, 350一台, 80块一个), alone. A purchase reads them before its
 * count, so that 一台 is not taken for one piece bought, nor 三百五一台 for 310 of them; findMoney
 * reads the other sums later. Claims what it reads.
 */
export function findPricesPerOne(scan: Scan): MoneyMention[] {
  return readMoney(scan, (per) => per !== undefined && PER_ONE.test(per))
}

function readMoney(scan: Scan, wanted: (per: string | undefined) => boolean): MoneyMention[] {
  const found: MoneyMention[] = []
  for (const m of scan.matches(MONEY)) {
    const g = m.groups!
    if (!wanted(g.per)) continue
    const num = g.num!
    const explicit = Boolean(g.cur || g.unit)
    const start = m.index
    const numEnd = start + m[0].length - (g.unit?.length ?? 0) - (g.jiao?.length ?? 0) - (g.per?.length ?? 0)
    const before = scan.masked.slice(0, start + (g.lead?.length ?? 0))
    // "-30": a negative sum is nothing anyone can claim.
    if (/(?:^|\s)-$/.test(before)) continue
    if (!explicit) {
      if (NOT_MONEY_AFTER.test(scan.masked.slice(numEnd))) continue
      if (NOT_MONEY_BEFORE.test(before.trimEnd())) continue
      // 一, 三 alone are counts or words (一下, 三人), not sums.
      if (isBareChineseDigits(num)) continue
    }
    // Straight after a number, 一 is "per one" only where it cannot belong to the number: 三百五一台
    // and 350一台 are prices, 十一台, 二十一个 and 一百零一台 are counts.
    if (!g.unit && g.per !== undefined && PER_ONE.test(g.per) && parseNumber(`${num}一`) !== undefined) continue
    let value = parseNumber(num)
    if (value === undefined || !(value > 0) || value >= LARGEST_AMOUNT) continue
    if (g.jiao) value = Math.round((value + (parseNumber(g.jiao.replace(/[毛角]/, '')) ?? 0) / 10) * 100) / 100
    const unitPrice = g.per !== undefined || IS_UNIT_PRICE.test(g.lead ?? '')
    found.push({ value, budget: IS_BUDGET.test(g.lead ?? ''), unitPrice, start, end: start + m[0].length })
  }
  for (const f of found) scan.claim(f.start, f.end)
  return found
}
