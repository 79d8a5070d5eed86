import * as lark from '@larksuiteoapi/node-sdk'
import { fetchHttpInstance } from './feishu-http.js'
import { exchangeLoginCode, FeishuApiError, rememberedOnSuccess, FeishuCallPolicy, fetchMessageResource, messageIdOf, type FeishuAnswer, type FeishuOutbound, type FeishuUser, type RetryPolicy } from './feishu-outbound.js'

export { EDIT_WINDOW_CLOSED, FeishuApiError, type FeishuUser, type RetryPolicy } from './feishu-outbound.js'

type Answer = FeishuAnswer

export interface FeishuApiOptions {
  appId: string
  appSecret: string
  /** Open platform base URL: https://open.feishu.cn, https://open.larksuite.com, or a fake. */
  baseUrl: string
  retry?: Partial<RetryPolicy>
  timeoutMs?: number
  log?: (message: string) => void
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

/**
 * The open-platform calls we make, through the SDK's Client (domain = FEISHU_DOMAIN), with one
 * policy for trouble: an invalid tenant token is refreshed once, rate limits (429 / 99991400) and
 * outages are retried with exponential back-off, honouring x-ogw-ratelimit-reset.
 */
export class FeishuApi implements FeishuOutbound {
  readonly client: lark.Client
  readonly http: lark.HttpInstance
  private readonly tokens = new TokenCache()
  private readonly policy: FeishuCallPolicy
  private readonly botId = rememberedOnSuccess(() => this.call('bot info', () => this.client.request<Answer & { bot?: { open_id?: string } }>({ method: 'GET', url: '/open-apis/bot/v3/info' })).then((answer) => answer.bot?.open_id ?? ''))

  constructor(private readonly options: FeishuApiOptions) {
    this.http = fetchHttpInstance(options.timeoutMs ?? 10_000)
    this.policy = new FeishuCallPolicy(options.retry, () => this.tokens.clear(), options.log)
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
  call<T extends Answer>(what: string, send: () => Promise<T>): Promise<T> {
    return this.policy.call(what, send)
  }

  /** `uuid` makes a retried send idempotent on Feishu's side (same uuid within an hour = one message). */
  async sendMessage(input: { receiveIdType: 'open_id' | 'chat_id'; receiveId: string; msgType: 'text' | 'interactive'; content: string; uuid: string }): Promise<string> {
    const answer = await this.call('send message', () =>
      this.client.im.v1.message.create({
        params: { receive_id_type: input.receiveIdType },
        data: { receive_id: input.receiveId, msg_type: input.msgType, content: input.content, uuid: input.uuid },
      }),
    )
    return messageIdOf(answer.data?.message_id, 'send message')
  }

  async replyMessage(messageId: string, input: { msgType: 'text' | 'interactive'; content: string; uuid: string }): Promise<string> {
    const answer = await this.call('reply to message', () =>
      this.client.im.v1.message.reply({ path: { message_id: messageId }, data: { msg_type: input.msgType, content: input.content, uuid: input.uuid } }),
    )
    return messageIdOf(answer.data?.message_id, 'reply to message')
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
    return this.botId()
  }

  /** H5 login, step 1 (authen v2): a tt.requestAccess code → a user access token. */
  userAccessToken(code: string): Promise<string> {
    return exchangeLoginCode(this.policy, this.http, this.baseUrl, this.options, code)
  }

  /** H5 login, step 2: who the user access token belongs to. */
  async userInfo(userAccessToken: string): Promise<FeishuUser> {
    const answer = await this.call('login user info', () => this.client.authen.v1.userInfo.get({}, lark.withUserAccessToken(userAccessToken)))
    return (answer.data ?? {}) as FeishuUser
  }

  /** With the SDK's own tenant token (its cache, which the policy clears when Feishu rejects it). */
  messageResource(messageId: string, fileKey: string, type: 'image' | 'file'): Promise<Uint8Array> {
    return fetchMessageResource(this.policy, this.baseUrl, () => this.tenantAccessToken(), { messageId, fileKey, type })
  }

  get<T>(what: string, path: string, params: Record<string, string>): Promise<T & Answer> {
    return this.call(what, () => this.client.request<T & Answer>({ method: 'GET', url: path, params }))
  }

  /** The SDK's own tenant token, from its cache while it lasts. */
  tenantAccessToken(): Promise<string> {
    return (this.client.tokenManager as { getTenantAccessToken(): Promise<string> }).getTenantAccessToken()
  }
}
