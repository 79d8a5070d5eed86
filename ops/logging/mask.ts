/**
 * Personal data and credentials never reach a log line whole (PIPL; and logs travel further than
 * databases). Masking keeps enough to tell two values apart while debugging: the first and last
 * few characters. Applied to every message and field by the loggers, so a module that logs an
 * error body from a platform or an ERP cannot leak what the body contained.
 */

const keep = (value: string, head: number, tail: number): string =>
  value.length <= head + tail ? '*'.repeat(value.length) : `${value.slice(0, head)}${'*'.repeat(value.length - head - tail)}${value.slice(value.length - tail)}`

/**
 * Field names whose values are personal, here and in the admin app (miniapp/audit/pii.ts): a number
 * there is masked like text, since numbers are otherwise logged as they are ({ mobile: 13812345678 }).
 */
export const PERSONAL_FIELD = /id_?(card|no|number)|identity|身份证|bank|account_?no|card_?no|iban|mobile|phone|手机|电话/i

/** Field names whose values are secrets: dropped entirely, not shortened. */
export const SECRET_FIELD = /pass(word|wd)?|secret|token|api[_-]?key|authorization|cookie|signature|aes[_-]?key|encrypt[_-]?key|private[_-]?key/i

/** Mainland mobile numbers, with or without +86/0086, also written 3-4-4 (138-1234-5678, 138 1234 5678). */
export const MOBILE_NUMBER = /(?<!\d)((?:\+|00)?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)/g
export const maskMobile = (_m: string, cc: string | undefined, a: string, _b: string, d: string) => `${cc ?? ''}${a}****${d}`

const RULES: [RegExp, (match: string, ...groups: string[]) => string][] = [
  // Credentials written as name=value, name: value or "name":"value" (query strings, headers, JSON bodies).
  [
    /\b((?:access[_-]?token|refresh[_-]?token|tenant[_-]?access[_-]?token|app[_-]?secret|client[_-]?secret|secret|password|passwd|api[_-]?key|token|signature|sign|authorization)"?\s*[:=]\s*"?)(?:Bearer\s+)?([^\s"&,;}]+)/gi,
    (_m, name: string) => `${name}[redacted]`,
  ],
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/g, () => 'Bearer [redacted]'],
  // OpenAI-style keys and Feishu tenant/user access tokens.
  [/\bsk-[A-Za-z0-9_-]{16,}/g, () => 'sk-[redacted]'],
  [/\b[tu]-[A-Za-z0-9_]{24,}/g, (m) => `${m.slice(0, 2)}[redacted]`],
  // Resident identity card: 17 digits and a check digit or X (before bank cards: both are long digit runs).
  [/(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g, (m) => keep(m, 3, 2)],
  // Bank cards and accounts: 16–19 digits, possibly grouped by spaces or dashes.
  [/(?<![0-9A-Za-z])\d(?:[ -]?\d){15,18}(?![0-9A-Za-z])/g, (m) => keep(m.replace(/[ -]/g, ''), 4, 4)],
  [MOBILE_NUMBER, maskMobile],
  // E-mail: the domain stays (which company), the mailbox does not.
  [/\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b/g, (_m, first: string, domain: string) => `${first}***@${domain}`],
]

/**
 * Nothing a rule above could change: no run of 11 digits, each perhaps after a space or dash (mobile,
 * also in 3-4-4 groups; identity card; bank card), no @, no credential word or token prefix. One scan
 * instead of eight, for the many lines that carry no personal data at all (every callback logs two).
 */
const MIGHT_HOLD_PERSONAL_DATA = /\d(?:[ -]?\d){10}|@|bearer|sk-|[tu]-[A-Za-z0-9_]{24}|token|secret|passw|api[_-]?key|sign|authorization/i

export function maskPersonalData(text: string): string {
  if (!MIGHT_HOLD_PERSONAL_DATA.test(text)) return text
  let masked = text
  for (const [pattern, replace] of RULES) masked = masked.replace(pattern, replace as (substring: string, ...args: unknown[]) => string)
  return masked
}

/** The same for structured fields: strings and personal-named numbers masked, secret-named fields dropped, nesting bounded. */
export function maskFields(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPersonalData(value)
  if (value === null || typeof value !== 'object') return value
  if (depth > 4) return '[nested]'
  if (value instanceof Error) return { type: value.name, message: maskPersonalData(value.message), stack: value.stack ? maskPersonalData(value.stack) : undefined }
  if (Array.isArray(value)) return value.map((item) => maskFields(item, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    if (SECRET_FIELD.test(key)) out[key] = '[redacted]'
    // Under 11 digits no rule masks anything: counts and durations skip the name test.
    else if (typeof item === 'number' && item >= 1e10 && PERSONAL_FIELD.test(key)) out[key] = maskPersonalData(String(item))
    else out[key] = maskFields(item, depth + 1)
  }
  return out
}
