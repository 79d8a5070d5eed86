import {
  addDays,
  addMonths,
  dayNumber,
  daysInMonth,
  isoWeekday,
  isValidDay,
  monthRange,
  quarterRange,
  weekRange,
  yearRange,
  type Day,
  type DayRange,
} from './calendar.js'
import { parseNumber } from './chinese-numbers.js'
import type { Scan } from './scan.js'

/**
 * Which way an under-specified date (12月15日, 9月份, 5号, 周五) points: expenses look back,
 * effective dates look forward, a bare answer takes the nearest.
 */
export type Lean = 'past' | 'future' | 'nearest'

export type DateMention =
  | { kind: 'day'; day: Day; start: number; end: number; dayOfMonth?: number; weekday?: number }
  | { kind: 'range'; range: DayRange; start: number; end: number }

/** dayOfMonth, weekday: said without a month or week (5号, 周三), so a range's end can take its start's. */
type Resolved = { kind: 'day'; day: Day; dayOfMonth?: number; weekday?: number } | { kind: 'range'; range: DayRange }
type Groups = Readonly<Record<string, string | undefined>>

interface Context {
  today: Day
  lean: Lean
}

const YEAR = '(?<year>今年|去年|前年|明年|\\d{4}年|[〇零一二三四五六七八九]{4}年)'
const MONTH = '(?<month>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])'
const DAY_OF_MONTH = '(?<day>3[01]|[12]\\d|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])'
const REL_MONTH = '(?<rel>上上个?|上一?个?|本|这一?个?|当|下一?个?|下下个?)月'
const WEEKDAY = '(?<wd>[一二三四五六日天1-7])'
const REL_WEEK_WORD = '(?<rel>上上|上|本|这|下下|下)(?:一)?个?'
const REL_WEEK = `${REL_WEEK_WORD}(?:周|星期|礼拜)`
const EN_MONTHS = 'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?'
const EN_WEEKDAYS = 'monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun'

function small(s: string | undefined): number | undefined {
  return s === undefined ? undefined : parseNumber(s)
}

function yearOf(g: Groups, today: Day): number | undefined {
  const y = g.year
  if (y === undefined) return undefined
  const relative: Record<string, number> = { 今年: 0, 去年: -1, 前年: -2, 明年: 1 }
  if (y in relative) return today.y + relative[y]!
  return parseNumber(y.replace('年', ''))
}

function relMonthOffset(rel: string): number {
  if (rel.startsWith('上上')) return -2
  if (rel.startsWith('下下')) return 2
  if (rel.startsWith('上')) return -1
  if (rel.startsWith('下')) return 1
  return 0
}

function relWeekOffset(rel: string | undefined): number {
  if (rel === undefined) return 0
  return relMonthOffset(rel)
}

/** Pick among candidate readings by the lean; `key` orders them on a common scale with `now`. */
function pick<T>(candidates: ReadonlyArray<{ value: T; key: number }>, now: number, lean: Lean): T | undefined {
  let best: { value: T; key: number } | undefined
  for (const c of candidates) {
    if (lean === 'past' && c.key > now) continue
    if (lean === 'future' && c.key < now) continue
    if (best === undefined) best = c
    else if (lean === 'past' ? c.key > best.key : lean === 'future' ? c.key < best.key : Math.abs(c.key - now) < Math.abs(best.key - now))
      best = c
  }
  return best?.value
}

function monthIndex(y: number, m: number): number {
  return y * 12 + m - 1
}

/** A month named without a year: this year's, or the neighbouring year's when the lean says so. */
function monthWithoutYear(m: number, ctx: Context): { y: number; m: number } | undefined {
  const { today, lean } = ctx
  return pick(
    [-1, 0, 1].map((dy) => ({ value: { y: today.y + dy, m }, key: monthIndex(today.y + dy, m) })),
    monthIndex(today.y, today.m),
    lean,
  )
}

function dayWithoutYear(m: number, d: number, ctx: Context): Day | undefined {
  const { today, lean } = ctx
  const candidates = [-1, 0, 1]
    .map((dy) => ({ y: today.y + dy, m, d }))
    .filter((c) => isValidDay(c.y, c.m, c.d))
    .map((c) => ({ value: c, key: dayNumber(c) }))
  return pick(candidates, dayNumber(today), lean)
}

function dayWithoutMonth(d: number, ctx: Context): Day | undefined {
  const { today, lean } = ctx
  const candidates = [-1, 0, 1]
    .map((dm) => ({ ...addMonths(today.y, today.m, dm), d }))
    .filter((c) => isValidDay(c.y, c.m, c.d))
    .map((c) => ({ value: c, key: dayNumber(c) }))
  return pick(candidates, dayNumber(today), lean)
}

