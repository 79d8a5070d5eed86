import { DWClient, EventAck, TOPIC_CARD, TOPIC_ROBOT, type DWClientDownStream } from 'dingtalk-stream'
import type { Conversation } from '../../conversation/conversation.js'
import type { CardCallback, DingtalkInbound, RobotMessage } from './dingtalk-inbound.js'

export interface DingtalkStreamOptions {
  clientId: string
  clientSecret: string
  /** `DINGTALK_API_BASE`: the gateway is `${apiBase}/v1.0/gateway/connections/open`. */
  apiBase: string
  inbound: DingtalkInbound
  log: (message: string) => void
  /** WebSocket pings every 8 s; a silent connection is dropped and reopened. */
  keepAlive?: boolean
}

/** The SDK reconnects one second after a drop; after failed attempts we wait longer, up to 30 s. */
const FIRST_RETRY_MS = 1_000
const LAST_RETRY_MS = 30_000

/**
 * The SDK's gateway URL is a module constant and it overwrites `config.endpoint`, so the only
 * way to reach DINGTALK_API_BASE (a proxy, or a fake in tests) is to open the connection here.
 */
class GatewayClient extends DWClient {
  private failing = false
  private stopped = false

  constructor(
    options: { clientId: string; clientSecret: string; keepAlive: boolean },
    private readonly gatewayUrl: string,
    private readonly log: (message: string) => void,
  ) {
    super(options)
  }

  /** The SDK's reconnect timer would otherwise reopen a connection after `disconnect()`. */
  override async connect(): Promise<void> {
    if (!this.stopped) await super.connect()
  }

  override disconnect(): void {
    this.stopped = true
    super.disconnect()
  }

  /** The SDK starts a new keep-alive timer per connection without stopping the old one. */
  override _connect(): Promise<void> {
    clearInterval(this.sdk.heartbeatIntervallId)
    return super._connect()
  }

  /** SDK fields that are private in its typings. */
  private get sdk(): { heartbeatIntervallId?: ReturnType<typeof setInterval>; reconnectInterval: number; dw_url?: string } {
    return this as unknown as { heartbeatIntervallId?: ReturnType<typeof setInterval>; reconnectInterval: number; dw_url?: string }
  }

  override async getEndpoint(): Promise<this> {
    try {
      const response = await fetch(this.gatewayUrl, {
        method: 'POST',
        // Without Accept the gateway answers in XML.
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ clientId: this.config.clientId, clientSecret: this.config.clientSecret, ua: this.config.ua ?? '', subscriptions: this.config.subscriptions }),
      })
      const body = (await response.json().catch(() => ({}))) as { endpoint?: string; ticket?: string; code?: string; message?: string }
      if (!response.ok || !body.endpoint || !body.ticket) {
        throw new Error(`钉钉 Stream 网关拒绝连接 / gateway refused: ${response.status} ${body.code ?? ''} ${body.message ?? ''}`)
      }
      this.sdk.dw_url = `${body.endpoint}?ticket=${encodeURIComponent(body.ticket)}`
      if (this.failing) this.log('dingtalk: stream gateway reachable again')
      this.failing = false
      this.sdk.reconnectInterval = FIRST_RETRY_MS
      return this
    } catch (error) {
      // Say so once per outage, and retry less and less often (the SDK would every second).
      if (!this.failing) this.log(`dingtalk: cannot open the stream (retrying): ${error instanceof Error ? error.message : String(error)}`)
      this.failing = true
      this.sdk.reconnectInterval = Math.min(this.sdk.reconnectInterval * 2, LAST_RETRY_MS)
      throw error
    }
  }
}

/**
 * DingTalk Stream mode: one WebSocket per instance, no public URL. CALLBACK frames are
 * acknowledged by us as soon as their id is recorded (the SDK does not ack them; DingTalk
 * redelivers unacknowledged frames), then processed in the background.
 */
export class DingtalkStream {
  private readonly client: GatewayClient

  constructor(private readonly options: DingtalkStreamOptions) {
    this.client = new GatewayClient(
      { clientId: options.clientId, clientSecret: options.clientSecret, keepAlive: options.keepAlive ?? true },
      `${options.apiBase}/v1.0/gateway/connections/open`,
      options.log,
    )
  }

  async start(conversation: Conversation): Promise<void> {
    this.client
      .registerCallbackListener(TOPIC_ROBOT, (frame) => void this.onFrame(frame, (data) => this.options.inbound.acceptRobotMessage(data as RobotMessage, conversation)))
      .registerCallbackListener(TOPIC_CARD, (frame) =>
        void this.onFrame(frame, (data) => this.options.inbound.acceptCardCallback(data as CardCallback, frame.headers.messageId, conversation)),
      )
      // EVENT frames (org changes etc.) are acknowledged by the SDK with what this returns.
      .registerAllEventListener(() => ({ status: EventAck.SUCCESS }))
    // Resolves after the first attempt; the SDK keeps reconnecting in the background.
    await this.client.connect()
  }

  get connected(): boolean {
    return this.client.connected
  }

  async stop(): Promise<void> {
    this.client.disconnect()
  }

  private async onFrame(frame: DWClientDownStream, accept: (data: unknown) => Promise<boolean>): Promise<void> {
    const { messageId, topic } = frame.headers
    let data: unknown
    try {
      data = JSON.parse(frame.data)
    } catch {
      this.options.log(`dingtalk: unreadable ${topic} frame ${messageId} acknowledged and dropped`)
      this.client.socketCallBackResponse(messageId, {})
      return
    }
    try {
      await accept(data)
    } catch (error) {
      // Not recorded, so not acknowledged: DingTalk will push it again.
      this.options.log(`dingtalk: could not record ${topic} frame ${messageId}: ${error instanceof Error ? error.message : String(error)}`)
      return
    }
    this.client.socketCallBackResponse(messageId, {})
  }
}
