import type { Card } from './cards/card.js'

/** Where a message was delivered on a platform, so a card can be updated later. */
export interface MessageRef {
  platform: string
  /** Platform message id (Feishu message_id, DingTalk outTrackId, simulator message id). */
  messageId: string
}

/**
 * A file or picture that came with a message. Platforms that hand out a download code (Feishu
 * message resources, DingTalk downloadCode) give `fetch`, so the bytes are fetched only when the
 * conversation wants them; the simulator gives the bytes.
 */
export type InboundAttachment = { name: string; mimeType: string } & ({ bytes: Uint8Array } | { fetch: () => Promise<Uint8Array> })

/** One inbound chat line, already verified, decrypted and de-duplicated by the platform adapter. */
export interface InboundMessage {
  platform: string
  /** Our employee id, resolved from the platform identity. */
  userId: string
  /** What was typed; empty when the message is only a file or picture. */
  text: string
  /** Receipts, e-invoices, photos sent with (or as) the message. */
  attachments?: InboundAttachment[]
  /** Platform event id, recorded for de-duplication. */
  eventId?: string
}

/** One card tap, already verified by the platform adapter. */
export interface InboundCardAction {
  platform: string
  userId: string
  cardId: string
  actionId: string
  comment?: string
  eventId?: string
  /** The task the tapped card showed (Card.actsOn), when the platform carries it back. */
  taskId?: string
}

/** How one send is made. */
export interface SendOptions {
  /**
   * The same for every try of one message (the first, the client's own retries, and the delivery
   * queue's later ones): a platform that de-duplicates sends by a key (Feishu's `uuid`) uses it, so a
   * send that reached the platform although we saw an error is not shown twice.
   */
  idempotencyKey?: string
}

/**
 * The port every chat platform implements. Inbound traffic is pushed by the platform's own
 * routes/stream client into the conversation; this interface is what the bot needs to talk back.
 *
 * A failure that may pass (rate limit, 5xx, no answer) throws an error with `retryable: true`
 * (bot/delivery/retryable.ts): the messenger then queues the message and tries again later. Anything
 * else (unknown user, refused content) is final.
 */
export interface ChatPlatform {
  readonly name: string
  sendText(userId: string, text: string, options?: SendOptions): Promise<MessageRef>
  sendCard(userId: string, card: Card, options?: SendOptions): Promise<MessageRef>
  updateCard(ref: MessageRef, card: Card): Promise<void>
}
