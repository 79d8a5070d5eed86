import type { Kysely } from 'kysely'
import type { Schema } from '../db/schema.js'
import { inTransaction } from '../db/transaction.js'
import type { Card } from './cards/card.js'
import { type ChatDeliveryStore, type NewDelivery, isQueued, queuedId } from './delivery/delivery-store.js'
import { isRetryableSend } from './delivery/retryable.js'
import type { ChatPlatform, MessageRef } from './platform.js'

export interface CardSendOptions {
  /**
   * Called with where the card is, before anything is queued: the message id, or `queued:<id>` when
   * the platform refused for now and the card waits in the delivery queue (it gets its message id
   * when it goes). A request card is recorded here (`cards`), so the queue re-renders it from that row.
   * A queued card is recorded through `db`, in one transaction with its queue row: a card row that
   * says `queued:` with no queue row behind it would never go out.
   */
  record?: (ref: MessageRef, db: Kysely<Schema>) => Promise<void>
}

/**
 * Sends to a person on whichever platform knows them: the platform they just wrote from when
 * replying, otherwise the first configured platform they have an identity on, otherwise the default.
 *
 * Durable when given a delivery store: a send the platform still refuses after its client's own
 * retries with a retryable error (rate limit, 5xx, no answer) is queued (chat_deliveries) and tried
 * again later by the delivery worker; it reads as sent to the caller. Every try of one message carries
 * the same idempotency key, so a platform that de-duplicates (Feishu) shows it once even when a try
 * landed unseen. Final refusals (unknown user, …) throw as before.
 */
export class Messenger {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly platforms: ReadonlyMap<string, ChatPlatform>,
    private readonly defaultPlatform: string,
    private readonly deliveries: ChatDeliveryStore,
    private readonly log: (message: string) => void = () => {},
  ) {}

  async sendText(userId: string, text: string, via?: string): Promise<MessageRef> {
    const platform = await this.platformFor(userId, via)
    const idempotencyKey = crypto.randomUUID()
    try {
      return await platform.sendText(userId, text, { idempotencyKey })
    } catch (error) {
      return this.queueOrThrow(error, { kind: 'text', platform: platform.name, recipientId: userId, body: text, idempotencyKey, error })
    }
  }

  async sendCard(userId: string, card: Card, via?: string, options: CardSendOptions = {}): Promise<MessageRef> {
    const platform = await this.platformFor(userId, via)
    const idempotencyKey = crypto.randomUUID()
    let ref: MessageRef
    try {
      ref = await platform.sendCard(userId, card, { idempotencyKey })
    } catch (error) {
      return this.queueOrThrow(error, { kind: 'card', platform: platform.name, recipientId: userId, cardId: card.id, body: JSON.stringify(card), idempotencyKey, error }, options.record)
    }
    await options.record?.(ref, this.db)
    return ref
  }

  /**
   * A card still waiting in the queue is left alone: it is rendered when it goes. A retryable failure
   * queues the update; the queue renders the card's latest state, so updates converge.
   */
  async updateCard(ref: MessageRef, card: Card): Promise<void> {
    if (isQueued(ref.messageId)) return
    try {
      await this.platform(ref.platform).updateCard(ref, card)
    } catch (error) {
      await this.queueOrThrow(error, { kind: 'card_update', platform: ref.platform, cardId: card.id, messageId: ref.messageId, body: JSON.stringify(card), idempotencyKey: crypto.randomUUID(), error })
    }
  }

  /** The enabled platform of this name (the delivery worker sends through it). */
  platform(name: string): ChatPlatform {
    const platform = this.platforms.get(name)
    if (!platform) throw new Error(`chat platform not enabled: ${name}`)
    return platform
  }

  private async queueOrThrow(error: unknown, item: NewDelivery, record?: CardSendOptions['record']): Promise<MessageRef> {
    if (!isRetryableSend(error)) throw error
    const id = crypto.randomUUID()
    const ref = { platform: item.platform, messageId: queuedId(id) }
    try {
      if (record) {
        await inTransaction(this.db, async (trx) => {
          await record(ref, trx)
          await this.deliveries.enqueue(item, id, trx)
        })
      } else {
        await this.deliveries.enqueue(item, id)
      }
    } catch (queueError) {
      this.log(`chat: ${what(item)} could not be queued for a later try: ${String(queueError)}`)
      throw error
    }
    this.log(`chat: ${what(item)} via ${item.platform} queued for a later try (${error instanceof Error ? error.message : String(error)})`)
    return ref
  }

  private async platformFor(userId: string, via?: string): Promise<ChatPlatform> {
    if (via && this.platforms.has(via)) return this.platform(via)
    const identities = await this.db.selectFrom('user_identities').select('platform').where('user_id', '=', userId).execute()
    const known = new Set(identities.map((i) => i.platform))
    // Someone on several platforms is reached on the first one configured: deterministic, not row order.
    const preferred = [...this.platforms.keys()].find((name) => known.has(name))
    return this.platform(preferred ?? this.defaultPlatform)
  }
}

const what = (item: NewDelivery) => (item.kind === 'text' ? `text to ${item.recipientId}` : item.kind === 'card' ? `card ${item.cardId} to ${item.recipientId}` : `update of card ${item.cardId}`)
