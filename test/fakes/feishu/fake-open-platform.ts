import { randomBytes, randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { serve } from '@hono/node-server'
import { Hono, type Context } from 'hono'

/**
 * A local Feishu open platform: a real HTTP server speaking the wire format of the endpoints we
 * call (PROTOCOLS.md F2–F4), strict where Feishu is strict (tokens, 14-day edits, card tokens,
 * card JSON 2.0 shape), and recording every message and edit so tests can see what users see.
 */

export interface FakeUser {
  open_id: string
  union_id?: string
  user_id?: string
  name: string
  en_name?: string
  employee_no?: string
  mobile?: string
  email?: string
  enterprise_email?: string
  /** open_department_ids; none (or "0") means directly under the company root. */
  department_ids?: string[]
  /** open_id of the direct supervisor. */
  leader_user_id?: string
  job_title?: string
  status?: { is_resigned?: boolean; is_frozen?: boolean; is_activated?: boolean }
}

/** A contact/v3 department, as the directory endpoints answer it. */
export interface FakeDepartment {
  open_department_id: string
  name: string
  /** "0" for the company root's children. */
  parent_department_id: string
  leader_user_id?: string
}

export interface FakeMessage {
  message_id: string
  /** open_id of the person it went to (a p2p message), or undefined for a group reply. */
  to?: string
  chat_id: string
  /** The message it replied to, for replies. */
  reply_to?: string
  msg_type: 'text' | 'interactive'
  /** What the client shows now (after any edit). */
  content: string
  sent_at: number
  /** Every PATCH, in order. */
  patches: string[]
  /** Every delayed update through a callback token, in order. */
  delayed_updates: string[]
}

interface FaultRule {
  method?: string
  path: RegExp
  status: number
  body: unknown
  headers?: Record<string, string>
  times: number
}

interface DelayRule {
  method?: string
  path: RegExp
  ms: number
  times: number
}

export interface RequestRecord {
  method: string
  path: string
  at: number
}

const DAY_MS = 24 * 60 * 60_000
const TENANT_TOKEN_TTL_S = 7200
const CARD_TOKEN_TTL_MS = 30 * 60_000
const LOGIN_CODE_TTL_MS = 3 * 60_000
const MAX_CARD_BYTES = 30 * 1024
const CARD_TAGS = new Set(['markdown', 'div', 'hr', 'column_set', 'column', 'button', 'form', 'input', 'plain_text', 'lark_md'])
const TEMPLATES = new Set(['blue', 'wathet', 'turquoise', 'green', 'yellow', 'orange', 'red', 'carmine', 'violet', 'purple', 'indigo', 'grey', 'default'])

/** Feishu's answer shape: HTTP status plus `{code, msg}` (and `data` on success). */
const fail = (c: Context, status: 400 | 401 | 403 | 404 | 429 | 500, code: number, msg: string) => c.json({ code, msg }, status)

/** Why a card JSON 2.0 would be refused (Feishu answers 230099), or undefined if it is fine. */
export function cardProblem(card: unknown): string | undefined {
  if (typeof card !== 'object' || card === null) return 'card is not an object'
  const c = card as Record<string, unknown>
  if (c.schema !== '2.0') return 'schema must be "2.0"'
  if ((c.config as Record<string, unknown> | undefined)?.update_multi !== true) return 'config.update_multi must be true to update the card for everyone'
  const header = c.header as { title?: { content?: unknown }; template?: unknown } | undefined
  if (typeof header?.title?.content !== 'string' || !header.title.content) return 'header.title.content missing'
  if (header.template !== undefined && !TEMPLATES.has(String(header.template))) return `unknown header template ${String(header.template)}`
  const elements = (c.body as { elements?: unknown } | undefined)?.elements
  if (!Array.isArray(elements)) return 'body.elements must be an array'
  const walk = (node: unknown, inForm: boolean): string | undefined => {
    if (Array.isArray(node)) {
      for (const child of node) {
        const problem = walk(child, inForm)
        if (problem) return problem
      }
      return undefined
    }
    if (typeof node !== 'object' || node === null) return undefined
    const element = node as Record<string, unknown>
    if (typeof element.tag === 'string' && !CARD_TAGS.has(element.tag)) return `unknown tag ${element.tag}`
    if (element.tag === 'button') {
      const behaviors = element.behaviors as { type?: string; value?: unknown }[] | undefined
      if (!behaviors?.some((b) => b.type === 'callback' && typeof b.value === 'object')) return 'button without a callback behavior'
      if (inForm && (element.form_action_type !== 'submit' || typeof element.name !== 'string')) return 'a button in a form needs name and form_action_type'
    }
    if (element.tag === 'input' && (!inForm || typeof element.name !== 'string')) return 'input must be named and inside a form'
    for (const [key, value] of Object.entries(element)) {
      if (key === 'tag') continue
      const problem = walk(value, inForm || element.tag === 'form')
      if (problem) return problem
    }
    return undefined
  }
  return walk(elements, false)
}

export class FakeFeishuOpenPlatform {
  readonly messages: FakeMessage[] = []
  readonly requests: RequestRecord[] = []
  private readonly tenantTokens = new Map<string, number>()
  private readonly uuids = new Map<string, { messageId: string; at: number }>()
  private readonly cardTokens = new Map<string, { messageId: string; expiresAt: number; uses: number }>()
  private readonly pageTokens = new Map<string, { query: string; offset: number }>()
  private readonly loginCodes = new Map<string, { openId: string; expiresAt: number }>()
  private readonly userTokens = new Map<string, string>()
  private readonly faults: FaultRule[] = []
  private readonly delays: DelayRule[] = []
  /** Images and files in people's messages, by "messageId/key". */
  private readonly resources = new Map<string, Uint8Array>()
  private clockOffsetMs = 0
  private readonly closers: (() => void)[] = []
  readonly app = new Hono()
  /** The tenant's department tree for the contact directory endpoints; tests add to it. */
  readonly departments: FakeDepartment[] = []
  /** Set by the fake WS gateway: answers `POST /callback/ws/endpoint` (the SDK's WSClient discovery). */
  wsEndpoint?: (body: { AppID?: string; AppSecret?: string }) => unknown

  private constructor(
    readonly appId: string,
    readonly appSecret: string,
    readonly users: FakeUser[],
    readonly botOpenId: string,
    private server?: Server,
  ) {}

  static async start(options: { appId: string; appSecret: string; users: FakeUser[]; botOpenId?: string }): Promise<FakeFeishuOpenPlatform> {
    const fake = new FakeFeishuOpenPlatform(options.appId, options.appSecret, options.users, options.botOpenId ?? `ou_bot${randomBytes(8).toString('hex')}`)
    fake.routes()
    await new Promise<void>((resolve) => {
      fake.server = serve({ fetch: fake.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve()) as Server
    })
    return fake
  }

  get url(): string {
    return `http://127.0.0.1:${(this.httpServer.address() as AddressInfo).port}`
  }

  get httpServer(): Server {
    if (!this.server) throw new Error('fake open platform not started')
    return this.server
  }

  now(): number {
    return Date.now() + this.clockOffsetMs
  }

  /** Moves the platform's clock (14-day edit window, token lifetimes). */
  advance(ms: number): void {
    this.clockOffsetMs += ms
  }

  /** The next `times` matching requests get this answer instead (rate limits, outages). */
  failNext(match: { method?: string; path: RegExp }, answer: { status: number; body: unknown; headers?: Record<string, string> }, times = 1): void {
    this.faults.push({ ...match, ...answer, times })
  }

  /** The platform is back: faults not yet used up are forgotten. */
  clearFaults(): void {
    this.faults.length = 0
  }

  /** The next `times` matching requests are answered only after `ms` (a slow open platform). */
  slowDown(match: { method?: string; path: RegExp }, ms: number, times = 1): void {
    this.delays.push({ ...match, ms, times })
  }

  /** Invalidates every tenant token, as when one expires or is revoked. */
  revokeTenantTokens(): void {
    this.tenantTokens.clear()
  }

  /** The token a card callback carries: 30 minutes, 2 uses, for the tapped message only. */
  issueCardToken(messageId: string): string {
    const token = `c-${randomBytes(12).toString('hex')}`
    this.cardTokens.set(token, { messageId, expiresAt: this.now() + CARD_TOKEN_TTL_MS, uses: 0 })
    return token
  }

  /** What `tt.requestAccess` hands the H5 page: a one-use code for this user. */
  issueLoginCode(openId: string): string {
    const code = randomBytes(16).toString('hex')
    this.loginCodes.set(code, { openId, expiresAt: this.now() + LOGIN_CODE_TTL_MS })
    return code
  }

  /** A file or image a person sends in message `messageId` under resource `key`. */
  addResource(messageId: string, key: string, bytes: Uint8Array): void {
    this.resources.set(`${messageId}/${key}`, bytes)
  }

  message(messageId: string): FakeMessage | undefined {
    return this.messages.find((m) => m.message_id === messageId)
  }

  /** Messages sent to a person, oldest first. */
  messagesTo(openId: string): FakeMessage[] {
    return this.messages.filter((m) => m.to === openId)
  }

  /** Companions holding their own sockets (the WS gateway) close them with the platform. */
  onClose(closer: () => void): void {
    this.closers.push(closer)
  }

  async close(): Promise<void> {
    this.closers.forEach((close) => close())
    this.server?.closeAllConnections()
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
  }

  private tenantToken(c: Context): boolean {
    const bearer = /^Bearer (t-\S+)$/.exec(c.req.header('authorization') ?? '')?.[1]
    const expiresAt = bearer && this.tenantTokens.get(bearer)
    return Boolean(expiresAt && expiresAt > this.now())
  }

  private routes(): void {
    const app = this.app

    app.use('*', async (c, next) => {
      this.requests.push({ method: c.req.method, path: c.req.path, at: Date.now() })
      const delay = this.delays.find((d) => d.times > 0 && (!d.method || d.method === c.req.method) && d.path.test(c.req.path))
      if (delay) {
        delay.times--
        await new Promise((resolve) => setTimeout(resolve, delay.ms))
      }
      const fault = this.faults.find((f) => f.times > 0 && (!f.method || f.method === c.req.method) && f.path.test(c.req.path))
      if (fault) {
        fault.times--
        return new Response(JSON.stringify(fault.body), { status: fault.status, headers: { 'content-type': 'application/json', ...fault.headers } })
      }
      await next()
    })

    // Everything but the token endpoints and the OAuth/user-token APIs needs a live tenant token.
    app.use('/open-apis/*', async (c, next) => {
      const path = c.req.path
      if (path.startsWith('/open-apis/auth/') || path.startsWith('/open-apis/authen/')) return next()
      if (!this.tenantToken(c)) return fail(c, 400, 99991663, 'Invalid access token for authorization. Please make a request with token attached.')
      await next()
    })

    app.post('/open-apis/auth/v3/tenant_access_token/internal', async (c) => {
      const body = (await c.req.json().catch(() => ({}))) as { app_id?: string; app_secret?: string }
      if (body.app_id !== this.appId || body.app_secret !== this.appSecret) return c.json({ code: 10014, msg: 'app secret invalid' })
      const token = `t-${randomBytes(16).toString('hex')}`
      this.tenantTokens.set(token, this.now() + TENANT_TOKEN_TTL_S * 1000)
      return c.json({ code: 0, msg: 'ok', tenant_access_token: token, expire: TENANT_TOKEN_TTL_S })
    })

    app.post('/open-apis/im/v1/messages', async (c) => {
      const type = c.req.query('receive_id_type')
      const body = (await c.req.json().catch(() => ({}))) as { receive_id?: string; msg_type?: string; content?: string; uuid?: string }
      if (type !== 'open_id') return fail(c, 400, 230001, `unsupported receive_id_type in this fake: ${type}`)
      if (!this.users.some((u) => u.open_id === body.receive_id)) return fail(c, 400, 230013, 'Bot has NO availability to this user.')
      return this.createMessage(c, body, { to: body.receive_id, chat_id: `oc_p2p_${body.receive_id}` })
    })

    app.post('/open-apis/im/v1/messages/:id/reply', async (c) => {
      const original = this.message(c.req.param('id'))
      if (!original && !c.req.param('id').startsWith('om_user_')) return fail(c, 400, 230001, 'message to reply to not found')
      const body = (await c.req.json().catch(() => ({}))) as { msg_type?: string; content?: string; uuid?: string }
      return this.createMessage(c, body, { chat_id: original?.chat_id ?? 'oc_group', reply_to: c.req.param('id') })
    })

    // Files and images people sent: binary on success, a JSON error like Feishu's otherwise.
    app.get('/open-apis/im/v1/messages/:id/resources/:key', (c) => {
      const type = c.req.query('type')
      if (type !== 'image' && type !== 'file') return fail(c, 400, 234001, 'Invalid request param: type.')
      const bytes = this.resources.get(`${c.req.param('id')}/${c.req.param('key')}`)
      if (!bytes) return fail(c, 400, 234003, 'File not in msg.')
      return new Response(Buffer.from(bytes), { headers: { 'content-type': 'application/octet-stream' } })
    })

    app.patch('/open-apis/im/v1/messages/:id', async (c) => {
      const message = this.message(c.req.param('id'))
      if (!message) return fail(c, 400, 230001, 'message not found')
      if (message.msg_type !== 'interactive') return fail(c, 400, 230001, 'only interactive messages can be patched')
      if (this.now() - message.sent_at > 14 * DAY_MS) return fail(c, 400, 230031, 'Message can only be modified within 14 days after sending.')
      const body = (await c.req.json().catch(() => ({}))) as { content?: string }
      const problem = this.contentProblem('interactive', body.content)
      if (problem) return fail(c, 400, problem.code, problem.msg)
      message.content = body.content!
      message.patches.push(body.content!)
      return c.json({ code: 0, msg: 'success', data: {} })
    })

    app.post('/open-apis/interactive/v1/card/update', async (c) => {
      const body = (await c.req.json().catch(() => ({}))) as { token?: string; card?: unknown }
      const entry = body.token ? this.cardTokens.get(body.token) : undefined
      if (!entry) return c.json({ code: 300020, msg: 'token invalid' })
      if (entry.expiresAt < this.now()) return c.json({ code: 300030, msg: 'token expired' })
      if (entry.uses >= 2) return c.json({ code: 300040, msg: 'token usage exceeded' })
      const problem = cardProblem(body.card)
      if (problem) return c.json({ code: 11311, msg: `invalid card: ${problem}` })
      // The 30 KB limit holds here too; Feishu names no code for it on this endpoint, so the im API's.
      if (Buffer.byteLength(JSON.stringify(body.card)) > MAX_CARD_BYTES) return c.json({ code: 230025, msg: 'The length of the card content reaches its limit.' })
      entry.uses++
      const message = this.message(entry.messageId)!
      message.content = JSON.stringify(body.card)
      message.delayed_updates.push(message.content)
      return c.json({ code: 0, msg: 'success' })
    })

    app.post('/open-apis/contact/v3/users/batch_get_id', async (c) => {
      if (c.req.query('user_id_type') !== 'open_id') return fail(c, 400, 40001, 'this fake answers open_ids only')
      const body = (await c.req.json().catch(() => ({}))) as { emails?: string[]; mobiles?: string[] }
      const digits = (mobile: string) => mobile.replace(/^\+86/, '')
      const user_list = [
        ...(body.emails ?? []).map((email) => ({ email, user_id: this.users.find((u) => u.email === email || u.enterprise_email === email)?.open_id })),
        ...(body.mobiles ?? []).map((mobile) => ({ mobile, user_id: this.users.find((u) => u.mobile && digits(u.mobile) === digits(mobile))?.open_id })),
      ]
      return c.json({ code: 0, msg: 'success', data: { user_list } })
    })

    // The directory: at most 50 per page, opaque page tokens bound to the query that issued them.
    app.get('/open-apis/contact/v3/departments/:id/children', (c) => {
      const problem = this.directoryQueryProblem(c)
      if (problem) return problem
      const under = (parent: string): FakeDepartment[] => this.departments.filter((d) => d.parent_department_id === parent).flatMap((d) => (c.req.query('fetch_child') === 'true' ? [d, ...under(d.open_department_id)] : [d]))
      const parent = c.req.param('id')
      if (parent !== '0' && !this.departments.some((d) => d.open_department_id === parent)) return fail(c, 400, 40004, 'no dept authority error')
      return this.directoryPage(c, under(parent).map((d) => ({ ...d, department_id: d.open_department_id, status: { is_deleted: false } })))
    })

    app.get('/open-apis/contact/v3/users/find_by_department', (c) => {
      const problem = this.directoryQueryProblem(c)
      if (problem) return problem
      const department = c.req.query('department_id') ?? ''
      if (department !== '0' && !this.departments.some((d) => d.open_department_id === department)) return fail(c, 400, 40004, 'no dept authority error')
      const members = this.users.filter((u) => (department === '0' ? !u.department_ids?.length || u.department_ids.includes('0') : u.department_ids?.includes(department)))
      return this.directoryPage(
        c,
        members.map((u) => ({ ...u, union_id: u.union_id ?? `on_${u.open_id.slice(3)}`, department_ids: u.department_ids?.length ? u.department_ids : ['0'], status: { is_activated: true, is_resigned: false, is_frozen: false, ...u.status } })),
      )
    })

    app.get('/open-apis/contact/v3/users/:id', (c) => {
      if (c.req.query('user_id_type') !== 'open_id') return fail(c, 400, 40001, 'this fake looks users up by open_id only')
      const user = this.users.find((u) => u.open_id === c.req.param('id'))
      if (!user) return fail(c, 400, 41050, 'no user authority error')
      return c.json({ code: 0, msg: 'success', data: { user: { ...user, union_id: user.union_id ?? `on_${user.open_id.slice(3)}` } } })
    })

    app.post('/callback/ws/endpoint', async (c) => {
      if (!this.wsEndpoint) return c.json({ code: 1000040343, msg: 'long connection not enabled on this fake' })
      return c.json(this.wsEndpoint((await c.req.json().catch(() => ({}))) as { AppID?: string; AppSecret?: string }))
    })

    app.get('/open-apis/bot/v3/info', (c) => c.json({ code: 0, msg: 'ok', bot: { activate_status: 2, app_name: 'approval bot', open_id: this.botOpenId } }))

    app.post('/open-apis/authen/v2/oauth/token', async (c) => {
      const body = (await c.req.json().catch(() => ({}))) as { grant_type?: string; client_id?: string; client_secret?: string; code?: string }
      if (body.client_id !== this.appId || body.client_secret !== this.appSecret) {
        return c.json({ code: 20002, error: 'invalid_client', error_description: 'client_secret is invalid' }, 400)
      }
      const grant = body.code ? this.loginCodes.get(body.code) : undefined
      if (body.grant_type !== 'authorization_code' || !grant || grant.expiresAt < this.now()) {
        return c.json({ code: 20003, error: 'invalid_grant', error_description: 'the code is invalid, expired or used' }, 400)
      }
      this.loginCodes.delete(body.code!)
      const token = `u-${randomBytes(16).toString('hex')}`
      this.userTokens.set(token, grant.openId)
      return c.json({ code: 0, access_token: token, expires_in: 7200, refresh_token: `ur-${randomBytes(8).toString('hex')}`, refresh_token_expires_in: 604800, token_type: 'Bearer', scope: '' })
    })

    app.get('/open-apis/authen/v1/user_info', (c) => {
      const bearer = /^Bearer (u-\S+)$/.exec(c.req.header('authorization') ?? '')?.[1]
      const openId = bearer && this.userTokens.get(bearer)
      const user = openId && this.users.find((u) => u.open_id === openId)
      if (!user) return fail(c, 401, 99991668, 'Invalid access token for authorization.')
      return c.json({ code: 0, msg: 'success', data: { open_id: user.open_id, union_id: `on_${user.open_id.slice(3)}`, name: user.name, en_name: user.en_name ?? '', tenant_key: 'fake-tenant', email: user.email, enterprise_email: user.enterprise_email } })
    })
  }

  private directoryQueryProblem(c: Context): Response | undefined {
    if (c.req.query('department_id_type') !== 'open_department_id' || c.req.query('user_id_type') !== 'open_id') return fail(c, 400, 40001, 'this fake answers open_department_id / open_id only')
    const size = Number(c.req.query('page_size') ?? 10)
    if (!Number.isInteger(size) || size < 1 || size > 50) return fail(c, 400, 99992402, 'field validation failed: page_size must be 1..50')
    return undefined
  }

  /** One page of `items` and, when more follow, a token only valid for this same path and query. */
  private directoryPage(c: Context, items: object[]): Response {
    const size = Number(c.req.query('page_size') ?? 10)
    const query = `${c.req.path}?${c.req.query('department_id') ?? ''}&${c.req.query('fetch_child') ?? ''}`
    let offset = 0
    const token = c.req.query('page_token')
    if (token) {
      const issued = this.pageTokens.get(token)
      if (!issued || issued.query !== query) return fail(c, 400, 99992402, 'field validation failed: page_token invalid')
      offset = issued.offset
    }
    const page = items.slice(offset, offset + size)
    const hasMore = offset + size < items.length
    const data: { items: object[]; has_more: boolean; page_token?: string } = { items: page, has_more: hasMore }
    if (hasMore) {
      data.page_token = `pt_${randomBytes(12).toString('hex')}`
      this.pageTokens.set(data.page_token, { query, offset: offset + size })
    }
    return c.json({ code: 0, msg: 'success', data })
  }

  private contentProblem(msgType: string | undefined, content: string | undefined): { code: number; msg: string } | undefined {
    if (msgType !== 'text' && msgType !== 'interactive') return { code: 230001, msg: `unsupported msg_type ${msgType}` }
    if (typeof content !== 'string') return { code: 230001, msg: 'content must be a JSON string' }
    if (Buffer.byteLength(content) > MAX_CARD_BYTES) return { code: 230025, msg: 'The length of the message content reaches its limit.' }
    let parsed: unknown
    try {
      parsed = JSON.parse(content)
    } catch {
      return { code: 230001, msg: 'content is not valid JSON' }
    }
    if (msgType === 'text') return typeof (parsed as { text?: unknown }).text === 'string' ? undefined : { code: 230001, msg: 'text content needs "text"' }
    const problem = cardProblem(parsed)
    return problem ? { code: 230099, msg: `Failed to create card content: ${problem}` } : undefined
  }

  private createMessage(
    c: Context,
    body: { msg_type?: string; content?: string; uuid?: string },
    where: { to?: string; chat_id: string; reply_to?: string },
  ) {
    const problem = this.contentProblem(body.msg_type, body.content)
    if (problem) return fail(c, 400, problem.code, problem.msg)
    // Same uuid within an hour: the same message, not a second one (a retried send).
    const earlier = body.uuid ? this.uuids.get(body.uuid) : undefined
    if (earlier && this.now() - earlier.at < 60 * 60_000) return c.json({ code: 0, msg: 'success', data: { message_id: earlier.messageId } })
    const message: FakeMessage = {
      message_id: `om_${randomUUID().replace(/-/g, '')}`,
      ...where,
      msg_type: body.msg_type as FakeMessage['msg_type'],
      content: body.content!,
      sent_at: this.now(),
      patches: [],
      delayed_updates: [],
    }
    this.messages.push(message)
    if (body.uuid) this.uuids.set(body.uuid, { messageId: message.message_id, at: this.now() })
    return c.json({ code: 0, msg: 'success', data: { message_id: message.message_id, chat_id: message.chat_id, msg_type: message.msg_type, create_time: String(message.sent_at) } })
  }
}