function weekdayNumber(wd: string): number {
  const map: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7 }
  return map[wd] ?? Number(wd)
}

function weekdayIn(today: Day, weeksFromNow: number, weekday: number): Day {
  return addDays(weekRange(today, weeksFromNow).from, weekday - 1)
}

function monthPart(y: number, m: number, part: string): Resolved {
  const last = daysInMonth(y, m)
  switch (part) {
    case '初':
      return { kind: 'day', day: { y, m, d: 1 } }
    case '上旬':
      return { kind: 'range', range: { from: { y, m, d: 1 }, to: { y, m, d: 10 } } }
    case '中旬':
      return { kind: 'range', range: { from: { y, m, d: 11 }, to: { y, m, d: 20 } } }
    case '下旬':
      return { kind: 'range', range: { from: { y, m, d: 21 }, to: { y, m, d: last } } }
    default: // 底 / 末
      return { kind: 'day', day: { y, m, d: last } }
  }
}

function day(y: number, m: number, d: number): Resolved | undefined {
  return isValidDay(y, m, d) ? { kind: 'day', day: { y, m, d } } : undefined
}

function englishMonth(name: string): number {
  const order = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
  return order.indexOf(name.slice(0, 3)) + 1
}

const EN_REL: Readonly<Record<string, number>> = { this: 0, last: -1, next: 1 }

const FIXED_HOLIDAYS: Readonly<Record<string, { m: number; d: number }>> = { 元旦: { m: 1, d: 1 }, 劳动节: { m: 5, d: 1 }, 五一: { m: 5, d: 1 }, 国庆: { m: 10, d: 1 } }
// 五一 inside a longer number (三百五一) or a price (三块五一个) is no holiday.
const CHINESE_NUMERAL = '零〇一二两三四五六七八九十百千万'

