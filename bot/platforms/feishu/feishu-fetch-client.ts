import { fetchHttpInstance } from './feishu-http.js'
import { exchangeLoginCode, FeishuApiError, rememberedOnSuccess, FeishuCallPolicy, fetchMessageResource, messageIdOf, type FeishuAnswer, type FeishuOutbound, type FeishuUser, type RetryPolicy } from './feishu-outbound.js'

export interface FeishuFetchApiOptions {
  appId: string
  appSecret: string
  /** Open platform base URL: https://open.feishu.cn, https://open.larksuite.com, or a fake. */
  baseUrl: string
  retry?: Partial<RetryPolicy>
  timeoutMs?: number
  log?: (message: string) => void
}

/** Feishu hands out a fresh tenant token once the old one has under 30 minutes left; we ask 5 minutes before expiry. */
const TOKEN_EARLY_MS = 5 * 60_000

/**
 * The open-platform calls we make, with fetch, on Node and on Workers: the SDK's Client cannot
 * start inside workerd, and on Node importing it costs ~65 MB of RSS for a dozen endpoints.
 * Endpoints, bodies and the tenant-token handling follow the SDK's requests one for one, and
 * trouble goes through FeishuCallPolicy.
 */
export class FeishuFetchApi implements FeishuOutbound {
  readonly http
  private readonly policy: FeishuCallPolicy
  /** `token` once the request for it has been answered. */
  private tenantToken?: { value: Promise<string>; expiresAt: number; token?: string }
  private readonly botId = rememberedOnSuccess(() => this.call<{ bot?: { open_id?: string } }>('bot info', 'GET', '/open-apis/bot/v3/info').then((answer) => answer.bot?.open_id ?? ''))

  constructor(private readonly options: FeishuFetchApiOptions) {
    this.http = fetchHttpInstance(options.timeoutMs ?? 10_000)
    this.policy = new FeishuCallPolicy(options.retry, (refused) => this.dropTenantToken(refused), options.log)
  }

  get baseUrl(): string {
    return this.options.baseUrl
  }

  async sendMessage(input: { receiveIdType: 'open_id' | 'chat_id'; receiveId: string; msgType: 'text' | 'interactive'; content: string; uuid: string }): Promise<string> {
    const answer = await this.call<{ data?: { message_id?: string } }>('send message', 'POST', '/open-apis/im/v1/messages', {
      params: { receive_id_type: input.receiveIdType },
      data: { receive_id: input.receiveId, msg_type: input.msgType, content: input.content, uuid: input.uuid },
    })
    return messageIdOf(answer.data?.message_id, 'send message')
  }

  async replyMessage(messageId: string, input: { msgType: 'text' | 'interactive'; content: string; uuid: string }): Promise<string> {
    const answer = await this.call<{ data?: { message_id?: string } }>('reply to message', 'POST', `/open-apis/im/v1/messages/${encodeURIComponent(messageId)}/reply`, {
      data: { msg_type: input.msgType, content: input.content, uuid: input.uuid },
    })
    return messageIdOf(answer.data?.message_id, 'reply to message')
  }

  async patchMessage(messageId: string, content: string): Promise<void> {
    await this.call('update card', 'PATCH', `/open-apis/im/v1/messages/${encodeURIComponent(messageId)}`, { data: { content } })
  }

  async delayedCardUpdate(token: string, card: object): Promise<void> {
    await this.call('delayed card update', 'POST', '/open-apis/interactive/v1/card/update', { data: { token, card } })
  }

  async contactUser(openId: string): Promise<FeishuUser | undefined> {
    const answer = await this.call<{ data?: { user?: FeishuUser } }>('contact user lookup', 'GET', `/open-apis/contact/v3/users/${encodeURIComponent(openId)}`, {
      params: { user_id_type: 'open_id' },
    })
    return answer.data?.user
  }

  async openIdByContact(contact: { email?: string; mobile?: string }): Promise<string | undefined> {
    const answer = await this.call<{ data?: { user_list?: { user_id?: string }[] } }>('contact id lookup', 'POST', '/open-apis/contact/v3/users/batch_get_id', {
      params: { user_id_type: 'open_id' },
      data: { emails: contact.email ? [contact.email] : [], mobiles: contact.mobile ? [contact.mobile] : [], include_resigned: false },
    })
    return answer.data?.user_list?.find((user) => user.user_id)?.user_id
  }

  botOpenId(): Promise<string> {
    return this.botId()
  }

  userAccessToken(code: string): Promise<string> {
    return exchangeLoginCode(this.policy, this.http, this.baseUrl, this.options, code)
  }

  async userInfo(userAccessToken: string): Promise<FeishuUser> {
    const answer = await this.policy.call('login user info', () =>
      this.http.get<FeishuAnswer & { data?: FeishuUser }>(`${this.baseUrl}/open-apis/authen/v1/user_info`, { headers: { Authorization: `Bearer ${userAccessToken}` } }),
    )
    return answer.data ?? {}
  }

  messageResource(messageId: string, fileKey: string, type: 'image' | 'file'): Promise<Uint8Array> {
    return fetchMessageResource(this.policy, this.baseUrl, () => this.tenantAccessToken(), { messageId, fileKey, type })
  }

  get<T>(what: string, path: string, params: Record<string, string>): Promise<T & FeishuAnswer> {
    return this.call<T>(what, 'GET', path, { params })
  }

  /** One call with the tenant token, under the shared policy (a rejected token is fetched anew once). */
  private call<T>(what: string, method: string, path: string, request: { params?: Record<string, string>; data?: unknown } = {}): Promise<T & FeishuAnswer> {
    let token: string | undefined
    return this.policy.call(
      what,
      async () => {
        token = await this.tenantAccessToken()
        return this.http.request<T & FeishuAnswer>({ url: `${this.baseUrl}${path}`, method, params: request.params, data: request.data, headers: { Authorization: `Bearer ${token}` } })
      },
      () => token,
    )
  }

  /**
   * Only while the cache still holds the refused token: after a revocation every call in flight is
   * refused, and each dropping whatever is cached would throw away the token another one had just
   * fetched, one token request per call. This way they all wait for the first one's refresh.
   */
  private dropTenantToken(refused: string): void {
    if (this.tenantToken?.token === refused) this.tenantToken = undefined
  }

  tenantAccessToken(): Promise<string> {
    if (this.tenantToken && this.tenantToken.expiresAt > Date.now()) return this.tenantToken.value
    const value = this.http
      .post<FeishuAnswer & { tenant_access_token?: string; expire?: number }>(`${this.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, {
        app_id: this.options.appId,
        app_secret: this.options.appSecret,
      })
      .then((answer) => {
        if (answer.code || !answer.tenant_access_token) throw new FeishuApiError('tenant token', answer.code, answer.msg ?? 'no tenant_access_token in the answer', 200, false)
        if (this.tenantToken?.value === value) {
          this.tenantToken.expiresAt = Date.now() + (answer.expire ?? 0) * 1000 - TOKEN_EARLY_MS
          this.tenantToken.token = answer.tenant_access_token
        }
        return answer.tenant_access_token
      })
    value.catch(() => {
      if (this.tenantToken?.value === value) this.tenantToken = undefined
    })
    // Until the answer says how long it lasts, concurrent calls share this one request.
    this.tenantToken = { value, expiresAt: Number.POSITIVE_INFINITY }
    return value
  }
}
