import type { Kysely } from 'kysely'
import type { CardRow, Schema } from '../../db/schema.js'
import { attachmentsOfRequest } from '../../workflow/receipts/attachments/attachments.js'
import { loadClaimInsight } from '../../workflow/receipts/anomalies/claim-insight.js'
import { loadRequestSummary } from '../../workflow/receipts/summaries/request-summaries.js'
import { loadRequestView } from '../../workflow/request-view.js'
import type { Messenger } from '../messenger.js'
import type { MessageRef } from '../platform.js'
import { JUDGING_AUDIENCES, renderRequestCard, type CardAudience, type RequestExtras } from './request-card.js'

/**
 * Every card ever sent about a request is remembered (recipient, platform, message id), so a
 * change to the request re-renders and updates all of them, for everyone who holds one.
 */
export class RequestCards {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly messenger: Messenger,
    private readonly now: () => number = Date.now,
    private readonly log: (message: string) => void = console.error,
  ) {}

  /**
   * Sends the card and records it. A card the platform refuses for now is recorded with a `queued:`
   * message id and goes out from the delivery queue later, rendered as the request is then.
   */
  async deliver(requestId: string, recipientId: string, audience: CardAudience, via?: string): Promise<MessageRef> {
    const cardId = crypto.randomUUID()
    const view = await loadRequestView(this.db, requestId)
    const extras = await this.extras(requestId, [audience])
    return this.messenger.sendCard(recipientId, renderRequestCard(view, audience, recipientId, cardId, extras), via, {
      record: async (ref, db) => {
        const now = this.now()
        await db
          .insertInto('cards')
          .values({ id: cardId, request_id: requestId, recipient_id: recipientId, audience, platform: ref.platform, message_id: ref.messageId, created_at: now, updated_at: now })
          .execute()
      },
    })
  }

  async refresh(requestId: string): Promise<void> {
    const view = await loadRequestView(this.db, requestId)
    const cards = await this.db.selectFrom('cards').selectAll().where('request_id', '=', requestId).execute()
    const extras = await this.extras(requestId, cards.map((c) => c.audience as CardAudience))
    const results = await Promise.allSettled(
      cards.map(async (card) => {
        const rendered = renderRequestCard(view, card.audience as CardAudience, card.recipient_id, card.id, extras)
        await this.messenger.updateCard({ platform: card.platform, messageId: card.message_id }, rendered)
        return card.id
      }),
    )
    // One unreachable copy (platform outage, deleted chat) must not keep the others stale.
    const updated = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
    for (const failure of results.filter((r) => r.status === 'rejected')) this.log(`card refresh failed for request ${requestId}: ${String(failure.reason)}`)
    if (updated.length > 0) await this.db.updateTable('cards').set({ updated_at: this.now() }).where('id', 'in', updated).execute()
  }

  /** A card that waited in the delivery queue went out as `ref`: later updates go there. */
  async placed(cardId: string, queuedAs: string, ref: MessageRef): Promise<boolean> {
    const result = await this.db
      .updateTable('cards')
      .set({ platform: ref.platform, message_id: ref.messageId, updated_at: this.now() })
      .where('id', '=', cardId)
      .where('message_id', '=', queuedAs)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) > 0
  }

  async find(cardId: string): Promise<CardRow | undefined> {
    return this.db.selectFrom('cards').selectAll().where('id', '=', cardId).executeTakeFirst()
  }

  /** The card as its recipient sees it now (used to answer a tap with the updated card). */
  async render(card: CardRow) {
    const view = await loadRequestView(this.db, card.request_id)
    return renderRequestCard(view, card.audience as CardAudience, card.recipient_id, card.id, await this.extras(card.request_id, [card.audience as CardAudience]))
  }

  /** The request's files; the context, flags and AI summary only when an approver or CC recipient will see them. */
  private async extras(requestId: string, audiences: readonly CardAudience[]): Promise<RequestExtras> {
    const judged = audiences.some((a) => JUDGING_AUDIENCES.has(a))
    const [attachments, insight, summary] = await Promise.all([
      attachmentsOfRequest(this.db, requestId),
      judged ? loadClaimInsight(this.db, requestId, this.now()) : null,
      judged ? loadRequestSummary(this.db, requestId) : undefined,
    ])
    return { attachments, insight, summary }
  }
}
