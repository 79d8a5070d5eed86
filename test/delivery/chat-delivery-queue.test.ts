import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Card } from '../../bot/cards/card.js'
import { ChatDeliveryStore, type NewDelivery } from '../../bot/delivery/delivery-store.js'
import { ChatDeliveryWorker, type CardSource } from '../../bot/delivery/delivery-worker.js'
import { isRetryableSend } from '../../bot/delivery/retryable.js'
import { Messenger } from '../../bot/messenger.js'
import type { ChatPlatform, MessageRef, SendOptions } from '../../bot/platform.js'
import { DingtalkApiError } from '../../bot/platforms/dingtalk/dingtalk-client.js'
import { FeishuApiError } from '../../bot/platforms/feishu/feishu-outbound.js'
import type { DbHandle } from '../../db/connect.js'
import { DB_KINDS, freshDatabase } from '../helpers/databases.js'
import { DEFAULT_RETENTION, enforceRetention } from '../../ops/retention/retention.js'

/** A platform that answers as told: ok, down (503), or refusing for good (unknown user). */
class ScriptedPlatform implements ChatPlatform {
  mode: 'ok' | 'down' | 'refuse' = 'ok'
  readonly sent: { to: string; what: string; key?: string }[] = []
  readonly updates: { ref: MessageRef; card: Card }[] = []
  tries = 0

  constructor(readonly name: string) {}

  private answer(): void {
    this.tries++
    if (this.mode === 'down') throw new FeishuApiError('send message', undefined, 'upstream unavailable', 503, true)
    if (this.mode === 'refuse') throw new FeishuApiError('send message', 230013, 'Bot has NO availability to this user.', 400, false)
  }

  async sendText(userId: string, text: string, options?: SendOptions): Promise<MessageRef> {
    this.answer()
    this.sent.push({ to: userId, what: text, key: options?.idempotencyKey })
    return { platform: this.name, messageId: `m${this.sent.length}` }
  }

  async sendCard(userId: string, card: Card, options?: SendOptions): Promise<MessageRef> {
    this.answer()
    this.sent.push({ to: userId, what: `card ${card.id} ${card.status}`, key: options?.idempotencyKey })
    return { platform: this.name, messageId: `m${this.sent.length}` }
  }

  async updateCard(ref: MessageRef, card: Card): Promise<void> {
    this.answer()
    this.updates.push({ ref, card })
  }
}

const card = (id: string, status: string): Card => ({ id, title: '费用报销', status, tone: 'blue', fields: [], notes: [], actions: [] })
const noCards: CardSource = { find: async () => undefined, render: async () => card('x', '?'), placed: async () => false }
const busy = new FeishuApiError('send message', undefined, 'upstream unavailable', 503, true)

describe('which failed sends are worth queueing', () => {
  it('rate limits, 5xx and no answer are; refusals and bugs are not', () => {
    expect(isRetryableSend(busy)).toBe(true)
    expect(isRetryableSend(new FeishuApiError('send message', 230013, 'Bot has NO availability to this user.', 400, false))).toBe(false)
    expect(isRetryableSend(new DingtalkApiError(503, 'unavailable', 'still unavailable'))).toBe(true)
    expect(isRetryableSend(new DingtalkApiError(429, 'flowControlled', 'flow-controlled'))).toBe(true)
    expect(isRetryableSend(new DingtalkApiError(400, 'invalidStaffId', 'invalid DingTalk user'))).toBe(false)
    expect(isRetryableSend(new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) }))).toBe(true)
    expect(isRetryableSend(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toBe(true)
    expect(isRetryableSend(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false)
    expect(isRetryableSend(new Error('feishu: lisi has no Feishu identity yet'))).toBe(false)
  })
})

