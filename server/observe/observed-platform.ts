import type { Card } from '../../bot/cards/card.js'
import type { ChatPlatform, MessageRef, SendOptions } from '../../bot/platform.js'
import type { Log } from '../../ops/logging/log.js'
import type { AppMetrics } from '../../ops/metrics/app-metrics.js'

/**
 * A chat platform as the messenger uses it: each text, card and card update is counted by result
 * and logged (who, which card, which request, how long; never the text) under the current request id.
 */
export function observePlatform(platform: ChatPlatform, metrics: AppMetrics, log: Log): ChatPlatform {
  const observed = async <T>(kind: 'text' | 'card' | 'update', what: string, extra: Record<string, unknown>, send: () => Promise<T>): Promise<T> => {
    const started = performance.now()
    try {
      const result = await send()
      metrics.outboundMessages.inc({ platform: platform.name, kind, result: 'ok' })
      log(`chat: ${what} via ${platform.name} (${Math.round(performance.now() - started)} ms)`, { platform: platform.name, kind, ...extra })
      return result
    } catch (error) {
      metrics.outboundMessages.inc({ platform: platform.name, kind, result: 'error' })
      log(`chat: ${what} via ${platform.name} failed: ${error instanceof Error ? error.message : String(error)}`, { level: 'warn', platform: platform.name, kind, ...extra })
      throw error
    }
  }
  return {
    name: platform.name,
    sendText: (userId: string, text: string, options?: SendOptions): Promise<MessageRef> =>
      observed('text', `text to ${userId}`, { to: userId, chars: text.length }, () => platform.sendText(userId, text, options)),
    sendCard: (userId: string, card: Card, options?: SendOptions): Promise<MessageRef> =>
      observed('card', `card ${card.requestNo ?? card.id} "${card.status}" to ${userId}`, { to: userId, card: card.id, requestNo: card.requestNo }, () => platform.sendCard(userId, card, options)),
    updateCard: (ref: MessageRef, card: Card): Promise<void> =>
      observed('update', `card ${card.requestNo ?? card.id} updated to "${card.status}"`, { card: card.id, requestNo: card.requestNo, messageId: ref.messageId }, () => platform.updateCard(ref, card)),
  }
}
