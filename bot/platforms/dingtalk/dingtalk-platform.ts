import type { Card } from '../../cards/card.js'
import type { ChatPlatform, MessageRef } from '../../platform.js'
import { actionCard, actionCardRobotMessage, actionCardWebhookMessage, cardParamMap } from './dingtalk-cards.js'
import { DingtalkApiError, type DingtalkClient } from './dingtalk-client.js'
import { DINGTALK, type DingtalkDirectory } from './dingtalk-identity.js'

/** Robot messages cannot be edited; refs to them carry this prefix so updates skip them. */
const FIXED_MESSAGE = 'msg:'
/** Stop using a sessionWebhook a minute before DingTalk says it expires. */
const WEBHOOK_MARGIN_MS = 60_000

export interface DingtalkPlatformOptions {
  client: DingtalkClient
  directory: DingtalkDirectory
  /** An interactive-card template built in DingTalk's card platform; without one, ActionCards. */
  cardTemplateId?: string
  /** STREAM in Stream mode; HTTP sends taps to the URL registered under `callbackRouteKey`. */
  callbackType: 'STREAM' | 'HTTP'
  callbackRouteKey?: string
  now?: () => number
  log?: (message: string) => void
}

interface CreateAndDeliverResult {
  result?: { deliverResults?: { success?: boolean; errorMsg?: string; spaceId?: string }[] }
}

interface BatchSendResult {
  processQueryKey?: string
  invalidStaffIdList?: string[]
  flowControlledStaffIdList?: string[]
}

/**
 * The bot's voice on DingTalk. Replies go through the 1:1 conversation's sessionWebhook while it
 * is valid (no API quota), otherwise through the robot's batch-send API. Cards are interactive
 * cards, one instance per recipient with our card id as `outTrackId`, updated in place.
 */
export class DingtalkPlatform implements ChatPlatform {
  readonly name = DINGTALK
  private readonly sessions = new Map<string, { url: string; expiresAt: number }>()
  private readonly now: () => number

  constructor(private readonly options: DingtalkPlatformOptions) {
    this.now = options.now ?? Date.now
  }

  get interactiveCards(): boolean {
    return Boolean(this.options.cardTemplateId)
  }

  /** From a 1:1 robot message; group webhooks are never kept, so private notices stay private. */
  rememberSession(staffId: string, url: string, expiresAt: number): void {
    this.sessions.set(staffId, { url, expiresAt })
  }

  // DingTalk's robot send APIs take no idempotency key (SendOptions.idempotencyKey is unused): a send
  // that reached DingTalk although we saw an error (a lost answer) can show twice when retried. Cards
  // are safe: the card id is the instance's outTrackId, which DingTalk refuses to create twice.
  async sendText(userId: string, text: string): Promise<MessageRef> {
    return this.sendTextTo(await this.options.directory.staffIdFor(userId), text)
  }

  /** To a DingTalk user who may not be one of our employees (e.g. "you are not registered"). */
  async sendTextTo(staffId: string, text: string): Promise<MessageRef> {
    return this.deliver(staffId, { msgtype: 'text', text: { content: text } }, { msgKey: 'sampleText', msgParam: { content: text } })
  }

  async sendCard(userId: string, card: Card): Promise<MessageRef> {
    const staffId = await this.options.directory.staffIdFor(userId)
    const { cardTemplateId, client } = this.options
    if (!cardTemplateId) {
      const content = actionCard(card)
      return this.deliver(staffId, actionCardWebhookMessage(content), actionCardRobotMessage(content))
    }
    const response = await client
      .api<CreateAndDeliverResult>('POST', '/v1.0/card/instances/createAndDeliver', {
        cardTemplateId,
        outTrackId: card.id,
        callbackType: this.options.callbackType,
        ...(this.options.callbackType === 'HTTP' ? { callbackRouteKey: this.options.callbackRouteKey } : {}),
        cardData: { cardParamMap: cardParamMap(card) },
        openSpaceId: `dtv1.card//IM_ROBOT.${staffId}`,
        imRobotOpenSpaceModel: { supportForward: false },
        imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT', robotCode: client.robotCode },
        userIdType: 1,
      })
      .catch((error: unknown) => {
        // An earlier try created this card (its answer was lost): it is there, and updates reach it.
        if (error instanceof DingtalkApiError && /outTrackId\w*Duplicat/i.test(error.code)) return {} as CreateAndDeliverResult
        throw error
      })
    const failed = response.result?.deliverResults?.find((r) => r.success === false)
    if (failed) throw new Error(`钉钉卡片投递失败 / card delivery failed to ${staffId}: ${failed.errorMsg ?? 'unknown'}`)
    return { platform: this.name, messageId: card.id }
  }

  async updateCard(ref: MessageRef, card: Card): Promise<void> {
    // ActionCards cannot be edited: they stay as sent, and their buttons' commands are checked
    // against the request's current state when tapped.
    if (ref.messageId.startsWith(FIXED_MESSAGE)) return
    await this.options.client.api('PUT', '/v1.0/card/instances', {
      outTrackId: ref.messageId,
      cardData: { cardParamMap: cardParamMap(card) },
      // Overwrite, so variables a state no longer has (e.g. buttons) disappear.
      cardUpdateOptions: { updateCardDataByKey: false },
    })
  }

  private async deliver(staffId: string, webhookMessage: unknown, robotMessage: { msgKey: string; msgParam: Record<string, string> }): Promise<MessageRef> {
    const session = this.sessions.get(staffId)
    if (session && session.expiresAt - WEBHOOK_MARGIN_MS > this.now()) {
      try {
        await this.options.client.postSessionWebhook(session.url, webhookMessage)
        return { platform: this.name, messageId: `${FIXED_MESSAGE}${crypto.randomUUID()}` }
      } catch (error) {
        this.sessions.delete(staffId)
        this.options.log?.(`dingtalk: sessionWebhook failed, using the robot API instead: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    const { client } = this.options
    const result = await client.api<BatchSendResult>('POST', '/v1.0/robot/oToMessages/batchSend', {
      robotCode: client.robotCode,
      userIds: [staffId],
      msgKey: robotMessage.msgKey,
      msgParam: JSON.stringify(robotMessage.msgParam),
    })
    if (result.invalidStaffIdList?.includes(staffId)) throw new DingtalkApiError(400, 'invalidStaffId', `钉钉用户不存在或不在机器人可见范围 / invalid DingTalk user ${staffId}`)
    // Not sent for now: the delivery queue tries again later.
    if (result.flowControlledStaffIdList?.includes(staffId)) throw new DingtalkApiError(429, 'flowControlled', `钉钉对该用户限流，消息未发出 / DingTalk flow-controlled messages to ${staffId}`)
    return { platform: this.name, messageId: `${FIXED_MESSAGE}${result.processQueryKey ?? crypto.randomUUID()}` }
  }
}
