import type { Kysely } from 'kysely'
import type { CardRow, Schema } from '../../db/schema.js'
import { loadRequestView } from '../../workflow/request-view.js'
import type { Messenger } from '../messenger.js'
import type { MessageRef } from '../platform.js'
import { renderRequestCard, type CardAudience } from './request-card.js'

/**
 * Every card ever sent about a request is remembered (recipient, platform, message id), so a
 * change to the request re-renders and updates all of them, for everyone who holds one.
 */
export class RequestCards {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly messenger: Messenger,
    private readonly now: () => number = Date.now,
  ) {}

  async deliver(requestId: string, recipientId: string, audience: CardAudience, via?: string): Promise<MessageRef> {
    const cardId = crypto.randomUUID()
    const view = await loadRequestView(this.db, requestId)
    const ref = await this.messenger.sendCard(recipientId, renderRequestCard(view, audience, recipientId, cardId), via)
    const now = this.now()
    await this.db
      .insertInto('cards')
      .values({ id: cardId, request_id: requestId, recipient_id: recipientId, audience, platform: ref.platform, message_id: ref.messageId, created_at: now, updated_at: now })
      .execute()
    return ref
  }

  async refresh(requestId: string): Promise<void> {
    const view = await loadRequestView(this.db, requestId)
    const cards = await this.db.selectFrom('cards').selectAll().where('request_id', '=', requestId).execute()
    await Promise.all(
      cards.map(async (card) => {
        const rendered = renderRequestCard(view, card.audience as CardAudience, card.recipient_id, card.id)
        await this.messenger.updateCard({ platform: card.platform, messageId: card.message_id }, rendered)
      }),
    )
    await this.db.updateTable('cards').set({ updated_at: this.now() }).where('request_id', '=', requestId).execute()
  }

  async find(cardId: string): Promise<CardRow | undefined> {
    return this.db.selectFrom('cards').selectAll().where('id', '=', cardId).executeTakeFirst()
  }

  /** The card as its recipient sees it now (used to answer a tap with the updated card). */
  async render(card: CardRow) {
    const view = await loadRequestView(this.db, card.request_id)
    return renderRequestCard(view, card.audience as CardAudience, card.recipient_id, card.id)
  }
}
