import { maskMobile, MOBILE_NUMBER, PERSONAL_FIELD as PII_KEY } from '../../ops/logging/mask.js'

/**
 * Personal data under PIPL that the admin app masks by default: PRC resident ID numbers, bank
 * card/account numbers and mobile numbers. Masking is by field name (the structured case) and by
 * shape inside any string (free text such as reasons and comments), keeping just enough to recognise.
 */

const ID_NUMBER = /(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)/g
const BANK_ACCOUNT = /(?<!\d)(\d{4})\d{8,15}(\d{4})(?!\d)/g

export function maskText(text: string): string {
  return text
    .replace(ID_NUMBER, (_, head: string, tail: string) => `${head}********${tail}`)
    .replace(BANK_ACCOUNT, (_, head: string, tail: string) => `${head} **** **** ${tail}`)
    .replace(MOBILE_NUMBER, maskMobile)
}

function maskWhole(value: string): string {
  if (value.length <= 4) return '****'
  return `${value.slice(0, 2)}${'*'.repeat(Math.min(8, value.length - 4))}${value.slice(-2)}`
}

/** A deep copy of `value` with personal data masked; reports whether anything was masked. */
export function maskPersonalData(value: unknown): { value: unknown; masked: boolean } {
  let masked = false
  const walk = (v: unknown, key: string | null): unknown => {
    if (typeof v === 'string') {
      const out = key !== null && PII_KEY.test(key) && /\d{4}/.test(v) ? maskWhole(v) : maskText(v)
      if (out !== v) masked = true
      return out
    }
    if (typeof v === 'number' && key !== null && PII_KEY.test(key)) {
      masked = true
      return maskWhole(String(v))
    }
    if (Array.isArray(v)) return v.map((item) => walk(item, key))
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, k)]))
    return v
  }
  return { value: walk(value, null), masked }
}
