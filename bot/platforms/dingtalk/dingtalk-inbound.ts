import type { Kysely } from 'kysely'
import type { Schema } from '../../../db/schema.js'
import { DomainError } from '../../../workflow/errors.js'
import type { Conversation } from '../../conversation/conversation.js'
import { firstDelivery } from '../../inbound-events.js'
import { parseCardTap, parseTapText } from './dingtalk-cards.js'
import { DINGTALK, type DingtalkDirectory } from './dingtalk-identity.js'
import type { DingtalkPlatform } from './dingtalk-platform.js'
import type { InboundQueue } from './inbound-queue.js'

/** A robot message, as Stream `data` or the HTTP outgoing callback's body. */
export interface RobotMessage {
  msgId?: string
  msgtype?: string
  text?: { content?: string }
  content?: { richText?: { text?: string }[] }
  conversationType?: string
  senderStaffId?: string
  senderId?: string
  senderNick?: string
  sessionWebhook?: string
  sessionWebhookExpiredTime?: number
}

/** An interactive-card tap (`/v1.0/card/instances/callback`). */
export interface CardCallback {
  outTrackId?: string
  userId?: string
  corpId?: string
  content?: string
  value?: string
}

export const NOT_REGISTERED = '你还未在系统中登记，请联系管理员 / you are not registered; ask an administrator'
const TEXT_ONLY = '目前只能处理文字消息，请直接打字告诉我 / only text messages are understood for now'
const SOMETHING_WENT_WRONG = '处理你的消息时出错了，请稍后再试 / something went wrong, please try again later'

/**
 * What both inbound paths (Stream frames, HTTP callbacks) do with a verified delivery: record its
 * id (a redelivery is dropped), queue the work, and later map the DingTalk user to our employee
 * and hand the line or tap to the conversation.
 */
export class DingtalkInbound {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly platform: DingtalkPlatform,
    private readonly directory: DingtalkDirectory,
    private readonly queue: InboundQueue,
    private readonly log: (message: string) => void,
  ) {}

  /**
   * True when the message is new and queued, false for a redelivery. Throws only when it could
   * not be recorded; then it must not be acknowledged, so DingTalk delivers it again.
   */
  async acceptRobotMessage(message: RobotMessage, conversation: Conversation): Promise<boolean> {
    if (!message.msgId) {
      this.log('dingtalk: robot message without msgId ignored')
      return false
    }
    if (!(await firstDelivery(this.db, DINGTALK, `msg:${message.msgId}`))) return false
    this.queue.push(message.senderStaffId ?? message.senderId ?? 'anonymous', () => this.handleRobotMessage(message, conversation))
    return true
  }

  async acceptCardCallback(callback: CardCallback, deliveryId: string, conversation: Conversation): Promise<boolean> {
    if (!callback.outTrackId || !callback.userId) {
      this.log('dingtalk: card callback without outTrackId/userId ignored')
      return false
    }
    if (!(await firstDelivery(this.db, DINGTALK, `card:${deliveryId}`))) return false
    this.queue.push(callback.userId, () => this.handleCardCallback(callback, deliveryId, conversation))
    return true
  }

  async idle(): Promise<void> {
    await this.queue.idle()
  }

  private async handleRobotMessage(message: RobotMessage, conversation: Conversation): Promise<void> {
    const staffId = message.senderStaffId
    if (staffId && message.conversationType === '1' && message.sessionWebhook && message.sessionWebhookExpiredTime) {
      this.platform.rememberSession(staffId, message.sessionWebhook, message.sessionWebhookExpiredTime)
    }
    if (!staffId) {
      // Users outside the organisation (or an unpublished robot) have no staffId to look up.
      this.log(`dingtalk: message ${message.msgId} from ${message.senderNick ?? 'unknown'} has no senderStaffId`)
      return
    }
    const text = messageText(message)
    if (text === undefined) {
      await this.platform.sendTextTo(staffId, TEXT_ONLY)
      return
    }
    const employee = await this.directory.employeeFor(staffId)
    if (!employee) {
      await this.platform.sendTextTo(staffId, NOT_REGISTERED)
      return
    }
    await this.tellFailures(employee.id, async () => {
      const tap = parseTapText(text)
      if (tap) await this.tapFallbackCard(employee.id, tap, message.msgId!, conversation)
      else await conversation.handleMessage({ platform: DINGTALK, userId: employee.id, text, eventId: message.msgId })
    })
  }

  private async handleCardCallback(callback: CardCallback, deliveryId: string, conversation: Conversation): Promise<void> {
    const staffId = callback.userId!
    const tap = parseCardTap(callback.content ?? callback.value)
    if (!tap) {
      this.log(`dingtalk: card callback ${deliveryId} without an action: ${callback.content ?? callback.value ?? ''}`)
      return
    }
    const employee = await this.directory.employeeFor(staffId)
    if (!employee) {
      await this.platform.sendTextTo(staffId, NOT_REGISTERED)
      return
    }
    await this.tellFailures(employee.id, async () => {
      // The outTrackId of every interactive card we send is our card id (DingtalkPlatform.sendCard).
      const cardId = callback.outTrackId!
      const outcome = await conversation.handleCardAction({ platform: DINGTALK, userId: employee.id, cardId, actionId: tap.actionId, comment: tap.comment, eventId: deliveryId })
      // DingTalk shows no toast for a card callback: the outcome is a chat line instead.
      await this.platform.sendText(employee.id, outcome.message)
      // A refused tap (stale card, someone else's card) re-renders that card to the current state.
      if (!outcome.ok && outcome.card) await this.platform.updateCard({ platform: DINGTALK, messageId: cardId }, outcome.card)
    })
  }

  private async tapFallbackCard(userId: string, tap: { cardIdPrefix: string; actionId: string; comment?: string }, eventId: string, conversation: Conversation): Promise<void> {
    const cards = await this.db
      .selectFrom('cards')
      .select('id')
      .where('recipient_id', '=', userId)
      .where('platform', '=', DINGTALK)
      .where('id', 'like', `${tap.cardIdPrefix}%`)
      .limit(2)
      .execute()
    if (cards.length !== 1) {
      await this.platform.sendText(userId, '找不到这张卡片，请重新发起 / card not found, please start again')
      return
    }
    const outcome = await conversation.handleCardAction({ platform: DINGTALK, userId, cardId: cards[0]!.id, actionId: tap.actionId, comment: tap.comment, eventId })
    await this.platform.sendText(userId, outcome.message)
  }

  /** Whatever goes wrong, the person hears about it instead of waiting for an answer. */
  private async tellFailures(userId: string, work: () => Promise<void>): Promise<void> {
    try {
      await work()
    } catch (error) {
      const text = error instanceof DomainError ? error.zh : SOMETHING_WENT_WRONG
      if (!(error instanceof DomainError)) this.log(`dingtalk: handling a message from ${userId} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
      await this.platform.sendText(userId, text).catch((sendError: unknown) => this.log(`dingtalk: could not tell ${userId}: ${String(sendError)}`))
    }
  }
}

/** The words typed, for text and rich-text messages; undefined for pictures, voice and files. */
export function messageText(message: RobotMessage): string | undefined {
  if (message.msgtype === 'text') return message.text?.content?.trim() || undefined
  if (message.msgtype === 'richText') {
    const text = (message.content?.richText ?? []).map((part) => part.text ?? '').join('').trim()
    return text || undefined
  }
  return undefined
}
