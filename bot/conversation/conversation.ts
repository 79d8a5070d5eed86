import { DomainError } from '../../workflow/errors.js'
import { pilotAnswer } from '../../workflow/receipts/rollout/pilot.js'
import type { BotServices } from '../bot-services.js'
import { DEACTIVATED } from '../identity/identity-links.js'
import type { Card } from '../cards/card.js'
import type { Intent, ParsedCommand } from '../nlu/command.js'
import { parseAnswerTo, parseWithRules } from '../nlu/rules/index.js'
import type { InboundCardAction, InboundMessage, MessageRef } from '../platform.js'
import { approveByText, listApprovals, rejectByText } from './handlers/approvals.js'
import { submitExpense } from './handlers/expense-submit.js'
import { cancelDelegation, listDelegations, setDelegation } from './handlers/delegation.js'
import { help, notUnderstood } from './handlers/help.js'
import { attachToDraft, receiveReceipts } from './handlers/receipt-upload.js'
import { requestStatus } from './handlers/request-status.js'
import { offerRequestTypes } from './handlers/request-type-choice.js'
import { withdrawRequest } from './handlers/request-withdraw.js'
import { submitProject, submitPurchase, submitResignation, submitTransfer } from './handlers/request-submit.js'
import { abandons, continueConfirmation, isCancelWord, offerEdits } from './confirmation.js'
import type { PendingCommand } from './conversation-store.js'
import { HandlerContext, type CommandHandler } from './handler-context.js'
import { announceSubmission, decideAndAnnounce, performRequestAction } from './request-effects.js'
import { saidBy } from './say-action.js'
import { answerFor } from './slot-answers.js'

/** Outside a pilot's departments people may still decide on the requests of those inside it, and name stand-ins to decide. */
const OPEN_OUTSIDE_PILOT = new Set<Intent>(['approval.list', 'approval.approve', 'approval.reject', 'help', 'delegation.set', 'delegation.cancel', 'delegation.list'])

/** Intents whose request types arrive in later releases: say so plainly instead of guessing. */
const HANDLERS: Record<Intent, CommandHandler> = {
  'expense.submit': submitExpense,
  'purchase.request': submitPurchase,
  'hr.transfer': submitTransfer,
  'hr.resign': submitResignation,
  'project.initiate': submitProject,
  'request.status': requestStatus,
  'request.withdraw': withdrawRequest,
  'approval.list': listApprovals,
  'approval.approve': approveByText,
  'approval.reject': rejectByText,
  help,
  unknown: notUnderstood,
  'delegation.set': setDelegation,
  'delegation.cancel': cancelDelegation,
  'delegation.list': listDelegations,
}

export interface CardActionOutcome {
  ok: boolean
  /** Toast text for the person who tapped. */
  message: string
  /** The card as that person should now see it. */
  card?: Card
  error?: DomainError
}

/** The conversation: one inbound line or tap in, replies and domain calls out. */
export class Conversation {
  constructor(private readonly services: BotServices) {}

  /** Returns what was sent back to the user for this line (the simulator shows it inline). */
  async handleMessage(message: InboundMessage): Promise<MessageRef[]> {
    const user = await this.services.org.employee(message.userId)
    if (!user) throw new DomainError('NOT_FOUND', '你还未在系统中登记，请联系管理员', 'you are not registered; ask an administrator')
    // Said before anything is parsed: 「同意」 from a leaver must not read as "nothing waits for you".
    if (!user.active) throw new DomainError('FORBIDDEN', DEACTIVATED.zh, DEACTIVATED.en)
    const text = message.text.trim()
    let pending = await this.services.conversations.get(user.id)
    // 「取消」 to something half done needs no parse (and no model call).
    const understood = text && !(pending && isCancelWord(text))
    let command = understood ? await this.understand(text, pending) : { intent: 'unknown' as const, slots: {}, confidence: 1, source: 'rules' as const }

    // An expense claim waiting for 确认, to which files sent now belong (see below).
    let waitingClaim: string | undefined
    if (pending?.awaiting === 'confirmation') {
      const ctx = new HandlerContext(this.services, user, message.platform, text, command)
      const outcome = await continueConfirmation(ctx, pending)
      if (outcome === 'done') return ctx.replies
      if (outcome === 'confirmed') {
        const confirmed = new HandlerContext(this.services, user, message.platform, text, { intent: pending.intent, slots: pending.slots, confidence: 1, source: 'rules' })
        await HANDLERS[pending.intent](confirmed)
        return confirmed.replies
      }
      if (pending.intent === 'expense.submit') waitingClaim = pending.draftId
      pending = null
    }

    if (pending && abandons(text, command)) {
      await this.services.conversations.clear(user.id)
      const ctx = new HandlerContext(this.services, user, message.platform, text, { intent: 'unknown', slots: {}, confidence: 1, source: 'rules' })
      await ctx.reply('好的，已取消正在填写的申请')
      return ctx.replies
    }

    const pilot = await pilotAnswer(await this.services.settings.read('pilot'), this.services.org, user)
    if (!pilot.served && (message.attachments?.length || !OPEN_OUTSIDE_PILOT.has(command.intent))) {
      const ctx = new HandlerContext(this.services, user, message.platform, text, command)
      await ctx.reply(pilot.message)
      return ctx.replies
    }
    if (message.attachments?.length && waitingClaim && command.intent === 'unknown' && Object.keys(command.slots).length === 0) {
      // Still waiting (continueConfirmation forgets a claim confirmed or cancelled meanwhile).
      if ((await this.services.conversations.get(user.id))?.draftId === waitingClaim) {
        const ctx = new HandlerContext(this.services, user, message.platform, text, command)
        await attachToDraft(ctx, message.attachments, waitingClaim)
        return ctx.replies
      }
    }
    if (message.attachments?.length) {
      // Files prefill an expense claim, or join the one being filled in; whatever was typed with them, or answered before, still wins.
      const typed = command.intent === 'expense.submit' || command.intent === 'unknown' ? command.slots : {}
      const claim = pending?.intent === 'expense.submit' ? pending : undefined
      const ctx = new HandlerContext(this.services, user, message.platform, text, { ...command, intent: 'expense.submit', slots: { ...claim?.slots, ...typed } })
      await receiveReceipts(ctx, message.attachments, typed, claim)
      return ctx.replies
    }
    if (!pending && command.intent === 'unknown' && command.slots.amount !== undefined && /[元块¥￥]/.test(text)) {
      // A sum of money on its own ("350元") is most likely a claim: ask which kind, best guesses first.
      // A bare number is not: it is usually the answer to a question already cancelled or expired.
      command = { ...command, intent: 'expense.submit' }
    }
    if (pending && pending.awaiting !== 'confirmation' && (command.intent === 'unknown' || command.intent === pending.intent)) {
      // An answer to our question: its slots fill the half-done command, read as part of it
      // (「3台，预算1.5万」 to 「需要多少？」 gives both), by the rules alone.
      const inContext = command.intent === 'unknown' ? parseAnswerTo(pending.intent, text, new Date(this.services.now())) : {}
      const parsed = { ...inContext, ...command.slots }
      command = { ...command, intent: pending.intent, slots: { ...pending.slots, ...parsed, ...answerFor(pending.awaiting, text, parsed) } }
    } else if (pending) {
      await this.services.conversations.clear(user.id)
    }
    const ctx = new HandlerContext(this.services, user, message.platform, text, command)
    // Only a fresh line: an answer to our own question is never second-guessed.
    if (!pending && (await offerRequestTypes(ctx))) return ctx.replies
    await HANDLERS[command.intent](ctx)
    return ctx.replies
  }

