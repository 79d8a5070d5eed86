import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Schema } from '../../../db/schema.js'
import { DomainError } from '../../../workflow/errors.js'
import type { Conversation } from '../../conversation/conversation.js'
import { DEACTIVATED } from '../../identity/identity-links.js'
import type { InboundAttachment } from '../../platform.js'
import { isConnectionFailure } from '../../../db/connection-failure.js'
import { firstDelivery } from '../../inbound-events.js'
import { handleThroughOutages } from '../../through-outages.js'
import { parseCardTap, parseTapText } from './dingtalk-cards.js'
import { DINGTALK, type DingtalkDirectory } from './dingtalk-identity.js'
import type { DingtalkPlatform } from './dingtalk-platform.js'
import type { InboundQueue } from './inbound-queue.js'

/** A robot message, as Stream `data` or the HTTP outgoing callback's body. */
export interface RobotMessage {
  msgId?: string
  msgtype?: string
  text?: { content?: string }
  /** richText parts (text, or a picture with its downloadCode); a picture's or a file's downloadCode. */
  content?: { richText?: { text?: string; type?: string; downloadCode?: string }[]; downloadCode?: string; fileName?: string }
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
const DEACTIVATED_TEXT = `${DEACTIVATED.zh} / ${DEACTIVATED.en}`
const TEXT_ONLY = '目前只能处理文字、图片和文件消息，请直接打字告诉我 / only text, pictures and files are understood'
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
    /** DingtalkClient.downloadMessageFile: turns a downloadCode into the file's bytes. */
    private readonly downloadFile: (downloadCode: string) => Promise<Uint8Array>,
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
    this.queue.push(message.senderStaffId ?? message.senderId ?? 'anonymous', () => handleThroughOutages((lastTry) => this.handleRobotMessage(message, conversation, lastTry)))
    return true
  }

  /**
   * HTTP robot and card callbacks are signed over the timestamp alone (PROTOCOLS D9), so one pair
   * of captured headers would carry any body (another sender, card or action) for the whole hour
   * they are accepted. A signature is therefore good for the bodies it came with: each is recorded
   * beside the delivery ids (kept for days, far past the hour), and the same body again is DingTalk
   * retrying, which goes on to the usual de-duplication. Another body is taken only while
   * `justSigned`: deliveries DingTalk signs in the same millisecond carry the same headers. False
   * for any other, which is recorded nowhere.
   */
  async claimSignature(signed: string, body: string, justSigned: boolean): Promise<boolean> {
    const signature = `sig:${sha256(signed)}`
    const withBody = `${signature}:${sha256(body)}`
    if (await firstDelivery(this.db, DINGTALK, [signature, withBody])) return true
    if (justSigned) {
      await firstDelivery(this.db, DINGTALK, withBody)
      return true
    }
    return (await this.db.selectFrom('inbound_events').select('event_id').where('platform', '=', DINGTALK).where('event_id', '=', withBody).executeTakeFirst()) !== undefined
  }

  async acceptCardCallback(callback: CardCallback, deliveryId: string, conversation: Conversation): Promise<boolean> {
    if (!callback.outTrackId || !callback.userId) {
      this.log('dingtalk: card callback without outTrackId/userId ignored')
      return false
    }
    if (!(await firstDelivery(this.db, DINGTALK, `card:${deliveryId}`))) return false
    this.queue.push(callback.userId, () => handleThroughOutages((lastTry) => this.handleCardCallback(callback, deliveryId, conversation, lastTry)))
    return true
  }

  async idle(): Promise<void> {
    await this.queue.idle()
  }

  /** Throws a lost database connection (to be run again) unless it is the last try. */
  private async handleRobotMessage(message: RobotMessage, conversation: Conversation, lastTry: boolean): Promise<void> {
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
    const files = messageFiles(message)
    if (text === undefined && files.length === 0) {
      await this.platform.sendTextTo(staffId, TEXT_ONLY)
      return
    }
    const employee = await this.directory.employeeFor(staffId)
    if (!employee?.active) {
      await this.platform.sendTextTo(staffId, employee ? DEACTIVATED_TEXT : NOT_REGISTERED)
      return
    }
    await this.tellFailures(employee.id, lastTry, async () => {
      const tap = text === undefined ? undefined : parseTapText(text)
      if (tap) await this.tapFallbackCard(employee.id, tap, message.msgId!, conversation)
      else {
        // Downloaded only when the conversation reads them (not at all for someone outside a pilot).
        const attachments: InboundAttachment[] = files.map((f) => ({ name: f.name, mimeType: f.mimeType, fetch: () => this.downloadFile(f.downloadCode) }))
        await conversation.handleMessage({ platform: DINGTALK, userId: employee.id, text: text ?? '', eventId: message.msgId, ...(attachments.length > 0 ? { attachments } : {}) })
      }
    })
  }

  private async handleCardCallback(callback: CardCallback, deliveryId: string, conversation: Conversation, lastTry: boolean): Promise<void> {
    const staffId = callback.userId!
    const tap = parseCardTap(callback.content ?? callback.value)
    if (!tap) {
      this.log(`dingtalk: card callback ${deliveryId} without an action: ${callback.content ?? callback.value ?? ''}`)
      return
    }
    const employee = await this.directory.employeeFor(staffId)
    if (!employee?.active) {
      await this.platform.sendTextTo(staffId, employee ? DEACTIVATED_TEXT : NOT_REGISTERED)
      return
    }
    await this.tellFailures(employee.id, lastTry, async () => {
      // The outTrackId of every interactive card we send is our card id (DingtalkPlatform.sendCard).
      const cardId = callback.outTrackId!
      const outcome = await conversation.handleCardAction({ platform: DINGTALK, userId: employee.id, cardId, actionId: tap.actionId, comment: tap.comment, eventId: deliveryId, ...(tap.taskId ? { taskId: tap.taskId } : {}) })
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
  private async tellFailures(userId: string, lastTry: boolean, work: () => Promise<void>): Promise<void> {
    try {
      await work()
    } catch (error) {
      if (!lastTry && isConnectionFailure(error)) throw error
      const text = error instanceof DomainError ? error.zh : SOMETHING_WENT_WRONG
      if (!(error instanceof DomainError)) this.log(`dingtalk: handling a message from ${userId} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
      await this.platform.sendText(userId, text).catch((sendError: unknown) => this.log(`dingtalk: could not tell ${userId}: ${String(sendError)}`))
    }
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

const MIME_BY_EXTENSION: Record<string, string> = { pdf: 'application/pdf', xml: 'application/xml', ofd: 'application/ofd', jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png' }
const mimeOf = (name: string) => MIME_BY_EXTENSION[/\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? ''] ?? 'application/octet-stream'

/** Pictures and files in a robot message (msgtype picture, file, or pictures inside richText), by downloadCode. */
export function messageFiles(message: RobotMessage): { name: string; mimeType: string; downloadCode: string }[] {
  const content = message.content
  if (message.msgtype === 'picture' && content?.downloadCode) return [{ name: 'picture.jpg', mimeType: 'image/jpeg', downloadCode: content.downloadCode }]
  if (message.msgtype === 'file' && content?.downloadCode) {
    const name = content.fileName || 'file'
    return [{ name, mimeType: mimeOf(name), downloadCode: content.downloadCode }]
  }
  if (message.msgtype === 'richText') {
    return (content?.richText ?? []).flatMap((part, i) => (part.type === 'picture' && part.downloadCode ? [{ name: `picture-${i + 1}.jpg`, mimeType: 'image/jpeg', downloadCode: part.downloadCode }] : []))
  }
  return []
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
