import type { HttpInstance } from '@larksuiteoapi/node-sdk'
import { FeishuHttpError } from './feishu-http.js'
import { isNetworkFailure } from '../../network-failure.js'

/**
 * The open-platform calls the Feishu platform makes, and the one policy for trouble they share.
 * feishu-fetch-client.ts implements it on both runtimes. Cards, identity, inbound handling and
 * login are written against this interface only, so tests and runtimes can hand in their own.
 */
export interface FeishuOutbound {
  /** Open platform base URL: https://open.feishu.cn, https://open.larksuite.com, or a fake. */
  readonly baseUrl: string
  /** `uuid` makes a retried send idempotent on Feishu's side (same uuid within an hour = one message). */
  sendMessage(input: { receiveIdType: 'open_id' | 'chat_id'; receiveId: string; msgType: 'text' | 'interactive'; content: string; uuid: string }): Promise<string>
  replyMessage(messageId: string, input: { msgType: 'text' | 'interactive'; content: string; uuid: string }): Promise<string>
  patchMessage(messageId: string, content: string): Promise<void>
  /** The callback token path (30 min, 2 uses). */
  delayedCardUpdate(token: string, card: object): Promise<void>
  contactUser(openId: string): Promise<FeishuUser | undefined>
  /** Finds a person in the tenant's directory by company e-mail or mobile. */
  openIdByContact(contact: { email?: string; mobile?: string }): Promise<string | undefined>
  /** The bot's own open_id, to tell whether a group message @-mentions it. */
  botOpenId(): Promise<string>
  /** H5 login, step 1 (authen v2): a tt.requestAccess code → a user access token. */
  userAccessToken(code: string): Promise<string>
  /** H5 login, step 2: who the user access token belongs to. */
  userInfo(userAccessToken: string): Promise<FeishuUser>
  /** The bytes of an image or file someone sent the bot (im/v1 message resources). */
  messageResource(messageId: string, fileKey: string, type: 'image' | 'file'): Promise<Uint8Array>
  /** The app's tenant access token: the cached one while it lasts, else a fresh one (readiness: the secret works). */
  tenantAccessToken(): Promise<string>
  /** A GET with the tenant token under the same policy (the contact directory's pages). */
  get<T>(what: string, path: string, params: Record<string, string>): Promise<T & FeishuAnswer>
}

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

