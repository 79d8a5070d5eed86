import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { acceptWebSocket, refuseUpgrade, type WebSocketPeer } from './websocket.js'

/**
 * A local DingTalk speaking the real wire protocols, for tests: both API hosts (one base URL
 * serves `DINGTALK_API_BASE` and `DINGTALK_OAPI_BASE`), the Stream gateway with a JSON WebSocket
 * that redelivers unacknowledged CALLBACK frames, robot send APIs, sessionWebhooks, interactive
 * cards, the contact API and H5 auth codes. It also plays the DingTalk client: people type, tap
 * card buttons and ActionCard buttons, and see what arrived in their chat.
 */

export interface FakeUser {
  userid: string
  name: string
  jobNumber?: string
  mobile?: string
  email?: string
  title?: string
  /** Departments the person is in; default the company root (1). */
  deptIds?: number[]
  /** Departments where the person is the 主管 (leader). */
  leaderOf?: number[]
}

/** A department of the organisation, as topapi/v2/department/listsub answers it. */
export interface FakeDepartment {
  deptId: number
  name: string
  /** 1 for the company root's children. */
  parentId: number
}

export interface FakeDingtalkOptions {
  clientId: string
  clientSecret: string
  users: FakeUser[]
  /** Card templates that exist in the fake card platform. */
  cardTemplates?: string[]
  /** How long an unacknowledged Stream frame waits before it is pushed again (real: ~16–60 s). */
  redeliverAfterMs?: number
  tokenTtlSeconds?: number
  /** The department tree under the root (1) for the contact API. */
  departments?: FakeDepartment[]
}

export type InboxItem =
  | { kind: 'text'; text: string; via: 'webhook' | 'robot' }
  | { kind: 'markdown'; title: string; text: string; via: 'webhook' | 'robot' }
  | { kind: 'actionCard'; title: string; text: string; buttons: { title: string; url: string }[]; via: 'webhook' | 'robot' }
  | { kind: 'card'; outTrackId: string; params: Record<string, string>; updates: number }

interface CardInstance {
  staffId: string
  templateId: string
  callbackType: 'STREAM' | 'HTTP'
  routeKey?: string
  item: Extract<InboxItem, { kind: 'card' }>
}

interface PendingFrame {
  topic: string
  text: string
  acked: boolean
  deliveries: number
  lastSentAt: number
  lastPeer?: StreamPeer
}

interface StreamPeer {
  socket: WebSocketPeer
  topics: Set<string>
}

const TOPIC_ROBOT = '/v1.0/im/bot/messages/get'
const TOPIC_CARD = '/v1.0/card/instances/callback'
const CORP_ID = 'dingfakecorp0001'

export class FakeDingtalk {
  readonly url: string
  /** Every API call as "METHOD /path", in order. */
  readonly calls: string[] = []
  tokensIssued = 0
  gatewayOpens = 0
  /** Where the robot's outgoing callback goes in HTTP mode (set in the fake "console"). */
  robotCallbackUrl?: string
  /** How people's lines reach the app: the Stream connection, or HTTP callbacks. */
  transport: 'stream' | 'http' = 'stream'

  private readonly tokens = new Map<string, number>()
  /** Cursors handed out by topapi/v2/user/list: where the next page of which department starts. */
  private readonly cursors = new Map<number, { dept: number; offset: number }>()
  private readonly inboxes = new Map<string, InboxItem[]>()
  private readonly cards = new Map<string, CardInstance>()
  private readonly cardRoutes = new Map<string, { url: string; apiSecret: string }>()
  private readonly sessions = new Map<string, { staffId: string; expiresAt: number }>()
  private readonly authCodes = new Map<string, string>()
  private readonly throttles = new Map<string, number>()
  /** Files people sent the robot, by downloadCode. */
  private readonly files = new Map<string, Uint8Array>()
  private readonly tickets = new Map<string, Set<string>>()
  private readonly peers = new Set<StreamPeer>()
  private readonly frames = new Map<string, PendingFrame>()
  private readonly redeliverTimer: ReturnType<typeof setInterval>
  private ignoreAcks = false
  private dropOnNextAck = false
  private nextPeer = 0

