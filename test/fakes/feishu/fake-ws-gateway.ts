import { randomBytes } from 'node:crypto'
import type { FakeFeishuOpenPlatform } from './fake-open-platform.js'
import { acceptWebSockets, type MiniSocket } from './mini-websocket.js'
import { decodeFrame, encodeFrame, type Frame } from './pbbp2.js'

const SERVICE_ID = 33
const CLIENT_CONFIG = { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 120, ReconnectNonce: 30 }

export interface WsAck {
  /** 200, or 500 when the client's handler threw. */
  code: number
  /** The handler's result (e.g. a card callback's toast + card), decoded from base64 JSON. */
  answer: unknown
  ms: number
}

/**
 * Feishu's long-connection gateway on the fake open platform: `POST /callback/ws/endpoint` hands
 * out a ws:// URL, the socket speaks pbbp2 frames (ping → pong with ClientConfig; events as data
 * frames the client ACKs with the same message_id and a JSON payload).
 */
export class FakeWsGateway {
  private readonly sockets = new Set<MiniSocket>()
  private readonly waiting = new Map<string, (frame: Frame) => void>()
  private readonly connectWaiters: (() => void)[] = []
  private seq = 0
  pings = 0

  constructor(platform: FakeFeishuOpenPlatform) {
    platform.onClose(() => this.close())
    platform.wsEndpoint = (body) => {
      if (body.AppID !== platform.appId || body.AppSecret !== platform.appSecret) return { code: 514, msg: 'auth failed' }
      return { code: 0, msg: 'ok', data: { URL: `${platform.url.replace(/^http/, 'ws')}/ws?device_id=dev-${randomBytes(4).toString('hex')}&service_id=${SERVICE_ID}`, ClientConfig: CLIENT_CONFIG } }
    }
    acceptWebSockets(platform.httpServer, '/ws', {
      open: (socket) => this.sockets.add(socket),
      close: (socket) => this.sockets.delete(socket),
      message: (data, socket) => this.receive(data, socket),
    })
  }

  get connections(): number {
    return this.sockets.size
  }

  /** Resolves once a client is connected and listening (its first ping comes after it attached its handlers). */
  connected(): Promise<void> {
    return this.pings > 0 && this.sockets.size > 0 ? Promise.resolve() : new Promise((resolve) => this.connectWaiters.push(resolve))
  }

  /** Sends one event (or card callback, which long connections deliver as events) and waits for its ACK. */
  async push(envelope: unknown, timeoutMs = 3_000): Promise<WsAck> {
    const socket = [...this.sockets][0]
    if (!socket) throw new Error('no long connection is open')
    const messageId = `msg_${randomBytes(8).toString('hex')}`
    const seq = ++this.seq
    const frame: Frame = {
      SeqID: seq,
      LogID: seq,
      service: SERVICE_ID,
      method: 1,
      headers: [
        { key: 'type', value: 'event' },
        { key: 'message_id', value: messageId },
        { key: 'sum', value: '1' },
        { key: 'seq', value: '0' },
        { key: 'trace_id', value: randomBytes(8).toString('hex') },
      ],
      payload: new TextEncoder().encode(JSON.stringify(envelope)),
    }
    const started = performance.now()
    const acked = new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(messageId)
        reject(new Error(`no ACK for ${messageId} within ${timeoutMs} ms`))
      }, timeoutMs)
      this.waiting.set(messageId, (ack) => {
        clearTimeout(timer)
        resolve(ack)
      })
    })
    socket.sendBinary(encodeFrame(frame))
    const ack = await acked
    const body = JSON.parse(new TextDecoder().decode(ack.payload ?? new Uint8Array())) as { code: number; data?: string }
    return { code: body.code, answer: body.data ? JSON.parse(Buffer.from(body.data, 'base64').toString('utf8')) : undefined, ms: performance.now() - started }
  }

  close(): void {
    for (const socket of this.sockets) socket.destroy()
  }

  private receive(data: Buffer, socket: MiniSocket): void {
    const frame = decodeFrame(data)
    const header = (key: string) => frame.headers.find((h) => h.key === key)?.value
    if (frame.method === 0 && header('type') === 'ping') {
      this.pings++
      socket.sendBinary(encodeFrame({ ...frame, headers: [{ key: 'type', value: 'pong' }], payload: new TextEncoder().encode(JSON.stringify(CLIENT_CONFIG)) }))
      this.connectWaiters.splice(0).forEach((resolve) => resolve())
      return
    }
    const messageId = header('message_id')
    if (frame.method === 1 && messageId) this.waiting.get(messageId)?.(frame)
  }
}
