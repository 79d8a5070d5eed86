import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { messageEnvelope } from '../fakes/feishu/feishu-event-pusher.js'
import { DB_KINDS } from '../helpers/databases.js'
import { APP, FeishuHarness, OPEN_ID } from './feishu-harness.js'

describe.each(DB_KINDS)('redelivered events (%s)', (kind) => {
  let h: FeishuHarness
  beforeEach(async () => {
    h = await FeishuHarness.start(kind)
  })
  afterEach(async () => {
    await h.close()
  })

  const line = (overrides: { eventId?: string; messageId?: string } = {}) =>
    messageEnvelope({ appId: APP.appId, token: APP.verificationToken, openId: OPEN_ID.zhangsan, text: '提交本月差旅费 3500元', ...overrides })

  it('a storm of the same event is acknowledged every time and handled once', async () => {
    const event = line()
    const answers = await Promise.all(Array.from({ length: 25 }, () => h.pusher.pushEvent(event)))
    expect(answers.map((a) => a.status)).toEqual(Array(25).fill(200))
    // The same message under a new event id (it also reached us over the long connection): dropped too.
    expect((await h.pusher.pushEvent(line({ messageId: event.event.message.message_id }))).status).toBe(200)
    await h.settled()

    expect(h.cards(OPEN_ID.zhangsan)).toHaveLength(1)
    expect(h.fake.messages).toHaveLength(1)
    const recorded = await h.t.database.db.selectFrom('inbound_events').select('event_id').where('event_id', '=', event.header.event_id).execute()
    expect(recorded).toHaveLength(1)
    expect(h.pusher.deliveries.filter((d) => d.attempt > 1)).toEqual([])
  })

  it('an event the app could not acknowledge is re-pushed on the schedule and handled once', async () => {
    await h.pauseServer()
    const event = line()
    const first = await h.pusher.pushEvent(event)
    expect(first.status).toBe('network')
    await h.resumeServer()
    await h.settled()

    expect(h.pusher.deliveries.map((d) => [d.attempt, d.status])).toEqual([
      [1, 'network'],
      [2, 200],
    ])
    expect(h.cards(OPEN_ID.zhangsan)).toHaveLength(1)
  })
})
