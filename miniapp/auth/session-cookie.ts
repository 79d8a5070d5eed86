import type { Context } from 'hono'
import { deleteCookie, getSignedCookie, setCookie, setSignedCookie } from 'hono/cookie'

export const SESSION_COOKIE = 'ab_session'
/** Readable by the page's script (not HttpOnly): it echoes the value in the X-CSRF-Token header. */
export const CSRF_COOKIE = 'ab_csrf'
export const CSRF_HEADER = 'x-csrf-token'
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000

export interface Session {
  userId: string
  expiresAt: number
  /** Double-submit token: bound to this session by the signature, echoed by our own script only. */
  csrfToken: string
}

interface Payload {
  u: string
  x: number
  c: string
}

/**
 * The admin session lives entirely in one signed cookie (HMAC via WebCrypto, so it works on
 * Node and Workers without a session table); roles are re-read from the employee master on every
 * request, so revoking a role takes effect at once.
 */
export class SessionCookies {
  constructor(
    private readonly key: Promise<Uint8Array>,
    private readonly now: () => number,
  ) {}

  async issue(c: Context, userId: string): Promise<Session> {
    const session: Session = { userId, expiresAt: this.now() + SESSION_TTL_MS, csrfToken: randomToken() }
    const payload: Payload = { u: session.userId, x: session.expiresAt, c: session.csrfToken }
    const secure = isHttps(c)
    const maxAge = Math.floor(SESSION_TTL_MS / 1000)
    await setSignedCookie(c, SESSION_COOKIE, encode(payload), (await this.key) as BufferSource, { path: '/', httpOnly: true, sameSite: 'Lax', secure, maxAge })
    setCookie(c, CSRF_COOKIE, session.csrfToken, { path: '/', httpOnly: false, sameSite: 'Lax', secure, maxAge })
    return session
  }

  async read(c: Context): Promise<Session | null> {
    const raw = await getSignedCookie(c, (await this.key) as BufferSource, SESSION_COOKIE)
    if (!raw) return null
    const payload = decode(raw)
    if (!payload || payload.x <= this.now()) return null
    return { userId: payload.u, expiresAt: payload.x, csrfToken: payload.c }
  }

  clear(c: Context): void {
    deleteCookie(c, SESSION_COOKIE, { path: '/' })
    deleteCookie(c, CSRF_COOKIE, { path: '/' })
  }
}

/** The token the request's script echoed, compared in constant time with the session's. */
export function csrfTokenMatches(c: Context, expected: string): boolean {
  const sent = c.req.header(CSRF_HEADER) ?? ''
  if (sent.length !== expected.length || expected.length === 0) return false
  let diff = 0
  for (let i = 0; i < expected.length; i++) diff |= sent.charCodeAt(i) ^ expected.charCodeAt(i)
  return diff === 0
}

function isHttps(c: Context): boolean {
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim()
  return (forwarded ?? new URL(c.req.url).protocol.replace(':', '')) === 'https'
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24))
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function encode(payload: Payload): string {
  const bytes = new TextEncoder().encode(JSON.stringify(payload))
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function decode(raw: string): Payload | null {
  try {
    const binary = atob(raw.replace(/-/g, '+').replace(/_/g, '/'))
    const json = new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)))
    const value = JSON.parse(json) as Partial<Payload>
    if (typeof value.u !== 'string' || typeof value.x !== 'number' || typeof value.c !== 'string') return null
    return { u: value.u, x: value.x, c: value.c }
  } catch {
    return null
  }
}
