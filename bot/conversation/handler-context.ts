import type { Employee } from '../../workflow/org.js'
import type { BotServices } from '../bot-services.js'
import type { Card } from '../cards/card.js'
import type { CardAudience } from '../cards/request-card.js'
import type { ParsedCommand } from '../nlu/command.js'
import type { MessageRef } from '../platform.js'

/**
 * What a handler gets: who is talking, what they meant, and reply functions that work on any
 * platform. Handlers never know which chat platform they serve.
 */
export class HandlerContext {
  readonly replies: MessageRef[] = []

  constructor(
    readonly services: BotServices,
    readonly user: Employee,
    readonly platform: string,
    readonly text: string,
    readonly command: ParsedCommand,
  ) {}

  async reply(text: string): Promise<void> {
    this.replies.push(await this.services.messenger.sendText(this.user.id, text, this.platform))
  }

  /** A card that is not about one request (a choice to make); its buttons say what a tap means. */
  async replyWithCard(card: Card): Promise<void> {
    this.replies.push(await this.services.messenger.sendCard(this.user.id, card, this.platform))
  }

  async replyWithRequestCard(requestId: string, audience: CardAudience = 'requester'): Promise<void> {
    this.replies.push(await this.services.cards.deliver(requestId, this.user.id, audience, this.platform))
  }
}

export type CommandHandler = (ctx: HandlerContext) => Promise<void>