/** Date expressions, most specific first: a pattern runs only on text the earlier ones left. */
const RULES: ReadonlyArray<{ pattern: RegExp; resolve: (g: Groups, ctx: Context) => Resolved | undefined }> = [
  {
    pattern: /(?<y>\d{4})[-/.年](?<m>\d{1,2})[-/.月](?<d>\d{1,2})[日号]?/g,
    resolve: (g) => day(Number(g.y), Number(g.m), Number(g.d)),
  },
  {
    // 11/20: month/day, as in 报销11/20的打车费.
    pattern: /(?<![\d/.])(?<m>1[0-2]|0?[1-9])\/(?<d>3[01]|[12]\d|0?[1-9])(?![\d/])/g,
    resolve: (g, ctx) => {
      const found = dayWithoutYear(Number(g.m), Number(g.d), ctx)
      return found && { kind: 'day', day: found }
    },
  },
  {
    pattern: new RegExp(`${YEAR}?${MONTH}月${DAY_OF_MONTH}[日号]?`, 'g'),
    resolve: (g, ctx) => {
      const m = small(g.month)
      const d = small(g.day)
      if (m === undefined || d === undefined) return undefined
      const y = yearOf(g, ctx.today)
      if (y !== undefined) return day(y, m, d)
      const found = dayWithoutYear(m, d, ctx)
      return found && { kind: 'day', day: found }
    },
  },
  {
    // 元旦, 五一, 国庆: the holidays on a fixed day, unlike 春节 or 中秋, which move with the lunar calendar.
    pattern: new RegExp(`${YEAR}?(?<holiday>元旦|劳动节|(?<![\\d${CHINESE_NUMERAL}块元])五一(?![\\d${CHINESE_NUMERAL}])|国庆)(?:劳动节|节)?`, 'g'),
    resolve: (g, ctx) => {
      const { m, d } = FIXED_HOLIDAYS[g.holiday!]!
      const y = yearOf(g, ctx.today)
      if (y !== undefined) return day(y, m, d)
      const found = dayWithoutYear(m, d, ctx)
      return found && { kind: 'day', day: found }
    },
  },
  {
    pattern: new RegExp(`${REL_MONTH}份?${DAY_OF_MONTH}[日号]`, 'g'),
    resolve: (g, { today }) => {
      const { y, m } = addMonths(today.y, today.m, relMonthOffset(g.rel!))
      const d = small(g.day)
      return d === undefined ? undefined : day(y, m, d)
    },
  },
  {
    pattern: new RegExp(`(?:${REL_MONTH}|${YEAR}?${MONTH}月|(?<![\\d一二三四五六七八九十个份])月)份?(?<part>底|末|初|上旬|中旬|下旬)`, 'g'),
    resolve: (g, ctx) => {
      const { today } = ctx
      let ym: { y: number; m: number } | undefined
      if (g.rel !== undefined) ym = addMonths(today.y, today.m, relMonthOffset(g.rel))
      else if (g.month !== undefined) {
        const m = small(g.month)!
        const y = yearOf(g, today)
        ym = y !== undefined ? { y, m } : monthWithoutYear(m, ctx)
      } else ym = { y: today.y, m: today.m }
      return ym && monthPart(ym.y, ym.m, g.part!)
    },
  },
  {
    pattern: new RegExp(`${REL_MONTH}份?`, 'g'),
    resolve: (g, { today }) => {
      const { y, m } = addMonths(today.y, today.m, relMonthOffset(g.rel!))
      return { kind: 'range', range: monthRange(y, m) }
    },
  },
  {
    pattern: new RegExp(`${YEAR}?${MONTH}月份?`, 'g'),
    resolve: (g, ctx) => {
      const m = small(g.month)!
      const y = yearOf(g, ctx.today)
      const ym = y !== undefined ? { y, m } : monthWithoutYear(m, ctx)
      return ym && { kind: 'range', range: monthRange(ym.y, ym.m) }
    },
  },
  {
    pattern: new RegExp(`(?:${REL_WEEK_WORD})?(?:周|星期|礼拜)${WEEKDAY}`, 'g'),
    resolve: (g, ctx) => {
      const weekday = weekdayNumber(g.wd!)
      if (g.rel !== undefined) return { kind: 'day', day: weekdayIn(ctx.today, relWeekOffset(g.rel), weekday) }
      const candidates = [-1, 0, 1].map((w) => {
        const d = weekdayIn(ctx.today, w, weekday)
        return { value: d, key: dayNumber(d) }
      })
      const found = pick(candidates, dayNumber(ctx.today), ctx.lean)
      return found && { kind: 'day', day: found, weekday }
    },
  },
  {
    pattern: new RegExp(`${REL_WEEK}(?<weekend>末)?|(?<![上下本这])周末`, 'g'),
    resolve: (g, { today }) => {
      const week = weekRange(today, relWeekOffset(g.rel))
      if (g.rel === undefined || g.weekend !== undefined) return { kind: 'range', range: { from: addDays(week.from, 5), to: week.to } }
      return { kind: 'range', range: week }
    },
  },
  {
    pattern: new RegExp(`${YEAR}?(?:第(?<q>[一二三四1-4])个?季度?|(?<q2>[一二三四1-4])季度|q(?<q3>[1-4])\\b)`, 'g'),
    resolve: (g, ctx) => {
      const q = small(g.q ?? g.q2 ?? g.q3)!
      const y = yearOf(g, ctx.today)
      if (y !== undefined) return { kind: 'range', range: quarterRange(y, q) }
      const current = Math.ceil(ctx.today.m / 3)
      const year = pick(
        [-1, 0, 1].map((dy) => ({ value: ctx.today.y + dy, key: (ctx.today.y + dy) * 4 + q })),
        ctx.today.y * 4 + current,
        ctx.lean,
      )
      return year === undefined ? undefined : { kind: 'range', range: quarterRange(year, q) }
    },
  },
  {
    pattern: /(?<rel>本|这一?个?|上一?个?|下一?个?)季度?|(?<en>this|last|next) quarter\b/g,
    resolve: (g, { today }) => {
      const offset = g.en !== undefined ? EN_REL[g.en]! : relMonthOffset(g.rel!)
      const index = today.y * 4 + Math.ceil(today.m / 3) - 1 + offset
      return { kind: 'range', range: quarterRange(Math.floor(index / 4), (index % 4) + 1) }
    },
  },
  {
    pattern: new RegExp(`${YEAR}?(?<part>年底|年末|年初|上半年|下半年)`, 'g'),
    resolve: (g, { today }) => {
      const y = yearOf(g, today) ?? today.y
      switch (g.part) {
        case '年初':
          return { kind: 'day', day: { y, m: 1, d: 1 } }
        case '上半年':
          return { kind: 'range', range: { from: { y, m: 1, d: 1 }, to: { y, m: 6, d: 30 } } }
        case '下半年':
          return { kind: 'range', range: { from: { y, m: 7, d: 1 }, to: { y, m: 12, d: 31 } } }
        default:
          return { kind: 'day', day: { y, m: 12, d: 31 } }
      }
    },
  },
  {
    pattern: /(?<word>今年|本年度?|去年|前年|明年)|(?<y>\d{4})年度?|(?<en>this|last|next) year\b/g,
    resolve: (g, { today }) => {
      const offsets: Record<string, number> = { 今年: 0, 本年: 0, 本年度: 0, 去年: -1, 前年: -2, 明年: 1 }
      const y = g.y !== undefined ? Number(g.y) : g.en !== undefined ? today.y + EN_REL[g.en]! : today.y + offsets[g.word!]!
      return { kind: 'range', range: yearRange(y) }
    },
  },
  {
    pattern: /大前天|前天|昨天|昨日|昨儿|昨晚|今天|今日|今儿|今早|今晚|明天|明日|大后天|后天|the day before yesterday|yesterday|today|tomorrow/g,
    resolve: () => undefined, // resolved by word below
  },
  {
    pattern: new RegExp(`(?<![\\d月])${DAY_OF_MONTH}(?:号|日)`, 'g'),
    resolve: (g, ctx) => {
      const d = small(g.day)
      if (d === undefined) return undefined
      const found = dayWithoutMonth(d, ctx)
      return found && { kind: 'day', day: found, dayOfMonth: d }
    },
  },
  {
    pattern: /(?:最近|近|过去)的?(?<n>\d{1,2}|[一二两三四五六七八九十]{1,2})个?(?<unit>天|日|周|星期|月)/g,
    resolve: (g, { today }) => {
      const n = small(g.n)
      if (n === undefined || n <= 0) return undefined
      if (g.unit === '月') {
        const { y, m } = addMonths(today.y, today.m, -n)
        const d = Math.min(today.d, daysInMonth(y, m))
        return { kind: 'range', range: { from: addDays({ y, m, d }, 1), to: today } }
      }
      const days = g.unit === '天' || g.unit === '日' ? n : n * 7
      return { kind: 'range', range: { from: addDays(today, 1 - days), to: today } }
    },
  },
  {
    pattern: /\b(?<en>this|last|next) (?<unit>week|month)\b/g,
    resolve: (g, { today }) => {
      const offset = EN_REL[g.en!]!
      if (g.unit === 'week') return { kind: 'range', range: weekRange(today, offset) }
      const { y, m } = addMonths(today.y, today.m, offset)
      return { kind: 'range', range: monthRange(y, m) }
    },
  },
  {
    pattern: new RegExp(`\\b(?:(?<en>this|last|next) )?(?<wd>${EN_WEEKDAYS})\\b`, 'g'),
    resolve: (g, ctx) => {
      const weekday = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].indexOf(g.wd!.slice(0, 3)) + 1
      if (g.en !== undefined) return { kind: 'day', day: weekdayIn(ctx.today, EN_REL[g.en]!, weekday) }
      const found = pick(
        [-1, 0, 1].map((w) => {
          const d = weekdayIn(ctx.today, w, weekday)
          return { value: d, key: dayNumber(d) }
        }),
        dayNumber(ctx.today),
        ctx.lean,
      )
      return found && { kind: 'day', day: found }
    },
  },
  {
    pattern: new RegExp(`\\b(?:(?<mon>${EN_MONTHS})\\.? (?<d>\\d{1,2})(?:st|nd|rd|th)?|(?<d2>\\d{1,2})(?:st|nd|rd|th)? (?<mon2>${EN_MONTHS}))\\b(?:,? (?<y>\\d{4}))?|\\b(?:in )?(?<mon3>${EN_MONTHS})\\b(?: (?<y3>\\d{4}))?`, 'g'),
    resolve: (g, ctx) => {
      const name = g.mon ?? g.mon2
      if (name !== undefined) {
        const m = englishMonth(name)
        const d = Number(g.d ?? g.d2)
        if (g.y !== undefined) return day(Number(g.y), m, d)
        const found = dayWithoutYear(m, d, ctx)
        return found && { kind: 'day', day: found }
      }
      const m = englishMonth(g.mon3!)
      const ym = g.y3 !== undefined ? { y: Number(g.y3), m } : monthWithoutYear(m, ctx)
      return ym && { kind: 'range', range: monthRange(ym.y, ym.m) }
    },
  },
]

