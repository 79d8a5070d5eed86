import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { Schema } from '../../../db/schema.js'
import { isDomainError } from '../../../workflow/errors.js'
import type { CardActionOutcome, Conversation } from '../../conversation/conversation.js'
import { DEACTIVATED } from '../../identity/identity-links.js'
import type { InboundAttachment } from '../../platform.js'
import { isConnectionFailure } from '../../../db/connection-failure.js'
import { firstDelivery } from '../../inbound-events.js'
import { escape } from '../../nlu/rules/categories.js'
import { handleThroughOutages } from '../../through-outages.js'
import type { FeishuOutbound } from './feishu-outbound.js'
import { COMMENT_INPUT, cardTapOf, renderFeishuCard } from './feishu-cards.js'
import { FEISHU, NOT_REGISTERED, type FeishuIdentity } from './feishu-identity.js'
import type { FeishuPlatform } from './feishu-platform.js'
import type { WorkQueue } from './feishu-work-queue.js'

const mention = z.object({ key: z.string(), id: z.object({ open_id: z.string().optional() }).optional() })

const messageEvent = z.object({
  header: z.object({ event_id: z.string().min(1) }),
  event: z.object({
    sender: z.object({ sender_id: z.object({ open_id: z.string().min(1) }), sender_type: z.string().optional() }),
    message: z.object({
      message_id: z.string().min(1),
      chat_type: z.string(),
      message_type: z.string(),
      content: z.string(),
      mentions: z.array(mention).optional(),
    }),
  }),
})

const tapAction = z.object({ value: z.unknown(), form_value: z.record(z.string(), z.unknown()).optional() })

const cardEvent = z.object({
  header: z.object({ event_id: z.string().min(1) }),
  event: z.object({
    operator: z.object({ open_id: z.string().min(1) }),
    token: z.string().optional(),
    action: tapAction,
    context: z.object({ open_message_id: z.string().min(1) }),
  }),
})

const legacyCardCallback = z.object({ open_id: z.string().min(1), open_message_id: z.string().min(1), token: z.string().min(1), action: tapAction })

type MessageEvent = z.infer<typeof messageEvent>

/** What to send back to Feishu, and what to do once it has been sent. */
export interface CallbackReply {
  answer: object
  afterAnswer?: () => void
}

export interface FeishuInboundDeps {
  db: Kysely<Schema>
  api: FeishuOutbound
  platform: FeishuPlatform
  identity: FeishuIdentity
  conversation: Conversation
  queue: WorkQueue
  log: (message: string) => void
  /** How long a card tap may work before the callback is answered without the new card (Feishu allows 3 s in all). */
  cardAnswerBudgetMs: number
  /**
   * The tapped card may be edited only after Feishu has our answer; a handler cannot see the
   * socket flush, so follow-up edits wait this long after the answer is handed over.
   */
  afterAnswerDelayMs: number
  now: () => number
}

const TRY_AGAIN = '处理失败，请稍后重试 / something went wrong, please try again'
const IDENTITY_UNAVAILABLE = '暂时无法确认你的身份，请稍后再试 / cannot look you up right now, please try again later'

/** Text of a text or rich-text (post) message, with @-mention placeholders (@_user_1) removed. */
export function messageText(message: MessageEvent['event']['message']): string | undefined {
  let content: unknown
  try {
    content = JSON.parse(message.content)
  } catch {
    return undefined
  }
  let text: string | undefined
  if (message.message_type === 'text') {
    text = typeof (content as { text?: unknown }).text === 'string' ? (content as { text: string }).text : undefined
  } else if (message.message_type === 'post') {
    const paragraphs = (content as { content?: unknown }).content
    if (Array.isArray(paragraphs)) {
      text = paragraphs
        .map((line) => (Array.isArray(line) ? line.map((item: { tag?: string; text?: string }) => (item.tag === 'text' || item.tag === 'a' ? (item.text ?? '') : '')).join('') : ''))
        .join('\n')
    }
  }
  if (text === undefined) return undefined
  return withoutMentions(text, (message.mentions ?? []).map((m) => m.key)).replace(/[ \t]+/g, ' ').trim()
}

