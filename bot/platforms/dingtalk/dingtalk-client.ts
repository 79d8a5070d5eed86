/**
 * DingTalk's two API hosts as one client: `api.dingtalk.com` (v1.0, header token) and
 * `oapi.dingtalk.com` (topapi, `?access_token=`). Each host gets its own cached token, refreshed
 * before expiry and once more when DingTalk says it is invalid; rate limits are waited out.
 */
export interface DingtalkClientOptions {
  clientId: string
  clientSecret: string
  apiBase: string
  oapiBase: string
  now?: () => number
  sleep?: (ms: number) => Promise<void>
  /** First back-off after a rate limit; doubles each time. */
  backoffMs?: number
  /** Tries per call while DingTalk keeps rate-limiting. */
  maxAttempts?: number
  /** Deadline of one HTTP call. */
  timeoutMs?: number
}

export class DingtalkApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`钉钉接口出错 / DingTalk API error ${status} ${code}: ${message}`)
    this.name = 'DingtalkApiError'
  }

  /** Rate limited or DingTalk unavailable even after the client's own retries: worth trying again later. */
  get retryable(): boolean {
    return this.status === 429 || this.status >= 500
  }
}

/** Tokens are valid for 7200 s; renew this long before they run out. */
const TOKEN_MARGIN_MS = 5 * 60_000
/** The per-app/per-API/global QPS limits (oapi errcodes and v1.0 codes). */
const RATE_LIMIT_ERRCODES = new Set([90002, 90018, 90019])
const RATE_LIMIT_CODE = /QpsLimit|Throttl|FlowControl/i
/** A gateway saying DingTalk is not answering right now: the call was not taken, so try again later. */
const UNAVAILABLE = new Set([502, 503, 504])
/** oapi: 40014 invalid token, 42001 expired token, 41001 missing token. */
const TOKEN_ERRCODES = new Set([40014, 42001, 41001])

class TokenCache {
  private current?: { value: string; expiresAt: number }
  private pending?: Promise<string>

  constructor(
    private readonly fetchToken: () => Promise<{ value: string; expiresInSeconds: number }>,
    private readonly now: () => number,
  ) {}

  async get(): Promise<string> {
    if (this.current && this.current.expiresAt - TOKEN_MARGIN_MS > this.now()) return this.current.value
    // One refresh at a time: concurrent callers share it.
    this.pending ??= this.fetchToken()
      .then(({ value, expiresInSeconds }) => {
        this.current = { value, expiresAt: this.now() + expiresInSeconds * 1000 }
        return value
      })
      .finally(() => {
        this.pending = undefined
      })
    return this.pending
  }

  /** DingTalk rejected this token (revoked, rotated secret): forget it unless already replaced. */
  invalidate(token: string): void {
    if (this.current?.value === token) this.current = undefined
  }
}

type Outcome<T> = { ok: T } | { retry: 'token'; token: string } | { retry: 'rate' | 'unavailable'; afterMs?: number }

export class DingtalkClient {
  readonly robotCode: string
  private readonly apiTokens: TokenCache
  private readonly oapiTokens: TokenCache
  private readonly now: () => number
  private readonly sleep: (ms: number) => Promise<void>