const DAY_WORDS: Readonly<Record<string, number>> = {
  大前天: -3, 前天: -2, 昨天: -1, 昨日: -1, 昨儿: -1, 昨晚: -1, 今天: 0, 今日: 0, 今儿: 0, 今早: 0, 今晚: 0, 明天: 1, 明日: 1, 后天: 2, 大后天: 3,
  'the day before yesterday': -2, yesterday: -1, today: 0, tomorrow: 1,
}

const RANGE_JOINER = /^\s*(?:到|至|-|~|—|–|to|until|till)\s*$/

/** Date and period expressions in the text, in order, with "A到B" joined into one period. Claims what it reads. */
export function findDates(scan: Scan, today: Day, lean: Lean): DateMention[] {
  const ctx: Context = { today, lean }
  const found: DateMention[] = []
  for (const rule of RULES) {
    for (const m of scan.matches(rule.pattern)) {
      const g: Groups = m.groups ?? {}
      const word = DAY_WORDS[m[0]]
      const resolved: Resolved | undefined = word !== undefined ? { kind: 'day', day: addDays(today, word) } : rule.resolve(g, ctx)
      if (resolved === undefined) continue
      found.push({ ...resolved, start: m.index, end: m.index + m[0].length })
      scan.claim(m.index, m.index + m[0].length)
    }
  }
  found.sort((a, b) => a.start - b.start)
  return joinRanges(scan, found)
}

