import { decryptFeishu, eventSignature, legacyCardSignature, sameSecret } from './feishu-crypto.js'

export interface CallbackSecrets {
  verificationToken?: string
  encryptKey?: string
}

/** What an HTTP callback turned out to be, after every check that can be made before acting on it. */
export type OpenedCallback =
  | { kind: 'challenge'; challenge: string }
  | { kind: 'body'; body: Record<string, unknown>; legacyCard: boolean }
  | { kind: 'rejected'; status: 400 | 401; reason: string }

/**
 * Feishu re-signs every push (the pusher sets a fresh timestamp per delivery), so a request older
 * than this is a replay, not a retry. Five minutes also absorbs ordinary clock skew.
 */
export const MAX_CALLBACK_AGE_MS = 5 * 60_000

const reject = (status: 400 | 401, reason: string): OpenedCallback => ({ kind: 'rejected', status, reason })

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return isRecord(value) ? value : undefined
  } catch {
    return undefined
  }
}

/** The legacy "消息卡片请求网址" callback: a flat body, never encrypted, signed with SHA-1. */
function isLegacyCardCallback(body: Record<string, unknown>): boolean {
  return body.schema === undefined && body.type !== 'url_verification' && typeof body.open_message_id === 'string' && isRecord(body.action)
}

/** The verification token a body carries: header.token for schema 2.0, token for challenges and v1 events. */
function tokenOf(body: Record<string, unknown>): unknown {
  return isRecord(body.header) ? body.header.token : body.token
}

/**
 * Timestamps are Unix seconds per the docs; milliseconds and a Go-style time string have been seen
 * in the wild, so parse leniently. The signature is always computed over the header verbatim.
 */
export function callbackTime(value: string): number | undefined {
  if (/^\d+$/.test(value)) {
    const n = Number(value)
    return n > 1e12 ? n : n * 1000
  }
  const go = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d{1,3})?\d* ([+-]\d{2})(\d{2})/.exec(value)
  const parsed = go ? Date.parse(`${go[1]}T${go[2]}${go[3] ?? ''}${go[4]}:${go[5]}`) : Date.parse(value)
  return Number.isNaN(parsed) ? undefined : parsed
}

interface Signature {
  timestamp: string
  nonce: string
  signature: string
}

/**
 * Verifies, decrypts and token-checks one HTTP callback (events and card actions alike), using
 * the raw body bytes: the signature covers exactly what was sent, never a re-serialisation.
 *
 * Order matters: the signature is checked before anything is decrypted, and unsigned requests
 * (only the console's URL check may be unsigned) fail with one uniform answer, so the endpoint
 * cannot serve as a padding oracle.
 */
export function openCallback(
  raw: Buffer,
  header: (name: string) => string | undefined,
  secrets: CallbackSecrets,
  options: { now: number; warn?: (message: string) => void },
): OpenedCallback {
  const outer = parseJson(raw.toString('utf8'))
  if (!outer) return reject(400, 'body is not a JSON object')
  if (!secrets.verificationToken) return reject(401, 'FEISHU_VERIFICATION_TOKEN is not configured; refusing unauthenticated callbacks')

  const timestamp = header('x-lark-request-timestamp')
  const nonce = header('x-lark-request-nonce')
  const signatureHeader = header('x-lark-signature')
  const signed: Signature | undefined = timestamp !== undefined && nonce !== undefined && signatureHeader ? { timestamp, nonce, signature: signatureHeader } : undefined

  if (isLegacyCardCallback(outer)) {
    if (!signed) return reject(401, 'legacy card callback without signature headers')
    const expected = legacyCardSignature(signed.timestamp, signed.nonce, secrets.verificationToken, raw)
    if (!sameSecret(expected, signed.signature.toLowerCase())) return reject(401, 'legacy card callback signature mismatch (forged, or wrong FEISHU_VERIFICATION_TOKEN)')
    const stale = staleness(signed.timestamp, options)
    if (stale) return reject(401, stale)
    return { kind: 'body', body: outer, legacyCard: true }
  }

  const encrypted = typeof outer.encrypt === 'string' ? outer.encrypt : undefined
  let body = outer
  if (secrets.encryptKey) {
    if (signed) {
      const expected = eventSignature(signed.timestamp, signed.nonce, secrets.encryptKey, raw)
      if (!sameSecret(expected, signed.signature.toLowerCase())) return reject(401, 'X-Lark-Signature mismatch (forged, or wrong FEISHU_ENCRYPT_KEY)')
      const stale = staleness(signed.timestamp, options)
      if (stale) return reject(401, stale)
      if (encrypted !== undefined) {
        const inner = decryptBody(secrets.encryptKey, encrypted)
        if (!inner) return reject(400, 'encrypted body does not decrypt to JSON (wrong FEISHU_ENCRYPT_KEY?)')
        body = inner
      }
    } else {
      // Unsigned: acceptable only as the console's URL check, answered with the challenge.
      const inner = encrypted !== undefined ? decryptBody(secrets.encryptKey, encrypted) : outer
      if (!inner || inner.type !== 'url_verification') return reject(401, 'unsigned callback (X-Lark-Signature headers missing)')
      body = inner
    }
  } else if (encrypted !== undefined) {
    return reject(400, 'encrypted callback but FEISHU_ENCRYPT_KEY is not configured')
  }

  const token = tokenOf(body)
  if (typeof token !== 'string' || !sameSecret(token, secrets.verificationToken)) return reject(401, 'verification token mismatch (forged, or wrong FEISHU_VERIFICATION_TOKEN)')
  if (body.type === 'url_verification') {
    return typeof body.challenge === 'string' ? { kind: 'challenge', challenge: body.challenge } : reject(400, 'url_verification without challenge')
  }
  return { kind: 'body', body, legacyCard: false }
}

function decryptBody(encryptKey: string, encrypted: string): Record<string, unknown> | undefined {
  try {
    return parseJson(decryptFeishu(encryptKey, encrypted))
  } catch {
    return undefined
  }
}

function staleness(timestamp: string, options: { now: number; warn?: (message: string) => void }): string | undefined {
  const at = callbackTime(timestamp)
  if (at === undefined) {
    // The signature already proved Feishu sent it; an unknown time format must not stop the product.
    options.warn?.(`feishu: unrecognised X-Lark-Request-Timestamp ${JSON.stringify(timestamp)}; replay window not applied`)
    return undefined
  }
  const age = options.now - at
  return Math.abs(age) > MAX_CALLBACK_AGE_MS ? `stale X-Lark-Request-Timestamp (${Math.round(age / 1000)} s old)` : undefined
}
