import { AsyncLocalStorage } from 'node:async_hooks'
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Schema } from '../../../db/schema.js'
import { sameCard, type Card } from '../../cards/card.js'
import type { ChatPlatform, MessageRef, SendOptions } from '../../platform.js'
import { EDIT_WINDOW_CLOSED, FeishuApiError, type FeishuOutbound } from './feishu-outbound.js'
import { renderFeishuCard } from './feishu-cards.js'
import { FEISHU, type FeishuIdentity } from './feishu-identity.js'

/** The chat line being answered: replies to its author in a group go back into that group. */
interface ReplyTarget {
  userId: string
  messageId: string
  inGroup: boolean
}

/** How a card tap was answered, which decides how the tapped message gets its final state. */
export interface TapAnswer {
  /** The card the callback answer carried (Feishu showed it at once): the work finished in time. */
  answered?: Card
  /** Otherwise: the card as the tap left it, and the callback's update token (30 min, 2 uses). */
  fallback?: Card
  token?: string
}

type Hold = { latest?: Card }

/**
 * Feishu as a ChatPlatform: texts and card 2.0 messages to open_ids, and card updates by PATCH on
 * every copy's message id. Two Feishu rules shape it:
 *  - an edit of the tapped message before the callback is answered is lost or reverted, so such
 *    updates are held and applied after the answer (by the delayed-update token if the answer
 *    could not carry the card in time, else by PATCH if the card changed again meanwhile);
 *  - a message can be edited for 14 days only, after which the card is sent anew.
 */
export class FeishuPlatform implements ChatPlatform {
  readonly name = FEISHU
  private readonly replyTarget = new AsyncLocalStorage<ReplyTarget>()
  private readonly holds = new Map<string, Set<Hold>>()

  constructor(
    private readonly api: FeishuOutbound,
    private readonly identity: FeishuIdentity,
    private readonly db: Kysely<Schema>,
    private readonly log: (message: string) => void,
  ) {}

  /** Runs the handling of one inbound line, so a reply to its author lands where they wrote. */
  answering<T>(target: ReplyTarget, work: () => Promise<T>): Promise<T> {
    return this.replyTarget.run(target, work)
  }

  async sendText(userId: string, text: string, options?: SendOptions): Promise<MessageRef> {
    return this.send(userId, 'text', JSON.stringify({ text }), options?.idempotencyKey)
  }

  async sendCard(userId: string, card: Card, options?: SendOptions): Promise<MessageRef> {
    return this.send(userId, 'interactive', JSON.stringify(renderFeishuCard(card, this.log)), options?.idempotencyKey)
  }

  /** To a person we may not know yet (the "not registered" answer), by open_id or into their group. */
  async sendTextToOpenId(openId: string, text: string, replyTo?: { messageId: string; inGroup: boolean }): Promise<MessageRef> {
    const content = JSON.stringify({ text })
    const messageId = replyTo?.inGroup
      ? await this.api.replyMessage(replyTo.messageId, { msgType: 'text', content, uuid: randomUUID() })
      : await this.api.sendMessage({ receiveIdType: 'open_id', receiveId: openId, msgType: 'text', content, uuid: randomUUID() })
    return { platform: FEISHU, messageId }
  }

  async updateCard(ref: MessageRef, card: Card): Promise<void> {
    const holds = this.holds.get(ref.messageId)
    if (holds) {
      for (const hold of holds) hold.latest = card
      return
    }
    await this.patch(ref.messageId, card)
  }

  /** Call before acting on a tap of `messageId`; call the returned function once Feishu has the answer. */
  holdUpdates(messageId: string): (answer: TapAnswer) => Promise<void> {
    const hold: Hold = {}
    const holds = this.holds.get(messageId) ?? new Set<Hold>()
    holds.add(hold)
    this.holds.set(messageId, holds)
    return async (answer) => {
      holds.delete(hold)
      if (holds.size === 0 && this.holds.get(messageId) === holds) this.holds.delete(messageId)
      const card = hold.latest ?? answer.fallback
      if (!card || (answer.answered && sameCard(card, answer.answered))) return
      if (answer.token && !answer.answered) {
        try {
          await this.api.delayedCardUpdate(answer.token, renderFeishuCard(card, this.log))
          return
        } catch (error) {
          this.log(`feishu: delayed card update of ${messageId} failed, using PATCH: ${String(error)}`)
        }
      }
      await this.patch(messageId, card)
    }
  }

  /** `uuid`: Feishu shows one message for every send with the same uuid within about an hour. */
  private async send(userId: string, msgType: 'text' | 'interactive', content: string, uuid: string = randomUUID()): Promise<MessageRef> {
    const target = this.replyTarget.getStore()
    if (target?.inGroup && target.userId === userId) {
      return { platform: FEISHU, messageId: await this.api.replyMessage(target.messageId, { msgType, content, uuid }) }
    }
    const openId = await this.identity.openIdOf(userId)
    if (!openId) throw new Error(`feishu: ${userId} has no Feishu identity yet (they have not written to the bot or been linked)`)
    return { platform: FEISHU, messageId: await this.api.sendMessage({ receiveIdType: 'open_id', receiveId: openId, msgType, content, uuid }) }
  }

  private async patch(messageId: string, card: Card): Promise<void> {
    try {
      await this.api.patchMessage(messageId, JSON.stringify(renderFeishuCard(card, this.log)))
    } catch (error) {
      if (!(error instanceof FeishuApiError && error.code === EDIT_WINDOW_CLOSED)) throw error
      await this.resend(messageId, card)
    }
  }

  /** Past the 14-day edit window the card is sent as a new message, and its row points there from now on. */
  private async resend(messageId: string, card: Card): Promise<void> {
    const row = await this.db.selectFrom('cards').select(['id', 'recipient_id']).where('platform', '=', FEISHU).where('message_id', '=', messageId).executeTakeFirst()
    const openId = row && (await this.identity.openIdOf(row.recipient_id))
    if (!row || !openId) {
      this.log(`feishu: card message ${messageId} is past the 14-day edit window and its recipient is unknown; not resent`)
      return
    }
    const content = JSON.stringify(renderFeishuCard(card, this.log))
    const fresh = await this.api.sendMessage({ receiveIdType: 'open_id', receiveId: openId, msgType: 'interactive', content, uuid: randomUUID() })
    await this.db.updateTable('cards').set({ message_id: fresh }).where('id', '=', row.id).execute()
    this.log(`feishu: card ${row.id} was past the 14-day edit window; sent again as ${fresh}`)
  }
}
