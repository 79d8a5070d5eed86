import { inject } from 'vitest'
import type { FakeMessage } from '../fakes/feishu/fake-open-platform.js'
import { readCard, type SeenCard } from '../fakes/feishu/seen-card.js'
import { cardActionEnvelope, FeishuEventPusher, messageEnvelope } from '../fakes/feishu/feishu-event-pusher.js'
import { FEISHU_APP } from './feishu-tenant.js'

/** Sends what Feishu sends to the worker under test (`send`), and reads what the fake open platform received. */
export class FeishuWire {
  /** Signs and encrypts exactly as the open platform does (the pusher's wire format). */
  private readonly signer = new FeishuEventPusher({ target: 'unused: requests go through send', appId: FEISHU_APP.appId, verificationToken: FEISHU_APP.verificationToken, encryptKey: FEISHU_APP.encryptKey })
  private readonly fakeUrl = inject('feishuUrl')

  constructor(private readonly send: (path: string, init: RequestInit) => Promise<Response>) {}

  /** A p2p chat line from `openId`; resolves with the worker's acknowledgement. */
  say(openId: string, text: string): Promise<Response> {
    return this.deliver(this.line(openId, text))
  }

  /** The event envelope of a chat line, to deliver (and redeliver) as is. */
  line(openId: string, text: string) {
    return messageEnvelope({ appId: FEISHU_APP.appId, token: FEISHU_APP.verificationToken, openId, text })
  }

  deliver(envelope: { header: { event_id: string } }): Promise<Response> {
    return this.post('/feishu/events', envelope)
  }

  /** Taps `action` on the card message as `openId`; resolves with the callback's answer. */
  async tap(openId: string, card: SentCard, action: string, comment?: string): Promise<{ status: number; body: { toast?: { type: string; content: string }; card?: unknown } }> {
    const button = card.buttons.find((b) => b.value.action === action)
    if (!button) throw new Error(`card ${card.title} has no ${action} button`)
    const { token } = await this.control<{ token: string }>('POST', '/card-tokens', { messageId: card.message.message_id })
    const envelope = cardActionEnvelope({
      appId: FEISHU_APP.appId,
      token: FEISHU_APP.verificationToken,
      openId,
      messageId: card.message.message_id,
      cardToken: token,
      value: button.value,
      ...(button.inForm ? { formValue: { comment: comment ?? '' }, buttonName: `${action}_button` } : {}),
    })
    const response = await this.post('/feishu/cards', envelope)
    return { status: response.status, body: (await response.json()) as never }
  }

  /** Interactive messages the fake holds for `openId`, as they look now. */
  async cards(openId: string): Promise<SentCard[]> {
    const messages = await this.control<FakeMessage[]>('GET', '/messages')
    return messages.filter((m) => m.to === openId && m.msg_type === 'interactive').map(readCard)
  }

  async texts(openId: string): Promise<string[]> {
    const messages = await this.control<FakeMessage[]>('GET', '/messages')
    return messages.filter((m) => m.to === openId && m.msg_type === 'text').map((m) => (JSON.parse(m.content) as { text: string }).text)
  }

  /** The latest card to `openId` that offers `action`. */
  async cardOffering(openId: string, action: string): Promise<SentCard> {
    const card = (await this.cards(openId)).reverse().find((c) => c.buttons.some((b) => b.value.action === action))
    if (!card) throw new Error(`no card to ${openId} offers ${action}`)
    return card
  }

  async control<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.fakeUrl}/__control${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
    if (!response.ok) throw new Error(`fake control ${method} ${path}: HTTP ${response.status}`)
    return (await response.json()) as T
  }

  private post(path: string, envelope: unknown): Promise<Response> {
    const { body, headers } = this.signer.wire(envelope)
    return this.send(path, { method: 'POST', body, headers })
  }
}

export type SentCard = SeenCard