  constructor(
    private readonly options: DingtalkClientOptions & { robotCode?: string },
  ) {
    this.now = options.now ?? Date.now
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)))
    // An internal app's robot has the app key as its robot code unless configured otherwise.
    this.robotCode = options.robotCode ?? options.clientId
    this.apiTokens = new TokenCache(async () => {
      const body = await this.json<{ accessToken?: string; expireIn?: number; code?: string; message?: string }>(
        await this.fetch(`${options.apiBase}/v1.0/oauth2/accessToken`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ appKey: options.clientId, appSecret: options.clientSecret }),
        }),
        'accessToken',
      )
      if (!body.accessToken) throw new DingtalkApiError(401, body.code ?? 'noToken', body.message ?? '获取 accessToken 失败')
      return { value: body.accessToken, expiresInSeconds: body.expireIn ?? 7200 }
    }, this.now)
    this.oapiTokens = new TokenCache(async () => {
      const query = new URLSearchParams({ appkey: options.clientId, appsecret: options.clientSecret })
      const body = await this.json<{ errcode?: number; errmsg?: string; access_token?: string; expires_in?: number }>(
        await this.fetch(`${options.oapiBase}/gettoken?${query}`),
        'gettoken',
      )
      if (body.errcode !== 0 || !body.access_token) throw new DingtalkApiError(401, String(body.errcode), body.errmsg ?? '获取 access_token 失败')
      return { value: body.access_token, expiresInSeconds: body.expires_in ?? 7200 }
    }, this.now)
  }

  /** A v1.0 call on api.dingtalk.com. */
  async api<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
    return this.withRetries<T>(`${method} ${path}`, async () => {
      const token = await this.apiTokens.get()
      const response = await this.fetch(`${this.options.apiBase}${path}`, {
        method,
        headers: { 'content-type': 'application/json', 'x-acs-dingtalk-access-token': token },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      if (UNAVAILABLE.has(response.status)) return { retry: 'unavailable', afterMs: retryAfter(response) }
      const json = await this.json<Record<string, unknown>>(response, path, { allowError: true })
      const code = typeof json.code === 'string' ? json.code : ''
      if (response.ok) return { ok: json as T }
      if (response.status === 401 || code === 'InvalidAuthentication') {
        this.apiTokens.invalidate(token)
        return { retry: 'token', token }
      }
      if (response.status === 429 || RATE_LIMIT_CODE.test(code)) return { retry: 'rate', afterMs: retryAfter(response) }
      throw new DingtalkApiError(response.status, code, typeof json.message === 'string' ? json.message : response.statusText)
    })
  }

  /** A topapi call on oapi.dingtalk.com; `errcode` ≠ 0 is an error even with HTTP 200. */
  async oapi<T>(path: string, body: unknown): Promise<T> {
    return this.withRetries<T>(`POST ${path}`, async () => {
      const token = await this.oapiTokens.get()
      const response = await this.fetch(`${this.options.oapiBase}${path}?access_token=${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      if (UNAVAILABLE.has(response.status)) return { retry: 'unavailable', afterMs: retryAfter(response) }
      const json = await this.json<{ errcode?: number; errmsg?: string; result?: unknown }>(response, path, { allowError: true })
      if (json.errcode === 0) return { ok: json as T }
      if (TOKEN_ERRCODES.has(json.errcode ?? -1)) {
        this.oapiTokens.invalidate(token)
        return { retry: 'token', token }
      }
      if (response.status === 429 || RATE_LIMIT_ERRCODES.has(json.errcode ?? -1)) return { retry: 'rate', afterMs: retryAfter(response) }
      throw new DingtalkApiError(response.status, String(json.errcode ?? response.status), json.errmsg ?? response.statusText)
    })
  }

  /** Both hosts' access tokens, the cached ones while they last: proves the app key and secret work. */
  async checkTokens(): Promise<void> {
    await Promise.all([this.apiTokens.get(), this.oapiTokens.get()])
  }

  /**
   * The bytes of a file or picture sent to the robot: its downloadCode is exchanged for a
   * short-lived URL (robot messageFiles/download), fetched at once. The URL is DingTalk's own
   * answer to our authenticated call, never taken from the message.
   */
  async downloadMessageFile(downloadCode: string): Promise<Uint8Array> {
    const { downloadUrl } = await this.api<{ downloadUrl?: string }>('POST', '/v1.0/robot/messageFiles/download', { downloadCode, robotCode: this.robotCode })
    if (!downloadUrl) throw new DingtalkApiError(404, 'noDownloadUrl', '钉钉未返回文件下载地址 / DingTalk gave no download URL')
    const response = await this.fetch(downloadUrl)
    if (!response.ok) throw new DingtalkApiError(response.status, 'download', `文件下载失败 / file download failed (HTTP ${response.status})`)
    return new Uint8Array(await response.arrayBuffer())
  }

  /**
   * Posts to a robot conversation's sessionWebhook. Only DingTalk's own host is accepted: the
   * URL arrives in the message body, which the HTTP-mode signature does not cover.
   */
  async postSessionWebhook(url: string, message: unknown): Promise<void> {
    if (new URL(url).origin !== new URL(this.options.oapiBase).origin) {
      throw new DingtalkApiError(400, 'foreignWebhook', `sessionWebhook 不属于钉钉 / not a DingTalk URL: ${new URL(url).origin}`)
    }
    const response = await this.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) })
    const json = await this.json<{ errcode?: number; errmsg?: string }>(response, 'sessionWebhook', { allowError: true })
    if (!response.ok || (json.errcode ?? 0) !== 0) throw new DingtalkApiError(response.status, String(json.errcode ?? response.status), json.errmsg ?? 'sessionWebhook failed')
  }

  /**
   * With `timeoutMs`, every call has that deadline: a hung DingTalk must not hold a queue. Workers has
   * no process-wide default deadline (Node installs one), so the integration always passes it.
   */
  private fetch(url: string, init?: RequestInit): Promise<Response> {
    const { timeoutMs } = this.options
    return fetch(url, timeoutMs ? { ...init, signal: AbortSignal.timeout(timeoutMs) } : init)
  }

  private async withRetries<T>(what: string, attempt: () => Promise<Outcome<T>>): Promise<T> {
    const maxAttempts = this.options.maxAttempts ?? 5
    let backoff = this.options.backoffMs ?? 500
    let tokenRetried = false
    for (let n = 1; ; n++) {
      const outcome = await attempt()
      if ('ok' in outcome) return outcome.ok
      if (outcome.retry === 'token') {
        if (tokenRetried) throw new DingtalkApiError(401, 'invalidToken', `${what}: 钉钉拒绝了新获取的 token / DingTalk rejected a fresh token`)
        tokenRetried = true
        continue
      }
      if (n >= maxAttempts && outcome.retry === 'unavailable') throw new DingtalkApiError(503, 'unavailable', `${what}: 钉钉暂时不可用，重试 ${n} 次后放弃 / still unavailable after ${n} tries`)
      if (n >= maxAttempts) throw new DingtalkApiError(429, 'rateLimited', `${what}: 钉钉限流，重试 ${n} 次后放弃 / still rate-limited after ${n} tries`)
      await this.sleep(Math.max(outcome.afterMs ?? 0, backoff) + Math.floor(Math.random() * backoff * 0.2))
      backoff *= 2
    }
  }

  private async json<T>(response: Response, what: string, options: { allowError?: boolean } = {}): Promise<T> {
    const text = await response.text()
    if (!response.ok && !options.allowError) throw new DingtalkApiError(response.status, 'http', `${what}: ${text.slice(0, 200)}`)
    try {
      return (text ? JSON.parse(text) : {}) as T
    } catch {
      throw new DingtalkApiError(response.status, 'notJson', `${what}: ${text.slice(0, 200)}`)
    }
  }
}

function retryAfter(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after'))
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined
}