/** Every open-platform answer carries these; `code ≠ 0` is a failure even with HTTP 200. */
export interface FeishuAnswer {
  code?: number
  msg?: string
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function asApiError(what: string, error: unknown): FeishuApiError {
  if (error instanceof FeishuApiError) return error
  if (error instanceof FeishuHttpError) {
    const data = (typeof error.data === 'object' && error.data !== null ? error.data : {}) as FeishuAnswer & { error_description?: string }
    const reset = Number(error.headers.get('x-ogw-ratelimit-reset'))
    const retryable = error.status === 429 || error.status >= 500 || (data.code !== undefined && RATE_LIMITED.has(data.code))
    const detail = data.msg ?? data.error_description ?? (typeof error.data === 'string' ? error.data.slice(0, 200) : '')
    return new FeishuApiError(what, data.code, detail, error.status, retryable, Number.isFinite(reset) && reset > 0 ? reset * 1000 : undefined)
  }
  const message = error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}` : String(error)
  return new FeishuApiError(what, undefined, message, undefined, isNetworkFailure(error))
}

/**
 * One policy for trouble, whatever the transport: an invalid tenant token is dropped and the call
 * made once more, rate limits (429 / 99991400) and outages are retried with exponential back-off,
 * honouring x-ogw-ratelimit-reset.
 */
export class FeishuCallPolicy {
  private readonly retry: RetryPolicy

  constructor(
    retry: Partial<RetryPolicy> | undefined,
    /** Called with the tenant token Feishu refused; the cache may hold a newer one by then. */
    private readonly dropTenantToken: (refused: string) => void,
    private readonly log?: (message: string) => void,
  ) {
    this.retry = { attempts: 6, baseDelayMs: 500, maxDelayMs: 30_000, ...retry }
  }

  /** `tokenUsed`: the tenant token the latest try carried, for calls made with one. */
  async call<T extends FeishuAnswer>(what: string, send: () => Promise<T>, tokenUsed?: () => string | undefined): Promise<T> {
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
      const refused = tokenUsed?.()
      if (refused && failure.code !== undefined && TOKEN_INVALID.has(failure.code) && !refreshedToken) {
        refreshedToken = true
        this.dropTenantToken(refused)
        attempt--
        continue
      }
      if (!failure.retryable || attempt >= this.retry.attempts) throw failure
      const backoff = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1))
      const wait = Math.min(this.retry.maxDelayMs, Math.max(failure.retryAfterMs ?? 0, backoff * (0.75 + Math.random() * 0.5)))
      this.log?.(`${failure.message}; retry ${attempt}/${this.retry.attempts - 1} in ${Math.round(wait)} ms`)
      await sleep(wait)
    }
  }
}

/** A send/reply answer without a message id is unusable: say so instead of storing an empty ref. */
export function messageIdOf(id: string | undefined, what: string): string {
  if (!id) throw new FeishuApiError(what, undefined, 'no message_id in the answer', 200, false)
  return id
}

/**
 * GET …/messages/:id/resources/:key?type=…, the one binary call: bytes on success, Feishu's JSON
 * error otherwise, under the same policy as every other call. Plain fetch with the tenant token,
 * for both transports: the SDK's HTTP seam parses bodies as JSON.
 */
export async function fetchMessageResource(
  policy: FeishuCallPolicy,
  baseUrl: string,
  tenantToken: () => Promise<string>,
  resource: { messageId: string; fileKey: string; type: 'image' | 'file' },
): Promise<Uint8Array> {
  const url = `${baseUrl}/open-apis/im/v1/messages/${encodeURIComponent(resource.messageId)}/resources/${encodeURIComponent(resource.fileKey)}?type=${resource.type}`
  let token: string | undefined
  const answer = await policy.call(
    'download message resource',
    async () => {
      token = await tenantToken()
      const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(60_000) })
      if (response.ok && !(response.headers.get('content-type') ?? '').includes('application/json')) return { code: 0, bytes: new Uint8Array(await response.arrayBuffer()) }
      const text = await response.text()
      let data: unknown = text
      try {
        data = JSON.parse(text)
      } catch {
        // An HTML error page from a proxy: keep the text for the message.
      }
      if (!response.ok) throw new FeishuHttpError(response.status, data, response.headers, url)
      const failed = data as FeishuAnswer
      return { code: failed.code || -1, msg: failed.msg ?? 'no file in the answer', bytes: new Uint8Array() }
    },
    () => token,
  )
  return answer.bytes
}

/** H5 login, step 1 (authen v2), for both transports: a tt.requestAccess code → a user access token. */
export async function exchangeLoginCode(
  policy: FeishuCallPolicy,
  http: HttpInstance,
  baseUrl: string,
  app: { appId: string; appSecret: string },
  code: string,
): Promise<string> {
  const answer = await policy.call<FeishuAnswer & { access_token?: string }>('login code exchange', () =>
    http.post(`${baseUrl}/open-apis/authen/v2/oauth/token`, {
      grant_type: 'authorization_code',
      client_id: app.appId,
      client_secret: app.appSecret,
      code,
    }),
  )
  if (!answer.access_token) throw new FeishuApiError('login code exchange', answer.code, 'no access_token in the answer', 200, false)
  return answer.access_token
}

/** A lookup that is asked once and then remembered, unless it fails: then the next caller asks again. */
export function rememberedOnSuccess<T>(load: () => Promise<T>): () => Promise<T> {
  let remembered: Promise<T> | undefined
  return () =>
    (remembered ??= load().catch((error: unknown) => {
      remembered = undefined
      throw error
    }))
}