/**
 * All placeholders in one pass, longest key first and never followed by a digit: removed one key
 * at a time, @_user_1 would leave the "0" of @_user_10 behind, to be read as part of the line.
 */
function withoutMentions(text: string, keys: string[]): string {
  const alternatives = keys.filter(Boolean).sort((a, b) => b.length - a.length).map(escape)
  return text.replace(new RegExp(`(?:${[...alternatives, '@_user_\\d+', '@_all'].join('|')})(?!\\d)`, 'g'), ' ')
}

const MIME_BY_EXTENSION: Record<string, string> = { pdf: 'application/pdf', xml: 'application/xml', ofd: 'application/ofd', jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png' }
const mimeOf = (name: string) => MIME_BY_EXTENSION[/\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? ''] ?? 'application/octet-stream'

/** Images and files in a message (image, file, or images inside a rich-text post), by resource key. */
export function messageFiles(message: MessageEvent['event']['message']): { name: string; mimeType: string; key: string; type: 'image' | 'file' }[] {
  let content: { image_key?: unknown; file_key?: unknown; file_name?: unknown; content?: unknown }
  try {
    content = JSON.parse(message.content) as typeof content
  } catch {
    return []
  }
  if (message.message_type === 'image' && typeof content.image_key === 'string') return [{ name: 'image.jpg', mimeType: 'image/jpeg', key: content.image_key, type: 'image' }]
  if (message.message_type === 'file' && typeof content.file_key === 'string') {
    const name = typeof content.file_name === 'string' && content.file_name ? content.file_name : 'file'
    return [{ name, mimeType: mimeOf(name), key: content.file_key, type: 'file' }]
  }
  if (message.message_type === 'post' && Array.isArray(content.content)) {
    const images = (content.content as unknown[]).flat().filter((item): item is { tag: string; image_key: string } => typeof item === 'object' && item !== null && (item as { tag?: unknown }).tag === 'img' && typeof (item as { image_key?: unknown }).image_key === 'string')
    return images.map((img, i) => ({ name: `image-${i + 1}.jpg`, mimeType: 'image/jpeg', key: img.image_key, type: 'image' as const }))
  }
  return []
}

/**
 * Everything that arrives from Feishu, once authenticated (HTTP after signature checks, or the WS
 * long connection): chat lines are acknowledged at once and handled in the background; card taps
 * are answered within Feishu's 3 s, with the new card when the work is done in time.
 */
export class FeishuInbound {
  constructor(private readonly deps: FeishuInboundDeps) {}

  async handle(body: Record<string, unknown>, options: { legacyCard?: boolean } = {}): Promise<CallbackReply> {
    if (options.legacyCard) return this.legacyTap(body)
    const header = (body.header ?? {}) as { event_type?: unknown }
    switch (header.event_type) {
      case 'im.message.receive_v1':
        await this.acceptMessage(body)
        return { answer: {} }
      case 'card.action.trigger':
        return this.answerTap(body)
      default:
        this.deps.log(`feishu: ignoring event ${String(header.event_type)} (not subscribed by us)`)
        return { answer: {} }
    }
  }

  /** Call right after handing `reply.answer` to the transport. */
  followUp(reply: CallbackReply): void {
    const { afterAnswer } = reply
    if (!afterAnswer) return
    void this.deps.queue.track(new Promise<void>((resolve) => setTimeout(() => resolve(afterAnswer()), this.deps.afterAnswerDelayMs)))
  }

  private async acceptMessage(body: Record<string, unknown>): Promise<void> {
    const parsed = messageEvent.safeParse(body)
    if (!parsed.success) {
      this.deps.log(`feishu: malformed im.message.receive_v1 ignored: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
      return
    }
    const { header, event } = parsed.data
    if (event.sender.sender_type && event.sender.sender_type !== 'user') return
    // A group line that @-mentions nobody cannot be for the bot, whichever way and however often it arrives: nothing to record.
    if (event.message.chat_type !== 'p2p' && !event.message.mentions?.length) return
    // One row per event id and one per message id: a redelivery, or the same message reaching us by
    // HTTP and WS, is acknowledged and dropped here, on whichever instance sees it second.
    if (!(await firstDelivery(this.deps.db, FEISHU, [header.event_id, `msg:${event.message.message_id}`], this.deps.now()))) return
    const openId = event.sender.sender_id.open_id
    this.deps.queue.enqueue(openId, () => handleThroughOutages((lastTry) => this.processMessage(header.event_id, openId, event.message, lastTry)))
  }

  /** Throws a lost database connection (to be run again) unless it is the last try. */
  private async processMessage(eventId: string, openId: string, message: MessageEvent['event']['message'], lastTry: boolean): Promise<void> {
    const inGroup = message.chat_type !== 'p2p'
    const replyTo = { messageId: message.message_id, inGroup }
    if (inGroup && !(await this.mentionsBot(message))) return
    let employee
    try {
      employee = await this.deps.identity.employeeFor(openId)
    } catch (error) {
      if (!lastTry && isConnectionFailure(error)) throw error
      this.deps.log(`feishu: cannot resolve ${openId} (contact API; check the contact scopes in the README): ${String(error)}`)
      await this.deps.platform.sendTextToOpenId(openId, IDENTITY_UNAVAILABLE, replyTo)
      return
    }
    if (!employee?.active) {
      await this.deps.platform.sendTextToOpenId(openId, employee ? DEACTIVATED.zh : NOT_REGISTERED, replyTo)
      return
    }
    const userId = employee.id
    const text = messageText(message)
    // Downloaded only when the conversation reads them (not at all for someone outside a pilot).
    const attachments: InboundAttachment[] = messageFiles(message).map((f) => ({ name: f.name, mimeType: f.mimeType, fetch: () => this.deps.api.messageResource(message.message_id, f.key, f.type) }))
    await this.deps.platform.answering({ userId, ...replyTo }, async () => {
      if (text === undefined && attachments.length === 0) {
        await this.deps.platform.sendText(userId, '目前只能处理文字、图片和文件消息，请直接输入，例如「提交本月差旅费 3500元」')
        return
      }
      try {
        const typed = text || (attachments.length > 0 ? '' : '帮助')
        await this.deps.conversation.handleMessage({ platform: FEISHU, userId, text: typed, eventId, ...(attachments.length > 0 ? { attachments } : {}) })
      } catch (error) {
        if (!lastTry && isConnectionFailure(error)) throw error
        this.deps.log(`feishu: message ${message.message_id} from ${userId} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
        await this.deps.platform.sendText(userId, isDomainError(error) ? error.message : TRY_AGAIN)
      }
    })
  }

  /** With the read-all-group-messages scope every group line arrives; only those @-mentioning us are ours. */
  private async mentionsBot(message: MessageEvent['event']['message']): Promise<boolean> {
    const mentions = message.mentions ?? []
    try {
      const botId = await this.deps.api.botOpenId()
      return mentions.some((m) => m.id?.open_id === botId)
    } catch (error) {
      this.deps.log(`feishu: bot info unavailable, treating any @-mention as ours: ${String(error)}`)
      return mentions.length > 0
    }
  }

  private async answerTap(body: Record<string, unknown>): Promise<CallbackReply> {
    const parsed = cardEvent.safeParse(body)
    if (!parsed.success) {
      this.deps.log(`feishu: malformed card.action.trigger ignored: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
      return { answer: toast('error', '无法识别的操作 / unrecognised action') }
    }
    const { header, event } = parsed.data
    // A click delivered twice is answered once; the first answer already updated the card.
    if (!(await firstDelivery(this.deps.db, FEISHU, header.event_id, this.deps.now()))) return { answer: {} }
    return this.tap({ openId: event.operator.open_id, messageId: event.context.open_message_id, token: event.token, action: event.action, eventId: header.event_id })
  }

  /** Legacy ("消息卡片请求网址") taps: their answer format is the bare card, so answer `{}` and update after. */
  private async legacyTap(body: Record<string, unknown>): Promise<CallbackReply> {
    const parsed = legacyCardCallback.safeParse(body)
    if (!parsed.success) return { answer: {} }
    const { open_id, open_message_id, token, action } = parsed.data
    if (!(await firstDelivery(this.deps.db, FEISHU, `card:${token}`, this.deps.now()))) return { answer: {} }
    const reply = await this.tap({ openId: open_id, messageId: open_message_id, action, eventId: `card:${token}`, answerAtOnce: true })
    return { answer: {}, afterAnswer: reply.afterAnswer }
  }

  private async tap(input: {
    openId: string
    messageId: string
    token?: string
    action: z.infer<typeof tapAction>
    eventId: string
    answerAtOnce?: boolean
  }): Promise<CallbackReply> {
    const tap = cardTapOf(input.action.value)
    if (!tap) return { answer: toast('error', '无法识别的操作 / unrecognised action') }
    let employee
    try {
      employee = await this.deps.identity.employeeFor(input.openId)
    } catch (error) {
      this.deps.log(`feishu: cannot resolve tap operator ${input.openId}: ${String(error)}`)
      return { answer: toast('error', IDENTITY_UNAVAILABLE) }
    }
    if (!employee?.active) return { answer: toast('error', employee ? DEACTIVATED.zh : NOT_REGISTERED) }
    const userId = employee.id
    const comment = input.action.form_value?.[COMMENT_INPUT]
    const release = this.deps.platform.holdUpdates(input.messageId)
    const work = this.deps.queue.track(
      this.deps.conversation.handleCardAction({
        platform: FEISHU,
        userId,
        cardId: tap.card,
        actionId: tap.action,
        ...(tap.task ? { taskId: tap.task } : {}),
        comment: typeof comment === 'string' && comment.trim() ? comment.trim() : undefined,
        eventId: input.eventId,
      }),
    )
    const inTime = input.answerAtOnce ? undefined : await settledWithin(work, this.deps.cardAnswerBudgetMs)

    if (inTime?.ok) {
      const outcome = inTime.value
      return {
        answer: { ...outcomeToast(outcome), ...(outcome.card ? { card: { type: 'raw', data: renderFeishuCard(outcome.card, this.deps.log) } } : {}) },
        afterAnswer: () => this.finish(release({ answered: outcome.card })),
      }
    }
    if (inTime && !inTime.ok) {
      this.deps.log(`feishu: card tap ${tap.action} on ${tap.card} by ${userId} failed: ${String(inTime.error)}`)
      return { answer: toast('error', TRY_AGAIN), afterAnswer: () => this.finish(release({})) }
    }
    // Slow (a sluggish ERP, DB or Feishu): answer now, let the card follow when the work is done.
    const afterAnswer = () =>
      this.finish(
        work.then(
          async (outcome) => {
            await release({ fallback: outcome.card, token: input.token })
            if (!outcome.ok) await this.deps.platform.sendText(userId, outcome.message)
          },
          async (error: unknown) => {
            this.deps.log(`feishu: card tap ${tap.action} on ${tap.card} by ${userId} failed: ${String(error)}`)
            await release({})
            await this.deps.platform.sendText(userId, TRY_AGAIN)
          },
        ),
      )
    return { answer: input.answerAtOnce ? {} : toast('info', '已收到，正在处理… / received, working on it'), afterAnswer }
  }

  private finish(work: Promise<unknown>): void {
    void this.deps.queue.track(work.catch((error: unknown) => this.deps.log(`feishu: updating the tapped card failed: ${String(error)}`)))
  }
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown }

/** The work's result if it settles within `ms`, else undefined (the work carries on). */
async function settledWithin<T>(work: Promise<T>, ms: number): Promise<Settled<T> | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))
  try {
    return await Promise.race([work.then((value): Settled<T> => ({ ok: true, value }), (error: unknown): Settled<T> => ({ ok: false, error })), timeout])
  } finally {
    clearTimeout(timer)
  }
}

function toast(type: 'success' | 'error' | 'info' | 'warning', content: string, i18n?: { zh_cn: string; en_us: string }) {
  return { toast: { type, content, ...(i18n ? { i18n } : {}) } }
}

function outcomeToast(outcome: CardActionOutcome) {
  if (outcome.ok) return toast('success', outcome.message)
  const error = outcome.error
  return error ? toast('error', error.zh, { zh_cn: error.zh, en_us: error.en }) : toast('error', outcome.message)
}