  /**
   * An answer to our question is read by the rules first, as an answer (parseAnswerTo): the model,
   * which is never told the question, is asked only when they find nothing for the slot asked, and
   * its reading may not make the answer another command unless the rules read that command too.
   */
  private async understand(text: string, pending: PendingCommand | null): Promise<ParsedCommand> {
    const now = new Date(this.services.now())
    if (!pending || pending.awaiting === 'confirmation') return this.services.parser.parse(text, now)
    const rules = parseWithRules(text, now)
    if (rules.intent === 'unknown' || rules.intent === pending.intent) {
      const parsed = { ...(rules.intent === 'unknown' ? parseAnswerTo(pending.intent, text, now) : {}), ...rules.slots }
      if (parsed[pending.awaiting] !== undefined || answerFor(pending.awaiting, text, parsed)[pending.awaiting] !== undefined) return rules
    }
    const read = await this.services.parser.parse(text, now)
    return read.intent === pending.intent || read.intent === rules.intent ? read : { ...read, intent: 'unknown' }
  }

  async handleCardAction(action: InboundCardAction): Promise<CardActionOutcome> {
    const said = saidBy(action.actionId)
    if (said !== undefined) return this.sayFor(action, said)
    const card = await this.services.cards.find(action.cardId)
    try {
      if (!card) throw new DomainError('NOT_FOUND', '找不到这张卡片', 'card not found')
      if (card.recipient_id !== action.userId) {
        throw new DomainError('FORBIDDEN', '这张卡片不是发给你的，你不能操作', 'this card was not sent to you')
      }
      const message = await this.act(card.request_id, action)
      return { ok: true, message, card: await this.services.cards.render(card) }
    } catch (error) {
      if (!(error instanceof DomainError)) throw error
      return { ok: false, message: error.message, error, card: card && (await this.services.cards.render(card)) }
    }
  }

  /** A choice button: handled as the line it stands for, sent by the person who tapped. */
  private async sayFor(action: InboundCardAction, text: string): Promise<CardActionOutcome> {
    try {
      await this.handleMessage({ platform: action.platform, userId: action.userId, text, eventId: action.eventId })
      return { ok: true, message: `已选择：${text}` }
    } catch (error) {
      if (!(error instanceof DomainError)) throw error
      return { ok: false, message: error.message, error }
    }
  }

  private async act(requestId: string, action: InboundCardAction): Promise<string> {
    const { requests } = this.services
    switch (action.actionId) {
      case 'confirm':
        return announceSubmission(this.services, await requests.submit(requestId, action.userId))
      case 'edit':
        return offerEdits(this.services, requestId, action.userId, action.platform)
      case 'cancel':
        await requests.cancelDraft(requestId, action.userId)
        await this.services.cards.refresh(requestId)
        return '已取消'
      case 'approve':
      case 'reject':
        return decideAndAnnounce(this.services, { requestId, actorId: action.userId, decision: action.actionId, comment: action.comment, taskId: action.taskId })
      default:
        return performRequestAction(this.services, requestId, action)
    }
  }
}
