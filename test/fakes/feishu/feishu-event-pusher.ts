import { createCipheriv, createHash, randomBytes, randomUUID } from 'node:crypto'

/**
 * Feishu's side of event delivery: builds schema 2.0 envelopes, encrypts and signs them the way
 * the open platform does (PROTOCOLS.md F1), POSTs them, and re-pushes an event that was not
 * answered with HTTP 200 within 3 s on Feishu's schedule (15 s, 5 min, 1 h, 6 h), compressed for
 * tests. Card callbacks are never re-pushed. Written independently of the code under test.
 */

export const FEISHU_REDELIVERY_SCHEDULE_MS = [15_000, 5 * 60_000, 60 * 60_000, 6 * 60 * 60_000]

export interface PusherOptions {
  /** Base URL of the app under test. */
  target: string
  appId: string
  verificationToken: string
  encryptKey?: string
  /** Delays before each re-push; default Feishu's, tests pass a compressed copy. */
  redeliveryScheduleMs?: number[]
  ackTimeoutMs?: number
}

export interface Delivery {
  eventId: string
  attempt: number
  status: number | 'timeout' | 'network'
  ms: number
}

export interface PushResult {
  status: number | 'timeout' | 'network'
  body: unknown
  ms: number
}

export function feishuEncrypt(encryptKey: string, plaintext: string): string {
  const key = createHash('sha256').update(encryptKey).digest()
  const iv = randomBytes(16)
  const cipher = createCipheriv('aes-256-cbc', key, iv)
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64')
}

export function feishuSign(timestamp: string, nonce: string, encryptKey: string, body: string): string {
  return createHash('sha256')
    .update(timestamp + nonce + encryptKey + body)
    .digest('hex')
}

const eventId = () => randomBytes(16).toString('hex')

export function messageEnvelope(options: {
  appId: string
  token: string
  openId: string
  text: string
  chatType?: 'p2p' | 'group'
  messageId?: string
  eventId?: string
  mentions?: { key: string; openId: string; name: string }[]
}) {
  const chatType = options.chatType ?? 'p2p'
  return {
    schema: '2.0',
    header: { event_id: options.eventId ?? eventId(), event_type: 'im.message.receive_v1', create_time: String(Date.now()), token: options.token, app_id: options.appId, tenant_key: 'fake-tenant' },
    event: {
      sender: { sender_id: { open_id: options.openId, union_id: `on_${options.openId.slice(3)}` }, sender_type: 'user', tenant_key: 'fake-tenant' },
      message: {
        message_id: options.messageId ?? `om_user_${randomBytes(12).toString('hex')}`,
        create_time: String(Date.now()),
        chat_id: chatType === 'p2p' ? `oc_p2p_${options.openId}` : 'oc_group_team',
        chat_type: chatType,
        message_type: 'text',
        content: JSON.stringify({ text: options.text }),
        mentions: (options.mentions ?? []).map((m) => ({ key: m.key, id: { open_id: m.openId, union_id: `on_${m.openId.slice(3)}` }, name: m.name, tenant_key: 'fake-tenant' })),
      },
    },
  }
}

export function cardActionEnvelope(options: {
  appId: string
  token: string
  openId: string
  messageId: string
  /** The card-update token the fake open platform issued for this tap. */
  cardToken: string
  value: unknown
  formValue?: Record<string, string>
  buttonName?: string
  eventId?: string
}) {
  return {
    schema: '2.0',
    header: { event_id: options.eventId ?? eventId(), event_type: 'card.action.trigger', create_time: String(Date.now() * 1000), token: options.token, app_id: options.appId, tenant_key: 'fake-tenant' },
    event: {
      operator: { tenant_key: 'fake-tenant', open_id: options.openId, union_id: `on_${options.openId.slice(3)}` },
      token: options.cardToken,
      action: {
        value: options.value,
        tag: 'button',
        ...(options.buttonName ? { name: options.buttonName } : {}),
        ...(options.formValue ? { form_value: options.formValue } : {}),
      },
      host: 'im_message',
      context: { open_message_id: options.messageId, open_chat_id: 'oc_x' },
    },
  }
}

export class FeishuEventPusher {
  readonly deliveries: Delivery[] = []
  private readonly pending = new Set<Promise<void>>()
  private stopped = false

  constructor(private readonly options: PusherOptions) {}

  /** Signed request headers + body for a payload, exactly as Feishu sends them. */
  wire(payload: unknown, at = Date.now()): { body: string; headers: Record<string, string> } {
    const plaintext = JSON.stringify(payload)
    const key = this.options.encryptKey
    if (!key) return { body: plaintext, headers: { 'content-type': 'application/json' } }
    const body = JSON.stringify({ encrypt: feishuEncrypt(key, plaintext) })
    const timestamp = String(Math.floor(at / 1000))
    const nonce = randomUUID()
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'x-lark-request-timestamp': timestamp,
        'x-lark-request-nonce': nonce,
        'x-lark-signature': feishuSign(timestamp, nonce, key, body),
      },
    }
  }

  /** One POST of exactly these bytes and headers (forgery tests tamper with them). */
  async post(path: string, body: string, headers: Record<string, string>): Promise<PushResult> {
    const started = performance.now()
    try {
      const response = await fetch(`${this.options.target}${path}`, { method: 'POST', body, headers, signal: AbortSignal.timeout(this.options.ackTimeoutMs ?? 3_000) })
      const text = await response.text()
      let parsed: unknown = text
      try {
        parsed = JSON.parse(text)
      } catch {
        // keep the text
      }
      return { status: response.status, body: parsed, ms: performance.now() - started }
    } catch (error) {
      const status = error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'network'
      return { status, body: undefined, ms: performance.now() - started }
    }
  }

  /** Pushes an event; if it is not acknowledged (200 within 3 s) it is re-pushed on the schedule. */
  async pushEvent(envelope: { header: { event_id: string } }, path = '/feishu/events'): Promise<PushResult> {
    const result = await this.deliver(envelope, path, 1)
    if (result.status !== 200) this.redeliver(envelope, path, 2)
    return result
  }

  /** A card callback: answered once, never re-pushed; the answer body is what the client renders. */
  async pushCardAction(envelope: { header: { event_id: string } }, path = '/feishu/cards'): Promise<PushResult> {
    return this.deliver(envelope, path, 1)
  }

  /** Waits until no re-push is scheduled or in flight. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending])
  }

  stop(): void {
    this.stopped = true
  }

  private async deliver(envelope: { header: { event_id: string } }, path: string, attempt: number): Promise<PushResult> {
    const { body, headers } = this.wire(envelope)
    const result = await this.post(path, body, headers)
    this.deliveries.push({ eventId: envelope.header.event_id, attempt, status: result.status, ms: result.ms })
    return result
  }

  private redeliver(envelope: { header: { event_id: string } }, path: string, attempt: number): void {
    const schedule = this.options.redeliveryScheduleMs ?? FEISHU_REDELIVERY_SCHEDULE_MS
    const wait = schedule[attempt - 2]
    if (wait === undefined || this.stopped) return
    const next = new Promise<void>((resolve) => setTimeout(resolve, wait)).then(async () => {
      if (this.stopped) return
      const result = await this.deliver(envelope, path, attempt)
      if (result.status !== 200) this.redeliver(envelope, path, attempt + 1)
    })
    this.pending.add(next)
    void next.finally(() => this.pending.delete(next))
  }
}