  private constructor(
    private readonly server: Server,
    private readonly options: FakeDingtalkOptions,
  ) {
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    this.redeliverTimer = setInterval(() => this.redeliver(), 20)
  }

  static async start(options: FakeDingtalkOptions): Promise<FakeDingtalk> {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const fake = new FakeDingtalk(server, options)
    server.on('request', (req, res) => void fake.handle(req, res))
    server.on('upgrade', (req, socket) => fake.upgrade(req, socket))
    return fake
  }

  async close(): Promise<void> {
    clearInterval(this.redeliverTimer)
    for (const peer of this.peers) peer.socket.terminate()
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  // ── what people see ───────────────────────────────────────────────────────────────────────────

  inbox(staffId: string): InboxItem[] {
    return this.inboxes.get(staffId) ?? []
  }

  texts(staffId: string): string[] {
    return this.inbox(staffId).flatMap((item) => (item.kind === 'text' ? [item.text] : []))
  }

  /** Interactive cards in this person's chat, each in its latest state. */
  cardsOf(staffId: string): Extract<InboxItem, { kind: 'card' }>[] {
    return this.inbox(staffId).flatMap((item) => (item.kind === 'card' ? [item] : []))
  }

  actionCardsOf(staffId: string): Extract<InboxItem, { kind: 'actionCard' }>[] {
    return this.inbox(staffId).flatMap((item) => (item.kind === 'actionCard' ? [item] : []))
  }

  // ── what people do ────────────────────────────────────────────────────────────────────────────

  /** A person types to the robot (1:1 by default). Returns the message id, and the HTTP answer in HTTP mode. */
  async say(staffId: string, text: string, options: { group?: boolean; msgId?: string; sessionTtlMs?: number } = {}): Promise<{ msgId: string; status?: number }> {
    const message = this.robotMessage(staffId, text, options)
    if (this.transport === 'stream') {
      this.push(TOPIC_ROBOT, message)
      return { msgId: message.msgId }
    }
    const response = await this.postRobotCallback(message)
    return { msgId: message.msgId, status: response.status }
  }

  /** A person sends the robot a file, or a picture: the message carries only a downloadCode. */
  async sendFile(staffId: string, file: { name: string; bytes: Uint8Array; picture?: boolean }): Promise<{ msgId: string; status?: number }> {
    const downloadCode = `dl${randomUUID().replaceAll('-', '')}`
    this.files.set(downloadCode, file.bytes)
    const { text: _text, ...base } = this.robotMessage(staffId, '')
    const message = file.picture
      ? { ...base, msgtype: 'picture', content: { downloadCode, pictureDownloadCode: downloadCode } }
      : { ...base, msgtype: 'file', content: { downloadCode, fileName: file.name, fileId: randomUUID(), spaceId: '1234' } }
    if (this.transport === 'stream') {
      this.push(TOPIC_ROBOT, message)
      return { msgId: message.msgId }
    }
    const response = await this.postRobotCallback(message)
    return { msgId: message.msgId, status: response.status }
  }

  /** The robot message DingTalk would send for this line (also for replaying it by hand). */
  robotMessage(staffId: string, text: string, options: { group?: boolean; msgId?: string; sessionTtlMs?: number } = {}) {
    const user = this.user(staffId)
    const session = randomUUID()
    const now = Date.now()
    const expiresAt = now + (options.sessionTtlMs ?? 90 * 60_000)
    this.sessions.set(session, { staffId, expiresAt })
    return {
      msgtype: 'text',
      text: { content: ` ${text}` },
      msgId: options.msgId ?? `msg${randomUUID().replaceAll('-', '')}`,
      createAt: now,
      conversationType: options.group ? '2' : '1',
      conversationId: options.group ? 'cidgroup0001' : `cid${staffId}`,
      senderId: `$:LWCP_v1:$${staffId}`,
      senderStaffId: staffId,
      senderNick: user.name,
      senderCorpId: CORP_ID,
      isAdmin: false,
      chatbotCorpId: CORP_ID,
      chatbotUserId: '$:LWCP_v1:$robot',
      robotCode: this.options.clientId,
      isInAtList: true,
      atUsers: [],
      sessionWebhook: `${this.url}/robot/sendBySession?session=${session}`,
      sessionWebhookExpiredTime: expiresAt,
    }
  }

  /** Signs and posts a robot message to the HTTP callback URL, as DingTalk's robot does. */
  async postRobotCallback(message: unknown, sign: { timestamp?: number; secret?: string } = {}): Promise<Response> {
    if (!this.robotCallbackUrl) throw new Error('fake: robotCallbackUrl not set')
    const timestamp = String(sign.timestamp ?? Date.now())
    const secret = sign.secret ?? this.options.clientSecret
    const signature = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64')
    return fetch(this.robotCallbackUrl, { method: 'POST', headers: { 'content-type': 'application/json', timestamp, sign: signature }, body: JSON.stringify(message) })
  }

  /** A tap on a button of an interactive card in this person's chat. */
  async tapCard(staffId: string, outTrackId: string, actionId: string, comment?: string): Promise<void> {
    const card = this.cards.get(outTrackId)
    if (!card || card.staffId !== staffId) throw new Error(`fake: ${staffId} has no card ${outTrackId}`)
    const shown = (JSON.parse(card.item.params.actions ?? '[]') as { id: string }[]).map((a) => a.id)
    if (!shown.includes(actionId)) throw new Error(`fake: card ${outTrackId} shows no ${actionId} button (has ${shown.join(',') || 'none'})`)
    // As a template whose buttons send the card's actsOn back as `task` (README, DingTalk cards).
    const payload = this.cardCallback(staffId, outTrackId, actionId, comment, card.item.params.actsOn || undefined)
    if (card.callbackType === 'STREAM') {
      this.push(TOPIC_CARD, payload)
      return
    }
    const route = card.routeKey ? this.cardRoutes.get(card.routeKey) : undefined
    if (!route) throw new Error(`fake: no card callback registered for route ${card.routeKey}`)
    const response = await this.postCardCallback(route.url, payload, route.apiSecret)
    if (response.status !== 200) throw new Error(`fake: card callback answered ${response.status}: ${await response.text()}`)
  }

  cardCallback(staffId: string, outTrackId: string, actionId: string, comment?: string, task?: string) {
    const content = JSON.stringify({ cardPrivateData: { actionIds: [actionId], params: { action: actionId, ...(comment ? { comment } : {}), ...(task ? { task } : {}) } } })
    return { type: 'actionCallback', outTrackId, corpId: CORP_ID, userId: staffId, extension: '{}', content, value: content }
  }

  async postCardCallback(url: string, payload: unknown, apiSecret: string, timestamp = Date.now()): Promise<Response> {
    const signature = createHmac('sha256', apiSecret).update(String(timestamp)).digest('base64')
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-ddpaas-signature-timestamp': String(timestamp), 'x-ddpaas-signature': signature },
      body: JSON.stringify(payload),
    })
  }

  /** A tap on an ActionCard button: the client sends the button's text as the person. */
  async tapActionCardButton(staffId: string, buttonTitle: string): Promise<{ msgId: string; status?: number }> {
    const card = this.actionCardsOf(staffId).findLast((c) => c.buttons.some((b) => b.title === buttonTitle))
    const button = card?.buttons.find((b) => b.title === buttonTitle)
    if (!button) throw new Error(`fake: ${staffId} has no ActionCard button ${buttonTitle}`)
    const url = new URL(button.url)
    if (url.protocol !== 'dtmd:' || url.host !== 'dingtalkclient' || url.pathname !== '/sendMessage') throw new Error(`fake: button is not a sendMessage link: ${button.url}`)
    return this.say(staffId, url.searchParams.get('content') ?? '')
  }

  /** An event-subscription push, encrypted the DingCallbackCrypto way; returns the decrypted answer. */
  async postEvent(url: string, event: unknown, keys: { token: string; aesKey: string; ownerKey: string }): Promise<{ status: number; answer?: string }> {
    const timestamp = String(Date.now())
    const nonce = randomBytes(4).toString('hex')
    const encrypt = eventEncrypt(JSON.stringify(event), keys)
    const signature = eventSignature(keys.token, timestamp, nonce, encrypt)
    const response = await fetch(`${url}?msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ encrypt }),
    })
    if (response.status !== 200) return { status: response.status }
    const reply = (await response.json()) as { msg_signature: string; timeStamp: string; nonce: string; encrypt: string }
    if (eventSignature(keys.token, reply.timeStamp, reply.nonce, reply.encrypt) !== reply.msg_signature) throw new Error('fake: reply signature does not verify')
    return { status: 200, answer: eventDecrypt(reply.encrypt, keys) }
  }

  /** A one-time H5 login code, as `dd.requestAuthCode` would hand the page. */
  issueAuthCode(staffId: string): string {
    const code = randomUUID().replaceAll('-', '')
    this.authCodes.set(code, staffId)
    return code
  }

  // ── faults ────────────────────────────────────────────────────────────────────────────────────

  /** The next `times` calls to `path` are rate-limited. */
  throttle(path: string, times: number): void {
    this.throttles.set(path, times)
  }

  /** Revokes every issued token (a rotated secret, a server-side expiry). */
  revokeTokens(): void {
    this.tokens.clear()
  }

  /** Acks are not received (slow client, lossy network): frames are pushed again and again. */
  setIgnoreAcks(ignore: boolean): void {
    this.ignoreAcks = ignore
  }

  /** The next ack never arrives: the connection dies just as it is sent. */
  dropConnectionOnNextAck(): void {
    this.dropOnNextAck = true
  }

  dropConnections(): void {
    for (const peer of this.peers) peer.socket.terminate()
  }

  get openConnections(): number {
    return this.peers.size
  }

  deliveries(msgIdOrMessageId: string): number {
    return [...this.frames.entries()].find(([id, f]) => id === msgIdOrMessageId || f.text.includes(msgIdOrMessageId))?.[1].deliveries ?? 0
  }

  /** No frame waits for an ack. */
  get settled(): boolean {
    return [...this.frames.values()].every((f) => f.acked)
  }

  // ── Stream gateway ────────────────────────────────────────────────────────────────────────────

  private push(topic: string, data: unknown): string {
    const messageId = randomUUID()
    const frame = {
      specVersion: '1.0',
      type: 'CALLBACK',
      headers: { appId: this.options.clientId, connectionId: 'fake', contentType: 'application/json', messageId, time: String(Date.now()), topic },
      data: JSON.stringify(data),
    }
    this.frames.set(messageId, { topic, text: JSON.stringify(frame), acked: false, deliveries: 0, lastSentAt: 0 })
    this.send(messageId)
    return messageId
  }

  private send(messageId: string): void {
    const pending = this.frames.get(messageId)
    if (!pending || pending.acked) return
    const candidates = [...this.peers].filter((p) => p.socket.open && p.topics.has(pending.topic))
    if (candidates.length === 0) return
    // Each message goes to one of the app's connections.
    const peer = candidates[this.nextPeer++ % candidates.length]!
    pending.deliveries++
    pending.lastSentAt = Date.now()
    pending.lastPeer = peer
    peer.socket.send(pending.text)
  }

  private redeliver(): void {
    const wait = this.options.redeliverAfterMs ?? 200
    for (const [messageId, pending] of this.frames) {
      const lost = pending.lastPeer !== undefined && !this.peers.has(pending.lastPeer)
      if (!pending.acked && (pending.deliveries === 0 || lost || Date.now() - pending.lastSentAt >= wait)) this.send(messageId)
    }
  }

  private upgrade(request: IncomingMessage, socket: import('node:stream').Duplex): void {
    const url = new URL(request.url ?? '/', this.url)
    const topics = url.pathname === '/gateway/connect' ? this.tickets.get(url.searchParams.get('ticket') ?? '') : undefined
    if (!topics) return refuseUpgrade(socket, 401, 'Unauthorized')
    this.tickets.delete(url.searchParams.get('ticket')!)
    const peer: StreamPeer = { socket: acceptWebSocket(request, socket), topics }
    this.peers.add(peer)
    peer.socket.on('close', () => this.peers.delete(peer))
    peer.socket.on('message', (text) => this.onClientFrame(peer, text))
    // The gateway pings; the SDK must echo.
    peer.socket.send(JSON.stringify({ specVersion: '1.0', type: 'SYSTEM', headers: { messageId: randomUUID(), topic: 'ping', contentType: 'application/json', time: String(Date.now()) }, data: '{"opaque":"fake"}' }))
    for (const [messageId, pending] of this.frames) if (!pending.acked && (pending.deliveries === 0 || !this.peers.has(pending.lastPeer!))) this.send(messageId)
  }

  private onClientFrame(peer: StreamPeer, text: string): void {
    let ack: { code?: number; headers?: { messageId?: string } }
    try {
      ack = JSON.parse(text) as typeof ack
    } catch {
      return
    }
    const pending = ack.headers?.messageId ? this.frames.get(ack.headers.messageId) : undefined
    if (!pending || ack.code !== 200 || this.ignoreAcks) return
    if (this.dropOnNextAck) {
      this.dropOnNextAck = false
      peer.socket.terminate()
      return
    }
    pending.acked = true
  }

  // ── HTTP APIs ─────────────────────────────────────────────────────────────────────────────────

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url)
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks).toString('utf8')
    const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>
    const route = `${req.method} ${url.pathname}`
    this.calls.push(route)
    const reply = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(json))
    }
    const oapi = url.pathname.startsWith('/topapi/')

    const throttled = this.throttles.get(url.pathname) ?? 0
    if (throttled > 0) {
      this.throttles.set(url.pathname, throttled - 1)
      return oapi ? reply(200, { errcode: 90018, errmsg: '当前请求被限流' }) : reply(429, { code: 'Forbidden.AccessDenied.QpsLimitForApi', message: 'qps limit' })
    }

    // A download URL is pre-signed: no token, just the code it was issued for.
    const file = req.method === 'GET' && url.pathname.startsWith('/files/') ? this.files.get(url.pathname.slice('/files/'.length)) : undefined
    if (req.method === 'GET' && url.pathname.startsWith('/files/')) {
      if (!file) return reply(404, { code: 'notFound', message: 'file not found' })
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(file.byteLength) })
      res.end(Buffer.from(file))
      return
    }

    switch (route) {
      case 'POST /v1.0/oauth2/accessToken':
        if (body.appKey !== this.options.clientId || body.appSecret !== this.options.clientSecret) return reply(400, { code: 'invalidClientIdOrSecret', message: '无效的clientId或clientSecret' })
        return reply(200, { accessToken: this.issueToken(), expireIn: this.options.tokenTtlSeconds ?? 7200 })
      case 'GET /gettoken':
        if (url.searchParams.get('appkey') !== this.options.clientId || url.searchParams.get('appsecret') !== this.options.clientSecret) return reply(200, { errcode: 40089, errmsg: '不合法的corpid或corpsecret' })
        return reply(200, { errcode: 0, errmsg: 'ok', access_token: this.issueToken(), expires_in: this.options.tokenTtlSeconds ?? 7200 })
      case 'POST /v1.0/gateway/connections/open': {
        if (req.headers.accept !== 'application/json') return reply(406, { code: 'notAcceptable', message: 'XML only without Accept: application/json' })
        if (body.clientId !== this.options.clientId || body.clientSecret !== this.options.clientSecret) return reply(401, { code: 'invalidClientIdOrSecret', message: 'bad credentials' })
        const subscriptions = (body.subscriptions ?? []) as { type: string; topic: string }[]
        const ticket = randomUUID()
        this.tickets.set(ticket, new Set(subscriptions.filter((s) => s.type === 'CALLBACK').map((s) => s.topic)))
        this.gatewayOpens++
        return reply(200, { endpoint: `${this.url.replace('http', 'ws')}/gateway/connect`, ticket })
      }
      case 'POST /robot/sendBySession': {
        const session = this.sessions.get(url.searchParams.get('session') ?? '')
        if (!session || session.expiresAt < Date.now()) return reply(200, { errcode: 300001, errmsg: 'session 不存在或已过期' })
        this.receive(session.staffId, webhookItem(body))
        return reply(200, { errcode: 0, errmsg: 'ok' })
      }
    }

    if (oapi) {
      if (!this.tokenValid(url.searchParams.get('access_token'))) return reply(200, { errcode: 40014, errmsg: '不合法的access_token' })
      return reply(200, this.topapi(url.pathname, body))
    }
    if (!this.tokenValid(req.headers['x-acs-dingtalk-access-token'] as string | undefined)) return reply(401, { code: 'InvalidAuthentication', message: '不合法的access_token' })
    const [status, json] = this.openApi(route, body)
    return reply(status, json)
  }

  private topapi(path: string, body: Record<string, unknown>): unknown {
    switch (path) {
      case '/topapi/v2/user/get': {
        const user = this.options.users.find((u) => u.userid === body.userid)
        if (!user) return { errcode: 60121, errmsg: '找不到该用户' }
        return { errcode: 0, errmsg: 'ok', result: { userid: user.userid, unionid: `union-${user.userid}`, name: user.name, job_number: user.jobNumber ?? '', mobile: user.mobile ?? '', email: user.email ?? '', active: true } }
      }
      case '/topapi/v2/user/getbymobile': {
        const user = this.options.users.find((u) => u.mobile && u.mobile === body.mobile)
        return user ? { errcode: 0, errmsg: 'ok', result: { userid: user.userid } } : { errcode: 60121, errmsg: '找不到该用户' }
      }
      case '/topapi/v2/user/getuserinfo': {
        const staffId = this.authCodes.get(String(body.code))
        if (!staffId) return { errcode: 40078, errmsg: '不存在的临时授权码' }
        this.authCodes.delete(String(body.code))
        const user = this.user(staffId)
        return { errcode: 0, errmsg: 'ok', result: { userid: user.userid, unionid: `union-${user.userid}`, name: user.name, device_id: 'fake', sys: false, sys_level: 0 } }
      }
      case '/topapi/v2/department/listsub': {
        const departments = this.options.departments ?? []
        const parent = Number(body.dept_id ?? 1)
        if (parent !== 1 && !departments.some((d) => d.deptId === parent)) return { errcode: 60003, errmsg: '部门不存在' }
        return { errcode: 0, errmsg: 'ok', result: departments.filter((d) => d.parentId === parent).map((d) => ({ dept_id: d.deptId, name: d.name, parent_id: d.parentId, create_dept_group: false, auto_add_user: false })) }
      }
      case '/topapi/v2/user/list': {
        const dept = Number(body.dept_id)
        const size = Number(body.size)
        const cursor = Number(body.cursor)
        if (!Number.isInteger(size) || size < 1 || size > 100 || !Number.isInteger(cursor)) return { errcode: 40035, errmsg: '不合法的参数: size 1..100, cursor' }
        if (dept !== 1 && !(this.options.departments ?? []).some((d) => d.deptId === dept)) return { errcode: 60003, errmsg: '部门不存在' }
        // A cursor is only good if this fake handed it out for this department.
        if (cursor !== 0 && this.cursors.get(cursor)?.dept !== dept) return { errcode: 40035, errmsg: '不合法的参数: cursor' }
        const members = this.options.users.filter((u) => (u.deptIds ?? [1]).includes(dept))
        const offset = cursor === 0 ? 0 : this.cursors.get(cursor)!.offset
        const hasMore = offset + size < members.length
        let next: number | undefined
        if (hasMore) {
          next = 1_000_000 + this.cursors.size * 7 + offset
          this.cursors.set(next, { dept, offset: offset + size })
        }
        const list = members.slice(offset, offset + size).map((u) => ({
          userid: u.userid,
          unionid: `union-${u.userid}`,
          name: u.name,
          mobile: u.mobile ?? '',
          job_number: u.jobNumber ?? '',
          title: u.title ?? '',
          email: u.email ?? '',
          org_email: '',
          dept_id_list: u.deptIds ?? [1],
          active: true,
          admin: false,
          boss: false,
          leader: (u.leaderOf ?? []).includes(dept),
        }))
        return { errcode: 0, errmsg: 'ok', result: { has_more: hasMore, next_cursor: next, list } }
      }
      default:
        return { errcode: 404, errmsg: `请求的URI地址不存在: ${path}` }
    }
  }

  private openApi(route: string, body: Record<string, unknown>): [number, unknown] {
    switch (route) {
      case 'POST /v1.0/robot/messageFiles/download': {
        if (body.robotCode !== this.options.clientId) return [400, { code: 'invalidParameter.robotCode', message: 'robot 不存在' }]
        const code = String(body.downloadCode)
        if (!this.files.has(code)) return [400, { code: 'invalidParameter.downloadCode', message: 'downloadCode 无效或已过期' }]
        return [200, { downloadUrl: `${this.url}/files/${code}` }]
      }
      case 'POST /v1.0/robot/oToMessages/batchSend': {
        if (body.robotCode !== this.options.clientId) return [400, { code: 'invalidParameter.robotCode', message: 'robot 不存在' }]
        const userIds = (body.userIds ?? []) as string[]
        const invalid = userIds.filter((id) => !this.options.users.some((u) => u.userid === id))
        const item = robotItem(String(body.msgKey), JSON.parse(String(body.msgParam)) as Record<string, string>)
        for (const id of userIds) if (!invalid.includes(id)) this.receive(id, item)
        return [200, { processQueryKey: randomUUID(), invalidStaffIdList: invalid, flowControlledStaffIdList: [] }]
      }
      case 'POST /v1.0/card/instances/createAndDeliver': {
        const templateId = String(body.cardTemplateId)
        if (!(this.options.cardTemplates ?? []).includes(templateId)) return [400, { code: 'param.cardTemplateIdInvalid', message: `模板不存在: ${templateId}` }]
        const outTrackId = String(body.outTrackId)
        if (this.cards.has(outTrackId)) return [400, { code: 'param.outTrackIdDuplicated', message: 'outTrackId 重复' }]
        const deliver = body.imRobotOpenDeliverModel as { spaceType?: string; robotCode?: string } | undefined
        if (deliver?.robotCode !== this.options.clientId) return [400, { code: 'invalidParameter.robotCode', message: 'robot 不存在' }]
        const match = /^dtv1\.card\/\/IM_ROBOT\.(.+)$/.exec(String(body.openSpaceId))
        const staffId = match?.[1]
        const params = ((body.cardData as { cardParamMap?: Record<string, string> } | undefined)?.cardParamMap ?? {}) as Record<string, string>
        const nonString = Object.entries(params).find(([, v]) => typeof v !== 'string')
        if (nonString) return [400, { code: 'param.cardParamMapInvalid', message: `cardParamMap.${nonString[0]} 必须是字符串` }]
        if (!staffId || !this.options.users.some((u) => u.userid === staffId)) {
          return [200, { success: true, result: { outTrackId, deliverResults: [{ spaceType: 'IM_ROBOT', spaceId: staffId ?? '', success: false, errorMsg: 'user not found' }] } }]
        }
        const callbackType = body.callbackType === 'HTTP' ? 'HTTP' : 'STREAM'
        const item = { kind: 'card' as const, outTrackId, params: { ...params }, updates: 0 }
        this.cards.set(outTrackId, { staffId, templateId, callbackType, routeKey: body.callbackRouteKey as string | undefined, item })
        this.receive(staffId, item)
        return [200, { success: true, result: { outTrackId, deliverResults: [{ spaceType: 'IM_ROBOT', spaceId: staffId, success: true, carrierId: randomUUID() }] } }]
      }
      case 'PUT /v1.0/card/instances': {
        const card = this.cards.get(String(body.outTrackId))
        if (!card) return [400, { code: 'param.outTrackIdNotExist', message: '卡片不存在' }]
        const params = (body.cardData as { cardParamMap?: Record<string, string> } | undefined)?.cardParamMap ?? {}
        const byKey = (body.cardUpdateOptions as { updateCardDataByKey?: boolean } | undefined)?.updateCardDataByKey === true
        card.item.params = byKey ? { ...card.item.params, ...params } : { ...params }
        card.item.updates++
        return [200, { success: true, result: true }]
      }
      case 'POST /v1.0/card/callbacks/register': {
        this.cardRoutes.set(String(body.callbackRouteKey), { url: String(body.callbackUrl), apiSecret: String(body.apiSecret) })
        return [200, { success: true, result: { callbackUrl: body.callbackUrl, apiSecret: body.apiSecret } }]
      }
      default:
        return [404, { code: 'NotFound', message: `no such API: ${route}` }]
    }
  }

  private issueToken(): string {
    const token = `fake-token-${randomUUID()}`
    this.tokens.set(token, Date.now() + (this.options.tokenTtlSeconds ?? 7200) * 1000)
    this.tokensIssued++
    return token
  }

  private tokenValid(token: string | null | undefined): boolean {
    const expiresAt = token ? this.tokens.get(token) : undefined
    return expiresAt !== undefined && expiresAt > Date.now()
  }

  private receive(staffId: string, item: InboxItem): void {
    const inbox = this.inboxes.get(staffId) ?? []
    inbox.push(item)
    this.inboxes.set(staffId, inbox)
  }

  private user(staffId: string): FakeUser {
    const user = this.options.users.find((u) => u.userid === staffId)
    if (!user) throw new Error(`fake: no DingTalk user ${staffId}`)
    return user
  }
}

function webhookItem(body: Record<string, unknown>): InboxItem {
  switch (body.msgtype) {
    case 'text':
      return { kind: 'text', text: String((body.text as { content?: string }).content), via: 'webhook' }
    case 'markdown': {
      const md = body.markdown as { title: string; text: string }
      return { kind: 'markdown', title: md.title, text: md.text, via: 'webhook' }
    }
    case 'actionCard': {
      const card = body.actionCard as { title: string; text: string; singleTitle?: string; singleURL?: string; btns?: { title: string; actionURL: string }[] }
      const buttons = card.btns?.map((b) => ({ title: b.title, url: b.actionURL })) ?? (card.singleTitle ? [{ title: card.singleTitle, url: card.singleURL ?? '' }] : [])
      return { kind: 'actionCard', title: card.title, text: card.text, buttons, via: 'webhook' }
    }
    default:
      throw new Error(`fake: unsupported webhook msgtype ${String(body.msgtype)}`)
  }
}

function robotItem(msgKey: string, param: Record<string, string>): InboxItem {
  if (msgKey === 'sampleText') return { kind: 'text', text: param.content ?? '', via: 'robot' }
  if (msgKey === 'sampleMarkdown') return { kind: 'markdown', title: param.title ?? '', text: param.text ?? '', via: 'robot' }
  if (msgKey === 'sampleActionCard') return { kind: 'actionCard', title: param.title ?? '', text: param.text ?? '', buttons: [{ title: param.singleTitle ?? '', url: param.singleURL ?? '' }], via: 'robot' }
  const count = /^sampleActionCard([2-5])$/.exec(msgKey)?.[1]
  if (!count) throw new Error(`fake: unsupported msgKey ${msgKey}`)
  const buttons = Array.from({ length: Number(count) }, (_, i) => ({ title: param[`actionTitle${i + 1}`] ?? '', url: param[`actionURL${i + 1}`] ?? '' }))
  return { kind: 'actionCard', title: param.title ?? '', text: param.text ?? '', buttons, via: 'robot' }
}

// DingTalk's side of the event envelope, written from the protocol description (not our code).
function eventSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypt].sort().join('')).digest('hex')
}

function eventEncrypt(message: string, keys: { aesKey: string; ownerKey: string }): string {
  const key = Buffer.from(`${keys.aesKey}=`, 'base64')
  const msg = Buffer.from(message)
  const plain = Buffer.concat([randomBytes(16), Buffer.from([msg.length >>> 24, (msg.length >>> 16) & 255, (msg.length >>> 8) & 255, msg.length & 255]), msg, Buffer.from(keys.ownerKey)])
  const pad = 32 - (plain.length % 32)
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false)
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64')
}

function eventDecrypt(encrypt: string, keys: { aesKey: string; ownerKey: string }): string {
  const key = Buffer.from(`${keys.aesKey}=`, 'base64')
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false)
  const plain = Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()])
  const body = plain.subarray(0, plain.length - plain[plain.length - 1]!)
  const length = body.readUInt32BE(16)
  if (body.subarray(20 + length).toString() !== keys.ownerKey) throw new Error('fake: reply for another owner key')
  return body.subarray(20, 20 + length).toString()
}
