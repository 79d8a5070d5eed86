/**
 * Numbers as people type them in Chinese chat: Arabic (with thousands separators and decimals),
 * Chinese (三千五, 两千三百, 一万二), financial (壹仟贰佰) and mixtures (1.2万, 3千5, 3.5k, 8w).
 */

const DIGITS: Readonly<Record<string, number>> = {
  零: 0, 〇: 0, 一: 1, 壹: 1, 二: 2, 贰: 2, 两: 2, 俩: 2, 三: 3, 叁: 3, 四: 4, 肆: 4,
  五: 5, 伍: 5, 六: 6, 陆: 6, 七: 7, 柒: 7, 八: 8, 捌: 8, 九: 9, 玖: 9,
}
const SMALL_UNITS: Readonly<Record<string, number>> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000, k: 1000 }
const BIG_UNITS: Readonly<Record<string, number>> = { 万: 1e4, 萬: 1e4, w: 1e4, 亿: 1e8 }

const ARABIC_RUN = /^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|^\.\d+/

const CHINESE_DIGIT_CLASS = '零〇一二两俩三四五六七八九壹贰叁肆伍陆柒捌玖'
const CHINESE_UNIT_CLASS = '十百千万亿拾佰仟萬'
const ARABIC = String.raw`(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?`

/**
 * Regex source for one number token. It never starts right after a letter or digit, so "A4" or
 * the digits of a request number are not read as amounts, except after a currency code (RMB3,500);
 * k/w only count straight after a digit.
 */
export const NUMBER_SOURCE =
  String.raw`(?<![0-9.])(?:(?<=rmb|cny)|(?<![a-z]))(?:${ARABIC}|[${CHINESE_DIGIT_CLASS}${CHINESE_UNIT_CLASS}])` +
  String.raw`(?:${ARABIC}|[${CHINESE_DIGIT_CLASS}${CHINESE_UNIT_CLASS}]|点(?=[0-9${CHINESE_DIGIT_CLASS}])|(?<=\d)[kw](?![a-z])|(?<=\d)\s+(?=[万千亿]))*`

/** True when the token is written only with Chinese digit characters (一, 三, 两…), no units or Arabic digits. */
export function isBareChineseDigits(token: string): boolean {
  return new RegExp(`^[${CHINESE_DIGIT_CLASS}]+$`).test(token)
}

/**
 * The value of a number token, or undefined when it is not one. A single digit straight after the
 * last unit is read colloquially as the next place down: 三千五 = 3500, 一万二 = 12000, 3千5 = 3500.
 * Two digits with no unit between them, outside a run of bare digits (二〇二六), make no number, as
 * a unit with no digit before it does (百五): 三百五一 is not 310 nor 351 (三百五十一), 350一 is not 1.
 * In 三百五一台 the 一 is "per one" (money.ts), which only the caller can tell.
 */
export function parseNumber(token: string): number | undefined {
  const s = token.toLowerCase().replace(/\s+/g, '')
  if (s.length > 1 && isBareChineseDigits(s)) {
    // 二〇二六: digits read one by one, as in years.
    return Number([...s].map((c) => DIGITS[c]).join(''))
  }
  let total = 0
  let section = 0
  let pending: number | undefined
  let pendingIsOneDigit = false
  let lastUnit = 0
  let zeroSinceUnit = false
  let sawAny = false
  let i = 0
  while (i < s.length) {
    const ch = s[i]!
    const arabic = ARABIC_RUN.exec(s.slice(i))
    if (arabic) {
      if (pending !== undefined) return undefined
      pending = Number(arabic[0].replace(/,/g, ''))
      pendingIsOneDigit = /^\d$/.test(arabic[0])
      i += arabic[0].length
      sawAny = true
      continue
    }
    const digit = DIGITS[ch]
    if (digit !== undefined) {
      if (pending !== undefined) return undefined
      if (digit === 0) {
        zeroSinceUnit = true
        pending = undefined
      } else {
        pending = digit
        pendingIsOneDigit = true
      }
      sawAny = true
      i++
      continue
    }
    if (ch === '点') {
      let fraction = ''
      i++
      while (i < s.length) {
        const c = s[i]!
        const d = /\d/.test(c) ? Number(c) : DIGITS[c]
        if (d === undefined) break
        fraction += String(d)
        i++
      }
      if (fraction === '') return undefined
      pending = (pending ?? 0) + Number(`0.${fraction}`)
      pendingIsOneDigit = false
      continue
    }
    const small = SMALL_UNITS[ch]
    if (small !== undefined) {
      section += (pending ?? (small === 10 ? 1 : 0)) * small
      if (pending === undefined && small !== 10) return undefined
      pending = undefined
      lastUnit = small
      zeroSinceUnit = false
      sawAny = true
      i++
      continue
    }
    const big = BIG_UNITS[ch]
    if (big !== undefined) {
      section += pending ?? 0
      if (section === 0) return undefined
      total = big === 1e8 ? (total + section) * big : total + section * big
      section = 0
      pending = undefined
      lastUnit = big
      zeroSinceUnit = false
      sawAny = true
      i++
      continue
    }
    return undefined
  }
  if (!sawAny) return undefined
  if (pending !== undefined) {
    section += lastUnit >= 10 && pendingIsOneDigit && !zeroSinceUnit ? (pending * lastUnit) / 10 : pending
  }
  return Math.round((total + section) * 100) / 100
}