describe.each(DB_KINDS)('the chat delivery queue (%s)', (kind) => {
  let database: DbHandle
  let clock: number
  let store: ChatDeliveryStore
  const logs: string[] = []
  beforeEach(async () => {
    database = await freshDatabase(kind)
    clock = 1_800_000_000_000
    logs.length = 0
    store = new ChatDeliveryStore(database.db, database.dialect, { firstRetryMs: 1_000, maxRetryMs: 4_000, giveUpAfterMs: 60_000, leaseMs: 10_000 }, () => clock)
  })
  afterEach(async () => {
    await database.close()
  })

  const text = (to: string, body: string): NewDelivery => ({ kind: 'text', platform: 'feishu', recipientId: to, body, idempotencyKey: crypto.randomUUID(), error: busy })
  const statuses = async () => (await database.db.selectFrom('chat_deliveries').select(['status', 'attempts']).orderBy('created_at').execute()).map((r) => `${r.status}/${Number(r.attempts)}`)

  it('a row is due after its back-off, held while claimed, and taken again when its claimer died (lease over)', async () => {
    await store.enqueue(text('lisi', '你好'))
    expect(await store.claimDue()).toEqual([])
    clock += 1_000
    const [row] = await store.claimDue()
    expect(row).toMatchObject({ kind: 'text', recipient_id: 'lisi', body: '你好', status: 'sending' })
    expect(await store.claimDue()).toEqual([])
    clock += 10_001
    expect((await store.claimDue()).map((r) => r.id)).toEqual([row!.id])
  })

  it('keeps trying with doubling back-off, and gives up (dead, logged) only after the retry window', async () => {
    const feishu = new ScriptedPlatform('feishu')
    feishu.mode = 'down'
    const worker = new ChatDeliveryWorker(store, new Messenger(database.db, new Map([['feishu', feishu]]), 'feishu', store), noCards, (line) => logs.push(line))
    await store.enqueue(text('lisi', '你好'))
    const waits: number[] = []
    for (let round = 0; round < 30 && (await statuses())[0]?.startsWith('pending'); round++) {
      const { next_attempt_at } = await database.db.selectFrom('chat_deliveries').select('next_attempt_at').executeTakeFirstOrThrow()
      waits.push(Number(next_attempt_at) - clock)
      clock = Number(next_attempt_at)
      await worker.drain()
    }
    // 1 s, then about 2 s, 4 s, 4 s, … (±20 %).
    expect(waits[0]).toBe(1_000)
    expect(waits[1]).toBeGreaterThanOrEqual(1_600)
    expect(Math.max(...waits)).toBeLessThanOrEqual(4_000 * 1.2)
    expect((await statuses())[0]).toMatch(/^dead\//)
    expect(logs.some((l) => l.includes('given up'))).toBe(true)
    // Kept a while for the operator, then deleted by the retention job.
    await enforceRetention(database.db, DEFAULT_RETENTION, clock + 29 * 86_400_000)
    expect((await statuses())[0]).toMatch(/^dead\//)
    await enforceRetention(database.db, DEFAULT_RETENTION, clock + 30 * 86_400_000 + 1)
    expect(await statuses()).toEqual([])
  })

  /** Three lines to 李四 sent while Feishu is down, so all three wait in the queue. */
  const queuedWhileDown = async () => {
    const feishu = new ScriptedPlatform('feishu')
    const messenger = new Messenger(database.db, new Map([['feishu', feishu]]), 'feishu', store)
    feishu.mode = 'down'
    for (const line of ['一', '二', '三']) {
      await messenger.sendText('lisi', line)
      clock += 1
    }
    return { feishu, worker: new ChatDeliveryWorker(store, messenger, noCards) }
  }

  it('while a platform is down, one try per run; the rest wait, and all go out in order once it is back', async () => {
    const { feishu, worker } = await queuedWhileDown()
    expect(feishu.tries).toBe(3)
    clock += 1_000
    await worker.drain()
    expect(feishu.tries).toBe(4)
    expect(await statuses()).toEqual(['pending/1', 'pending/0', 'pending/0'])

    feishu.mode = 'ok'
    clock += 10_000
    await worker.drain()
    expect(feishu.sent.map((s) => s.what)).toEqual(['一', '二', '三'])
    expect(await statuses()).toEqual([])
  })

  it('a stop (shutdown) lets the send under way finish and hands the rest back at once, due now', async () => {
    const { feishu, worker } = await queuedWhileDown()
    feishu.mode = 'ok'
    clock += 1_000
    // The first send is under way when the stop comes.
    let sending!: () => void
    const inFlight = new Promise<void>((resolve) => (sending = resolve))
    const send = feishu.sendText.bind(feishu)
    feishu.sendText = async (userId, body, options) => {
      sending()
      await new Promise((resolve) => setTimeout(resolve, 20))
      return send(userId, body, options)
    }
    const run = worker.drain()
    await inFlight
    worker.stop()
    expect(await run).toMatchObject({ claimed: 3, delivered: 1 })
    expect(feishu.sent.map((s) => s.what)).toEqual(['一'])
    const rows = await database.db.selectFrom('chat_deliveries').select(['body', 'status', 'locked_until', 'next_attempt_at']).orderBy('created_at').execute()
    expect(rows.map((r) => ({ ...r, next_attempt_at: Number(r.next_attempt_at) }))).toEqual([
      { body: '二', status: 'pending', locked_until: null, next_attempt_at: clock },
      { body: '三', status: 'pending', locked_until: null, next_attempt_at: clock },
    ])
    // And no further batch starts.
    expect(await worker.drain()).toMatchObject({ claimed: 0 })
    expect(await store.claimDue()).toHaveLength(2)
  })

  it('every try of a message carries the key of its first try', async () => {
    const feishu = new ScriptedPlatform('feishu')
    const messenger = new Messenger(database.db, new Map([['feishu', feishu]]), 'feishu', store)
    let firstKey: string | undefined
    const remember = feishu.sendText.bind(feishu)
    feishu.sendText = async (userId, body, options) => {
      firstKey ??= options?.idempotencyKey
      return remember(userId, body, options)
    }
    feishu.mode = 'down'
    await messenger.sendText('lisi', '你好')
    feishu.mode = 'ok'
    clock += 1_000
    await new ChatDeliveryWorker(store, messenger, noCards).drain()
    expect(firstKey).toBeDefined()
    expect(feishu.sent).toEqual([{ to: 'lisi', what: '你好', key: firstKey }])
  })

  it('a refusal for good is not queued; one that comes on a later try ends the row as failed', async () => {
    const feishu = new ScriptedPlatform('feishu')
    const messenger = new Messenger(database.db, new Map([['feishu', feishu]]), 'feishu', store)
    feishu.mode = 'refuse'
    await expect(messenger.sendText('lisi', '你好')).rejects.toThrow(/NO availability/)
    expect(await statuses()).toEqual([])

    feishu.mode = 'down'
    await messenger.sendText('lisi', '你好')
    feishu.mode = 'refuse'
    clock += 1_000
    await new ChatDeliveryWorker(store, messenger, noCards, (line) => logs.push(line)).drain()
    expect(await statuses()).toEqual(['failed/1'])
    expect(logs.some((l) => l.includes('refused, not retried'))).toBe(true)
  })

  it("a card's updates join one row; a try that started before a newer change does not settle it", async () => {
    const update = (status: string): NewDelivery => ({ kind: 'card_update', platform: 'feishu', cardId: 'card-1', messageId: 'om_1', body: JSON.stringify(card('card-1', status)), idempotencyKey: crypto.randomUUID(), error: busy })
    const id = await store.enqueue(update('待审批'))
    expect(await store.enqueue(update('已同意 by 李四'))).toBe(id)
    clock += 1_000
    const [claimed] = await store.claimDue()
    // 孙八 rejects while the worker is sending the approved state.
    expect(await store.enqueue(update('已驳回 by 孙八'))).toBe(id)
    await store.delivered(claimed!)
    const [again] = await store.claimDue()
    expect(again?.id).toBe(id)
    expect(JSON.parse(again!.body!).status).toBe('已驳回 by 孙八')
    await store.delivered(again!)
    expect(await statuses()).toEqual([])

    // A card whose row has no `cards` record is updated from the body: the latest one.
    const feishu = new ScriptedPlatform('feishu')
    const messenger = new Messenger(database.db, new Map([['feishu', feishu]]), 'feishu', store)
    feishu.mode = 'down'
    await messenger.updateCard({ platform: 'feishu', messageId: 'om_1' }, card('card-1', '待审批'))
    await messenger.updateCard({ platform: 'feishu', messageId: 'om_1' }, card('card-1', '已撤回'))
    feishu.mode = 'ok'
    clock += 1_000
    await new ChatDeliveryWorker(store, messenger, noCards).drain()
    expect(feishu.updates.map((u) => [u.ref.messageId, u.card.status])).toEqual([['om_1', '已撤回']])
  })

  it('a card still waiting to go out is not updated: it is rendered when it goes', async () => {
    const feishu = new ScriptedPlatform('feishu')
    const messenger = new Messenger(database.db, new Map([['feishu', feishu]]), 'feishu', store)
    feishu.mode = 'down'
    const recorded: MessageRef[] = []
    const ref = await messenger.sendCard('lisi', card('card-2', '待审批'), undefined, { record: async (r) => void recorded.push(r) })
    expect(ref.messageId).toMatch(/^queued:/)
    expect(recorded).toEqual([ref])
    feishu.mode = 'ok'
    await messenger.updateCard(ref, card('card-2', '已撤回'))
    expect(feishu.updates).toEqual([])
  })

  it('a queued card is recorded with its queue row or not at all: a record no queue row stands behind would never go out', async () => {
    const feishu = new ScriptedPlatform('feishu')
    const messenger = new Messenger(database.db, new Map([['feishu', feishu]]), 'feishu', store)
    feishu.mode = 'down'
    const record = async (ref: MessageRef, db: DbHandle['db']) => {
      await db.insertInto('cards').values({ id: 'card-3', request_id: 'r1', recipient_id: 'lisi', audience: 'approver', platform: ref.platform, message_id: ref.messageId, created_at: clock, updated_at: clock }).execute()
    }
    // The queue's table gone: its insert fails after the card's record was written.
    await database.db.schema.dropTable('chat_deliveries').execute()
    await expect(messenger.sendCard('lisi', card('card-3', '待审批'), undefined, { record })).rejects.toMatchObject({ name: 'FeishuApiError', status: 503 })
    expect(await database.db.selectFrom('cards').select('id').execute()).toEqual([])
  })
})
