import * as lark from '@larksuiteoapi/node-sdk'
import { FeishuHttpError, fetchHttpInstance } from './feishu-http.js'

/** Codes that mean "your tenant token is no good": drop the cached one and try once more. */
const TOKEN_INVALID = new Set([99991661, 99991663, 99991664, 99991671])
/** 99991400: app-level rate limit (HTTP 429, or 400 on older APIs); 230020: per-chat message limit. */
const RATE_LIMITED = new Set([99991400, 230020])
/** A card may be edited for 14 days after it was sent. */
export const EDIT_WINDOW_CLOSED = 230031

export class FeishuApiError extends Error {
  constructor(
    readonly what: string,
    readonly code: number | undefined,
    detail: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(`feishu ${what} failed: ${code !== undefined ? `code ${code} ` : ''}${detail}${status !== undefined ? ` (HTTP ${status})` : ''}`)
    this.name = 'FeishuApiError'
  }
}

export interface RetryPolicy {
  attempts: number
  baseDelayMs: number
  maxDelayMs: number
}

export interface FeishuApiOptions {
  appId: string
  appSecret: string
  /** Open platform base URL: https://open.feishu.cn, https://open.larksuite.com, or a fake. */
  baseUrl: string
  retry?: Partial<RetryPolicy>
  timeoutMs?: number
  log?: (message: string) => void
}

/** The few fields of a contact-API user we match employees on. */
export interface FeishuUser {
  open_id?: string
  union_id?: string
  user_id?: string
  name?: string
  en_name?: string
  email?: string
  enterprise_email?: string
  mobile?: string
  employee_no?: string
}

interface Answer {
  code?: number
  msg?: string
}

