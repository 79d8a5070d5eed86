import type { Hono } from 'hono'
import { expect } from 'vitest'

/**
 * A browser-like client of the admin API over app.request: keeps the cookies the server sets and
 * echoes the CSRF cookie in the X-CSRF-Token header the way the mini-app's script does.
 */
export class AdminClient {
  readonly cookies = new Map<string, string>()
  lastSetCookies: string[] = []

  constructor(
    private readonly app: Hono,
    private readonly origin = 'http://localhost',
  ) {}

  static async signIn(app: Hono, userId: string): Promise<AdminClient> {
    const client = new AdminClient(app)
    const res = await client.post('/api/admin/auth/dev-login', { userId })
    if (res.status !== 200) throw new Error(`dev login as ${userId} failed: ${res.status} ${await res.text()}`)
    return client
  }

  get csrfToken(): string | undefined {
    return this.cookies.get('ab_csrf')
  }

  async request(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; csrf?: boolean } = {}): Promise<Response> {
    const headers: Record<string, string> = { origin: this.origin, ...init.headers }
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    if (init.body !== undefined) headers['content-type'] ??= 'application/json'
    if (init.csrf !== false && this.csrfToken) headers['x-csrf-token'] = decodeURIComponent(this.csrfToken)
    const res = await this.app.request(`${this.origin}${path}`, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
    })
    this.lastSetCookies = res.headers.getSetCookie()
    for (const line of this.lastSetCookies) {
      const [pair] = line.split(';')
      const eq = pair!.indexOf('=')
      const name = pair!.slice(0, eq)
      const value = pair!.slice(eq + 1)
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    return res
  }

  get(path: string): Promise<Response> {
    return this.request(path)
  }

  post(path: string, body: unknown, options: { csrf?: boolean; headers?: Record<string, string> } = {}): Promise<Response> {
    return this.request(path, { method: 'POST', body, ...options })
  }
}

/** The JSON body of an admin API answer, after asserting its status (the body shows in the failure). */
export async function expectJson<T>(res: Response | Promise<Response>, status = 200): Promise<T> {
  const r = await res
  const body = (await r.json()) as T
  expect({ status: r.status, body }).toMatchObject({ status })
  return body
}
