import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { serve } from '@hono/node-server'
import type { DeliveryPolicy } from '../../bot/delivery/delivery-store.js'
import { createFeishuIntegration, type FeishuIntegration, type FeishuSettings } from '../../bot/platforms/feishu/feishu-integration.js'
import { cardActionEnvelope, FeishuEventPusher, messageEnvelope, type PushResult } from '../fakes/feishu/feishu-event-pusher.js'
import { FakeFeishuOpenPlatform, type FakeUser } from '../fakes/feishu/fake-open-platform.js'
import { readCard, type SeenCard } from '../fakes/feishu/seen-card.js'
import type { TestDbKind } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'

export { readCard, type SeenCard }

export const APP = {
  appId: 'cli_0123456789abcdef',
  appSecret: 'app-secret-for-tests',
  verificationToken: 'verification-token-for-tests',
  encryptKey: 'encrypt-key-for-tests',
}

/**
 * The demo company as Feishu knows it. Each person matches the employee master a different way:
 * 张三 and 孙八 by 工号, 李四 and 王五 by company e-mail; 路人甲 matches nobody.
 */
export const OPEN_ID = {
  zhangsan: 'ou_zhangsan000000000000000000001',
  lisi: 'ou_lisi00000000000000000000000002',
  wangwu: 'ou_wangwu0000000000000000000000003',
  sunba: 'ou_sunba00000000000000000000000007',
  stranger: 'ou_stranger00000000000000000000099',
}

export const FEISHU_USERS: FakeUser[] = [
  { open_id: OPEN_ID.zhangsan, name: '张三', employee_no: 'E1001', mobile: '+8613800001001' },
  { open_id: OPEN_ID.lisi, name: '李四', enterprise_email: 'lisi@demo.example.com' },
  { open_id: OPEN_ID.wangwu, name: '王五', enterprise_email: 'wangwu@demo.example.com' },
  { open_id: OPEN_ID.sunba, name: '孙八', employee_no: 'E1007', enterprise_email: 'sunba@demo.example.com' },
  { open_id: OPEN_ID.stranger, name: '路人甲', employee_no: 'X9999', email: 'stranger@example.org' },
]

export interface HarnessOptions {
  encrypted?: boolean
  autoProvision?: boolean
  mode?: 'http' | 'ws'
  cardAnswerBudgetMs?: number
  /** The chat delivery queue's timing; production defaults otherwise. */
  chatDelivery?: Partial<DeliveryPolicy>
}

/**
 * The real app (TestSystem on a real database) with the Feishu integration talking to a fake open
 * platform through the SDK, served on a real port so the pusher can deliver signed events to it.
 */
export class FeishuHarness {
  readonly logs: string[] = []

  private constructor(
    readonly fake: FakeFeishuOpenPlatform,
    readonly t: TestSystem,
    readonly feishu: FeishuIntegration,
    readonly server: Server,
    readonly pusher: FeishuEventPusher,
    logs: string[],
  ) {
    this.logs = logs
  }

  static async start(kind: TestDbKind, options: HarnessOptions = {}): Promise<FeishuHarness> {
    const fake = await FakeFeishuOpenPlatform.start({ appId: APP.appId, appSecret: APP.appSecret, users: FEISHU_USERS })
    const logs: string[] = []
    const settings: FeishuSettings = {
      appId: APP.appId,
      appSecret: APP.appSecret,
      verificationToken: APP.verificationToken,
      encryptKey: options.encrypted === false ? undefined : APP.encryptKey,
      baseUrl: fake.url,
      mode: options.mode ?? 'http',
      autoProvision: options.autoProvision ?? false,
      cardAnswerBudgetMs: options.cardAnswerBudgetMs,
      afterAnswerDelayMs: 20,
      retry: { baseDelayMs: 5, maxDelayMs: 50 },
    }
    let feishu: FeishuIntegration | undefined
    const t = await TestSystem.start(kind, {
      integrations: (database) => {
        feishu = createFeishuIntegration(settings, database.db, (line) => logs.push(line))
        return [feishu]
      },
      log: (line) => logs.push(line),
      chatDelivery: options.chatDelivery,
    })
    const server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server
    })
    const pusher = new FeishuEventPusher({
      target: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      appId: APP.appId,
      verificationToken: APP.verificationToken,
      encryptKey: settings.encryptKey,
      redeliveryScheduleMs: [50, 100, 200, 400],
    })
    return new FeishuHarness(fake, t, feishu!, server, pusher, logs)
  }

  /** A p2p (or group) line from a Feishu user; resolves when the bot has finished answering it. */
  async say(openId: string, text: string, options: { chatType?: 'p2p' | 'group'; mentions?: { key: string; openId: string; name: string }[] } = {}): Promise<PushResult> {
    const result = await this.pusher.pushEvent(messageEnvelope({ appId: APP.appId, token: APP.verificationToken, openId, text, ...options }))
    await this.settled()
    return result
  }

  /** Waits for redeliveries and for everything the bot does after acknowledging. */
  async settled(): Promise<void> {
    await this.pusher.settle()
    await this.feishu.idle()
  }

  /** Interactive messages sent to a person, as they look now. */
  cards(openId: string): SeenCard[] {
    return this.fake.messagesTo(openId).filter((m) => m.msg_type === 'interactive').map(readCard)
  }

  texts(openId: string): string[] {
    return this.fake.messagesTo(openId).filter((m) => m.msg_type === 'text').map((m) => (JSON.parse(m.content) as { text: string }).text)
  }

  /** The latest card to `openId` that offers `action`. */
  cardOffering(openId: string, action: string): SeenCard {
    const card = this.cards(openId).reverse().find((c) => c.buttons.some((b) => b.value.action === action))
    if (!card) throw new Error(`no card to ${openId} offers ${action}; cards: ${JSON.stringify(this.cards(openId).map((c) => [c.title, c.status]))}`)
    return card
  }

  /** Taps a button as Feishu would deliver it; returns the callback's answer (toast + card). */
  async tap(openId: string, card: SeenCard, action: string, comment?: string): Promise<PushResult & { body: { toast?: { type: string; content: string }; card?: { type: string; data: unknown } } }> {
    const button = card.buttons.find((b) => b.value.action === action)
    if (!button) throw new Error(`card ${card.title} has no ${action} button`)
    const envelope = cardActionEnvelope({
      appId: APP.appId,
      token: APP.verificationToken,
      openId,
      messageId: card.message.message_id,
      cardToken: this.fake.issueCardToken(card.message.message_id),
      value: button.value,
      ...(button.inForm ? { formValue: { comment: comment ?? '' }, buttonName: `${action}_button` } : {}),
    })
    const result = await this.pusher.pushCardAction(envelope)
    return result as never
  }

  /** The app stops answering (a deploy, a crash): deliveries fail until resumeServer(). */
  async pauseServer(): Promise<void> {
    this.port = (this.server.address() as AddressInfo).port
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  async resumeServer(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', () => resolve()))
  }

  private port = 0

  async close(): Promise<void> {
    this.pusher.stop()
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
    await this.t.close()
    await this.fake.close()
  }
}
