import { DomainError } from '../../workflow/errors.js'
import type { BotServices } from '../bot-services.js'
import type { Card } from '../cards/card.js'
import type { Intent } from '../nlu/command.js'
import type { InboundCardAction, InboundMessage, MessageRef } from '../platform.js'
import { approveByText, listApprovals, rejectByText } from './handlers/approvals.js'
import { submitExpense } from './handlers/expense-submit.js'
import { help, notUnderstood } from './handlers/help.js'
import { requestStatus } from './handlers/request-status.js'
import { withdrawRequest } from './handlers/request-withdraw.js'
import { HandlerContext, type CommandHandler } from './handler-context.js'
import { announceSubmission, decideAndAnnounce, performRequestAction } from './request-effects.js'

const CANCEL_WORDS = new Set(['取消', '算了', '不用了', 'cancel', '退出'])

/** Intents whose request types arrive in later releases: say so plainly instead of guessing. */
const comingSoon = (what: string): CommandHandler => async (ctx) => {
  await ctx.reply(`${what}功能即将上线，目前可以在聊天中提交费用报销、查询进度和审批。`)
}

const HANDLERS: Record<Intent, CommandHandler> = {
  'expense.submit': submitExpense,
  'purchase.request': comingSoon('采购申请'),
  'hr.transfer': comingSoon('调岗申请'),
  'hr.resign': comingSoon('离职申请'),
  'project.initiate': comingSoon('立项申请'),
  'request.status': requestStatus,
  'request.withdraw': withdrawRequest,
  'approval.list': listApprovals,
  'approval.approve': approveByText,
  'approval.reject': rejectByText,
  help,
  unknown: notUnderstood,
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
    const text = message.text.trim()
    const pending = await this.services.conversations.get(user.id)

    if (pending && CANCEL_WORDS.has(text.toLowerCase())) {
      await this.services.conversations.clear(user.id)
      const ctx = new HandlerContext(this.services, user, message.platform, text, { intent: 'unknown', slots: {}, confidence: 1, source: 'rules' })
      await ctx.reply('好的，已取消正在填写的申请')
      return ctx.replies
    }

    let command = await this.services.parser.parse(text, new Date(this.services.now()))
    if (pending && (command.intent === 'unknown' || command.intent === pending.intent)) {
      // An answer to our question: its slots fill the half-done command.
      command = { ...command, intent: pending.intent, slots: { ...pending.slots, ...command.slots } }
    } else if (pending) {
      await this.services.conversations.clear(user.id)
    }
    const ctx = new HandlerContext(this.services, user, message.platform, text, command)
    await HANDLERS[command.intent](ctx)
    return ctx.replies
  }

  async handleCardAction(action: InboundCardAction): Promise<CardActionOutcome> {
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

  private async act(requestId: string, action: InboundCardAction): Promise<string> {
    const { requests } = this.services
    switch (action.actionId) {
      case 'confirm':
        return announceSubmission(this.services, await requests.submit(requestId, action.userId))
      case 'cancel':
        await requests.cancelDraft(requestId, action.userId)
        await this.services.cards.refresh(requestId)
        return '已取消'
      case 'approve':
      case 'reject':
        return decideAndAnnounce(this.services, { requestId, actorId: action.userId, decision: action.actionId, comment: action.comment })
      default:
        return performRequestAction(this.services, requestId, action)
    }
  }
}
