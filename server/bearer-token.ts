import type { Context } from 'hono'

/** Constant-time, so the token cannot be guessed a character at a time from response times. */
function sameToken(given: string, expected: string): boolean {
  const a = new TextEncoder().encode(given)
  const b = new TextEncoder().encode(expected)
  let diff = a.length ^ b.length
  for (let i = 0; i < b.length; i++) diff |= (a[i % Math.max(a.length, 1)] ?? 0) ^ b[i]!
  return diff === 0
}

export interface BearerRoute {
  realm: string
  /** Why the route is off (404) while its token is not configured. */
  off: string
  /** What a caller without the token is told (401). */
  required: string
}

/**
 * For an operations route behind a configured bearer token: the answer to a caller who may not use
 * it (404 while the route is off, 401 without the right token), or undefined for one who may.
 */
export function refuseWithoutBearer(c: Context, token: string | undefined, route: BearerRoute): Response | undefined {
  if (!token) return c.json({ ok: false, code: 'NOT_FOUND', message: route.off }, 404)
  const given = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1] ?? ''
  if (sameToken(given, token)) return undefined
  c.header('WWW-Authenticate', `Bearer realm="${route.realm}"`)
  return c.json({ ok: false, code: 'UNAUTHORIZED', message: route.required }, 401)
}