const MONTH_DOT_DAY = /^(?<m>1[0-2]|0?[1-9])\.(?<d>3[01]|[12]\d|0?[1-9])$/

/**
 * A number such as 12.3 read as 12月3日, or undefined when it names no day. Whether it is a date
 * rather than a sum is for the caller to decide: alone, 12.3 is a sum.
 */
export function monthDotDay(scan: Scan, span: { start: number; end: number }, today: Day, lean: Lean): DateMention | undefined {
  const g = MONTH_DOT_DAY.exec(scan.slice(span.start, span.end).trim())?.groups
  const found = g && dayWithoutYear(Number(g.m), Number(g.d), { today, lean })
  return found && { kind: 'day', day: found, start: span.start, end: span.end }
}

/**
 * The dates in the order a slot should take them: with a lean, the first that lies on its side of
 * today comes first. "下周出差，帮我报一下上周的差旅费" claims last week's expense (an expense looks
 * back; next week's trip is context), "上周说好的，下月1号调岗" takes effect next month.
 */
export function byLean(mentions: readonly DateMention[], today: Day, lean: Lean): DateMention[] {
  if (lean === 'nearest' || mentions.length < 2) return [...mentions]
  const now = dayNumber(today)
  const fits = (d: DateMention) => {
    const from = dayNumber(d.kind === 'day' ? d.day : d.range.from)
    const to = dayNumber(d.kind === 'day' ? d.day : d.range.to)
    return lean === 'past' ? from <= now : to >= now
  }
  const first = mentions.find(fits)
  return first === undefined ? [...mentions] : [first, ...mentions.filter((d) => d !== first)]
}

/**
 * The end of a range said from `from`: a day of the month alone belongs to the start's month, or
 * the next when it would come before the start ("11月1日到5日", "11月30号到2号"); a weekday alone
 * to the start's week, or the next ("上周一到周三", "周五到周一").
 */
function rangeEnd(from: Day, end: Extract<DateMention, { kind: 'day' }>): Day {
  if (end.dayOfMonth !== undefined) {
    for (const months of [0, 1]) {
      const { y, m } = addMonths(from.y, from.m, months)
      if (isValidDay(y, m, end.dayOfMonth) && dayNumber({ y, m, d: end.dayOfMonth }) >= dayNumber(from)) return { y, m, d: end.dayOfMonth }
    }
  }
  if (end.weekday !== undefined) {
    const sameWeek = addDays(from, end.weekday - isoWeekday(from))
    return dayNumber(sameWeek) >= dayNumber(from) ? sameWeek : addDays(sameWeek, 7)
  }
  return end.day
}

function joinRanges(scan: Scan, mentions: DateMention[]): DateMention[] {
  const out: DateMention[] = []
  for (const next of mentions) {
    const prev = out[out.length - 1]
    if (prev !== undefined && RANGE_JOINER.test(scan.text.slice(prev.end, next.start))) {
      const from = prev.kind === 'day' ? prev.day : prev.range.from
      const to = next.kind === 'day' ? rangeEnd(from, next) : next.range.to
      if (dayNumber(to) >= dayNumber(from)) {
        scan.claim(prev.end, next.start)
        out[out.length - 1] = { kind: 'range', range: { from, to }, start: prev.start, end: next.end }
        continue
      }
    }
    out.push(next)
  }
  return out
}
