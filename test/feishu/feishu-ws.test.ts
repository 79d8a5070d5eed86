import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cardActionEnvelope, messageEnvelope } from '../fakes/feishu/feishu-event-pusher.js'
import { FakeWsGateway } from '../fakes/feishu/fake-ws-gateway.js'
import { DB_KINDS } from '../helpers/databases.js'
import { APP, FeishuHarness, OPEN_ID, readCard } from './feishu-harness.js'

describe.each(DB_KINDS)('FEISHU_MODE=ws: the SDK WSClient against a fake long-connection gateway (%s)', (kind) => {
  let h: FeishuHarness
  let gateway: FakeWsGateway
  beforeEach(async () => {
    h = await FeishuHarness.start(kind, { mode: 'ws' })
    gateway = new FakeWsGateway(h.fake)
    await h.feishu.start!(h.t.system.conversation)
    await gateway.connected()
  })
  afterEach(async () => {
    await h.close()
  })

  it('serves chat lines and card taps through the same handlers, ACKing each frame', async () => {
    const line = messageEnvelope({ appId: APP.appId, token: APP.verificationToken, openId: OPEN_ID.zhangsan, text: '提交本月差旅费 3500元' })
    const ack = await gateway.push(line)
    expect(ack.code).toBe(200)
    expect(ack.answer).toEqual({})
    await h.settled()
    const confirmation = h.cardOffering(OPEN_ID.zhangsan, 'confirm')
    expect(gateway.pings).toBeGreaterThan(0)

    // The same event again (a second connection, or a re-push): acknowledged, not handled twice.
    expect((await gateway.push(line)).code).toBe(200)
    await h.settled()
    expect(h.cards(OPEN_ID.zhangsan)).toHaveLength(1)

    const cancel = confirmation.buttons.find((b) => b.value.action === 'cancel')!
    const tap = await gateway.push(
      cardActionEnvelope({
        appId: APP.appId,
        token: APP.verificationToken,
        openId: OPEN_ID.zhangsan,
        messageId: confirmation.message.message_id,
        cardToken: h.fake.issueCardToken(confirmation.message.message_id),
        value: cancel.value,
      }),
    )
    expect(tap.code).toBe(200)
    const answer = tap.answer as { toast: { type: string; content: string }; card: { type: string; data: unknown } }
    expect(answer.toast).toEqual({ type: 'success', content: '已取消' })
    const shown = readCard({ ...confirmation.message, content: JSON.stringify(answer.card.data) })
    expect(shown.status).toBe('已取消')
    expect(shown.buttons).toEqual([])
    await h.settled()
  })
})
