import type { BotServices } from '../../bot/bot-services.js'
import { Conversation, type CardActionOutcome } from '../../bot/conversation/conversation.js'
import type { InboundCardAction, InboundMessage, MessageRef } from '../../bot/platform.js'
import type { Log } from '../../ops/logging/log.js'
import type { AppMetrics } from '../../ops/metrics/app-metrics.js'
import type { RateLimits, Refusal } from '../../ops/rate-limit.js'
import { currentRequestContext, runInRequestContext, type RequestContext } from '../../ops/request-context.js'

export interface ConversationOps {
  metrics: AppMetrics
  log: Log
  /** Absent: no limits (tests, tools); the entries pass the configured ones. */
  limits?: RateLimits
  now: () => number
}

export const LLM_LIMIT_NOTICE = '（智能理解的使用次数已达上限，这条消息只按常用句式理解；稍后再试，或换个说法如「提交本月差旅费 3500元」。/ The AI reading limit is reached; this line was read by rules only.）'

function busyReply(refusal: Refusal): string {
  const seconds = Math.max(1, Math.ceil(refusal.retryAfterMs / 1000))
  return refusal.scope === 'user'
    ? `你发送得太频繁了，请 ${seconds} 秒后再发。/ Too many messages; please try again in ${seconds} s.`
    : `审批助手当前太忙，请 ${seconds} 秒后再发。/ The assistant is busy; please try again in ${seconds} s.`
}

/**
 * The conversation as every platform integration receives it: the same handling, plus what
 * operations need around it. Each line and tap runs with the sender in its request context (a
 * fresh one for WS/Stream deliveries, which have no HTTP request), is timed and counted by
 * platform, and a sender over the chat rate limit gets a readable reply instead of a handled command.
 */
export class OperatedConversation extends Conversation {
  constructor(
    private readonly bot: BotServices,
    private readonly ops: ConversationOps,
  ) {
    super(bot)
  }

  override async handleMessage(message: InboundMessage): Promise<MessageRef[]> {
    return this.inContext(message.userId, message.eventId, async (context) => {
      const { metrics, log, limits, now } = this.ops
      const refusal = limits?.chat(message.userId, now())
      if (refusal) {
        metrics.rateLimited.inc({ what: 'chat', scope: refusal.scope })
        metrics.chatEvents.inc({ platform: message.platform, kind: 'message', outcome: 'rate_limited' })
        log(`chat: line from ${message.userId} refused by the ${refusal.scope} rate limit`, { level: 'warn', platform: message.platform, scope: refusal.scope })
        return [await this.bot.messenger.sendText(message.userId, busyReply(refusal), message.platform)]
      }
      log(`chat: line from ${message.userId} via ${message.platform} (${message.text.length} chars)`, { platform: message.platform, eventId: message.eventId })
      const refs = await this.measured(message.platform, 'message', () => super.handleMessage(message))
      if (context.llmLimited) refs.push(await this.bot.messenger.sendText(message.userId, LLM_LIMIT_NOTICE, message.platform))
      return refs
    })
  }

  override async handleCardAction(action: InboundCardAction): Promise<CardActionOutcome> {
    return this.inContext(action.userId, action.eventId, async () => {
      this.ops.log(`chat: tap ${action.actionId} on card ${action.cardId} by ${action.userId} via ${action.platform}`, { platform: action.platform, card: action.cardId, action: action.actionId })
      return this.measured(action.platform, 'card', () => super.handleCardAction(action))
    })
  }

  private inContext<T>(userId: string, eventId: string | undefined, work: (context: RequestContext) => Promise<T>): Promise<T> {
    const current = currentRequestContext()
    if (current) {
      current.userId = userId
      current.llmLimited = false
      return work(current)
    }
    const context: RequestContext = { requestId: eventId ? `evt-${eventId}` : crypto.randomUUID(), userId }
    return runInRequestContext(context, () => work(context))
  }

  private async measured<T>(platform: string, kind: 'message' | 'card', handle: () => Promise<T>): Promise<T> {
    const started = performance.now()
    let outcome = 'error'
    try {
      const result = await handle()
      outcome = (result as { ok?: boolean }).ok === false ? 'refused' : 'ok'
      return result
    } finally {
      this.ops.metrics.chatEvents.inc({ platform, kind, outcome })
      this.ops.metrics.chatSeconds.observe({ platform, kind }, (performance.now() - started) / 1000)
    }
  }
}