/** Per-client token store, so a test's fake and a real app never share a token, and it can be dropped. */
class TokenCache implements lark.Cache {
  private readonly values = new Map<string, { value: unknown; expiresAt?: number }>()
  private keyOf(key: string | Symbol, namespace?: string) {
    return `${namespace ?? ''}|${String(key)}`
  }
  async set(key: string | Symbol, value: unknown, expiresAt?: number, options?: { namespace?: string }) {
    this.values.set(this.keyOf(key, options?.namespace), { value, expiresAt })
    return true
  }
  async get(key: string | Symbol, options?: { namespace?: string }) {
    const entry = this.values.get(this.keyOf(key, options?.namespace))
    if (!entry || (entry.expiresAt !== undefined && entry.expiresAt < Date.now())) return undefined
    return entry.value
  }
  clear() {
    this.values.clear()
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function asApiError(what: string, error: unknown): FeishuApiError {
  if (error instanceof FeishuApiError) return error
  if (error instanceof FeishuHttpError) {
    const data = (typeof error.data === 'object' && error.data !== null ? error.data : {}) as Answer & { error_description?: string }
    const reset = Number(error.headers.get('x-ogw-ratelimit-reset'))
    const retryable = error.status === 429 || error.status >= 500 || (data.code !== undefined && RATE_LIMITED.has(data.code))
    const detail = data.msg ?? data.error_description ?? (typeof error.data === 'string' ? error.data.slice(0, 200) : '')
    return new FeishuApiError(what, data.code, detail, error.status, retryable, Number.isFinite(reset) && reset > 0 ? reset * 1000 : undefined)
  }
  // Network trouble (refused, reset, timed out) is worth retrying; anything else is a bug or bad config.
  const message = error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}` : String(error)
  const network = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError' || /fetch failed|ECONN|ETIMEDOUT|socket/i.test(message))
  return new FeishuApiError(what, undefined, message, undefined, network)
}

/**
 * The open-platform calls we make, through the SDK's Client (domain = FEISHU_DOMAIN), with one
 * policy for trouble: an invalid tenant token is refreshed once, rate limits (429 / 99991400) and
 * outages are retried with exponential back-off, honouring x-ogw-ratelimit-reset.
 */
export class FeishuApi {
  readonly client: lark.Client
  readonly http: lark.HttpInstance
  private readonly tokens = new TokenCache()
  private readonly retry: RetryPolicy
  private botId?: Promise<string>

  constructor(private readonly options: FeishuApiOptions) {
    this.http = fetchHttpInstance(options.timeoutMs ?? 10_000)
    this.retry = { attempts: 6, baseDelayMs: 500, maxDelayMs: 30_000, ...options.retry }
    this.client = new lark.Client({
      appId: options.appId,
      appSecret: options.appSecret,
      domain: options.baseUrl,
      cache: this.tokens,
      httpInstance: this.http,
      // Failures surface as FeishuApiError through call(); the SDK's own console lines would only repeat them.
      logger: { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, trace: () => {} },
    })
  }

  get baseUrl(): string {
    return this.options.baseUrl
  }

  /** Runs one call under the retry policy; `code ≠ 0` in a 200 answer is an error too. */
  async call<T extends Answer>(what: string, send: () => Promise<T>): Promise<T> {
    let refreshedToken = false
    for (let attempt = 1; ; attempt++) {
      let failure: FeishuApiError
      try {
        const answer = await send()
        if (!answer.code) return answer
        failure = new FeishuApiError(what, answer.code, answer.msg ?? '', 200, RATE_LIMITED.has(answer.code))
      } catch (error) {
        failure = asApiError(what, error)
      }
      if (failure.code !== undefined && TOKEN_INVALID.has(failure.code) && !refreshedToken) {
        refreshedToken = true
        this.tokens.clear()
        attempt--
        continue
      }
      if (!failure.retryable || attempt >= this.retry.attempts) throw failure
      const backoff = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1))
      const wait = Math.min(this.retry.maxDelayMs, Math.max(failure.retryAfterMs ?? 0, backoff * (0.75 + Math.random() * 0.5)))
      this.options.log?.(`${failure.message}; retry ${attempt}/${this.retry.attempts - 1} in ${Math.round(wait)} ms`)
      await sleep(wait)
    }
  }

  /** `uuid` makes a retried send idempotent on Feishu's side (same uuid within an hour = one message). */
  async sendMessage(input: { receiveIdType: 'open_id' | 'chat_id'; receiveId: string; msgType: 'text' | 'interactive'; content: string; uuid: string }): Promise<string> {
    const answer = await this.call('send message', () =>
      this.client.im.v1.message.create({
        params: { receive_id_type: input.receiveIdType },
        data: { receive_id: input.receiveId, msg_type: input.msgType, content: input.content, uuid: input.uuid },
      }),
    )
    return this.messageIdOf(answer.data?.message_id, 'send message')
  }

  async replyMessage(messageId: string, input: { msgType: 'text' | 'interactive'; content: string; uuid: string }): Promise<string> {
    const answer = await this.call('reply to message', () =>
      this.client.im.v1.message.reply({ path: { message_id: messageId }, data: { msg_type: input.msgType, content: input.content, uuid: input.uuid } }),
    )
    return this.messageIdOf(answer.data?.message_id, 'reply to message')
  }

  async patchMessage(messageId: string, content: string): Promise<void> {
    await this.call('update card', () => this.client.im.v1.message.patch({ path: { message_id: messageId }, data: { content } }))
  }

  /** The callback token path (30 min, 2 uses): not wrapped by the SDK. 2.0 cards are shared, so no open_ids. */
  async delayedCardUpdate(token: string, card: object): Promise<void> {
    await this.call('delayed card update', () => this.client.request<Answer>({ method: 'POST', url: '/open-apis/interactive/v1/card/update', data: { token, card } }))
  }

  async contactUser(openId: string): Promise<FeishuUser | undefined> {
    const answer = await this.call('contact user lookup', () =>
      this.client.contact.v3.user.get({ path: { user_id: openId }, params: { user_id_type: 'open_id' } }),
    )
    return answer.data?.user as FeishuUser | undefined
  }

  /** Finds a person in the tenant's directory by company e-mail or mobile (for employees who never wrote to the bot). */
  async openIdByContact(contact: { email?: string; mobile?: string }): Promise<string | undefined> {
    const answer = await this.call('contact id lookup', () =>
      this.client.contact.v3.user.batchGetId({
        params: { user_id_type: 'open_id' },
        data: { emails: contact.email ? [contact.email] : [], mobiles: contact.mobile ? [contact.mobile] : [], include_resigned: false },
      }),
    )
    return answer.data?.user_list?.find((user) => user.user_id)?.user_id
  }

  /** The bot's own open_id, to tell whether a group message @-mentions it. */
  botOpenId(): Promise<string> {
    this.botId ??= this.call('bot info', () => this.client.request<Answer & { bot?: { open_id?: string } }>({ method: 'GET', url: '/open-apis/bot/v3/info' }))
      .then((answer) => answer.bot?.open_id ?? '')
      .catch((error: unknown) => {
        this.botId = undefined
        throw error
      })
    return this.botId
  }

  /** H5 login, step 1 (authen v2): a tt.requestAccess code → a user access token. */
  async userAccessToken(code: string): Promise<string> {
    const answer = await this.call('login code exchange', () =>
      this.http.post<Answer & { access_token?: string }>(`${this.baseUrl}/open-apis/authen/v2/oauth/token`, {
        grant_type: 'authorization_code',
        client_id: this.options.appId,
        client_secret: this.options.appSecret,
        code,
      }),
    )
    if (!answer.access_token) throw new FeishuApiError('login code exchange', answer.code, 'no access_token in the answer', 200, false)
    return answer.access_token
  }

  /** H5 login, step 2: who the user access token belongs to. */
  async userInfo(userAccessToken: string): Promise<FeishuUser> {
    const answer = await this.call('login user info', () => this.client.authen.v1.userInfo.get({}, lark.withUserAccessToken(userAccessToken)))
    return (answer.data ?? {}) as FeishuUser
  }

  private messageIdOf(id: string | undefined, what: string): string {
    if (!id) throw new FeishuApiError(what, undefined, 'no message_id in the answer', 200, false)
    return id
  }
}
