import { createHmac } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { verifyAuditChain } from '../../workflow/audit-chain.js'
import { APP as DINGTALK_APP } from '../dingtalk/dingtalk-harness.js'
import { messageEnvelope } from '../fakes/feishu/feishu-event-pusher.js'
import { APP as FEISHU_APP, OPEN_ID } from '../feishu/feishu-harness.js'
import { DB_KINDS } from '../helpers/databases.js'
import { startChatStack, type ChatStack } from './chat-stack.js'

/**
 * A redelivery storm: 10,000 deliveries of chat lines from Feishu and DingTalk, 30% of them
 * copies of lines already sent (Feishu re-pushes, DingTalk retries, the same Feishu message
 * arriving again under a new event id as over the long connection), shuffled, from 8 senders at
 * once; on MariaDB spread over two app instances sharing the database. Each line asks about its
 * own request number, so each answer says which line it belongs to: every line must be answered
 * exactly once, to the person who wrote it.
 */
const DELIVERIES = 10_000
const DUPLICATE_SHARE = 0.3
const SENDERS = 8

const PEOPLE = [
  { feishu: OPEN_ID.zhangsan, dingtalk: 'dt-zhangsan' },
  { feishu: OPEN_ID.lisi, dingtalk: 'dt-lisi' },
  { feishu: OPEN_ID.wangwu, dingtalk: 'dt-wangwu' },
  { feishu: OPEN_ID.sunba, dingtalk: 'dt-sunba' },
]

interface Line {
  platform: 'feishu' | 'dingtalk'
  person: string
  requestNo: string
  envelope?: ReturnType<typeof messageEnvelope>
  robotMessage?: ReturnType<ChatStack['dingtalk']['robotMessage']>
}

type Delivery = { line: Line; asNewEvent: boolean }

const shuffle = <T>(items: T[]): T[] => {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[items[i], items[j]] = [items[j]!, items[i]!]
  }
  return items
}

/** DingTalk's robot callback signature (timestamp + app secret), for posting to any instance. */
function postRobotMessage(url: string, message: unknown): Promise<Response> {
  const timestamp = String(Date.now())
  const sign = createHmac('sha256', DINGTALK_APP.clientSecret).update(`${timestamp}\n${DINGTALK_APP.clientSecret}`).digest('base64')
  return fetch(`${url}/dingtalk/events`, { method: 'POST', headers: { 'content-type': 'application/json', timestamp, sign }, body: JSON.stringify(message) })
}

describe.each(DB_KINDS)('redelivery storm (%s)', (kind) => {
  let stack: ChatStack | undefined
  afterEach(async () => {
    await stack?.close()
    stack = undefined
  })

  it(`${DELIVERIES} deliveries, ${DUPLICATE_SHARE * 100}% duplicates, out of order, ${SENDERS} senders: each line handled exactly once`, async () => {
    stack = await startChatStack(kind, { instances: kind === 'mysql' ? 2 : 1 })
    const s = stack
    const uniqueCount = Math.round(DELIVERIES * (1 - DUPLICATE_SHARE))
    const lines: Line[] = Array.from({ length: uniqueCount }, (_, i) => {
      const person = PEOPLE[i % PEOPLE.length]!
      const requestNo = `BX-202611-${String(i).padStart(4, '0')}`
      const text = `查询 ${requestNo}`
      return i % 2 === 0
        ? { platform: 'feishu', person: person.feishu, requestNo, envelope: messageEnvelope({ appId: FEISHU_APP.appId, token: FEISHU_APP.verificationToken, openId: person.feishu, text }) }
        : { platform: 'dingtalk', person: person.dingtalk, requestNo, robotMessage: s.dingtalk.robotMessage(person.dingtalk, text) }
    })
    const copies: Delivery[] = Array.from({ length: DELIVERIES - uniqueCount }, (_, i) => ({ line: lines[Math.floor(Math.random() * lines.length)]!, asNewEvent: i % 5 === 0 }))
    const deliveries = shuffle([...lines.map((line) => ({ line, asNewEvent: false })), ...copies])

    const statuses = new Map<string, number>()
    const count = (status: string | number) => statuses.set(String(status), (statuses.get(String(status)) ?? 0) + 1)
    let newEventIds = 0
    let next = 0
    const sender = async () => {
      while (next < deliveries.length) {
        const { line, asNewEvent } = deliveries[next++]!
        const instance = s.instances[Math.floor(Math.random() * s.instances.length)]!
        if (line.platform === 'feishu') {
          const envelope = asNewEvent ? { ...line.envelope!, header: { ...line.envelope!.header, event_id: `ws-${newEventIds++}-${line.envelope!.header.event_id}` } } : line.envelope!
          count((await instance.pusher.pushEvent(envelope)).status)
        } else {
          count((await postRobotMessage(instance.url, line.robotMessage)).status)
        }
      }
    }
    await Promise.all(Array.from({ length: SENDERS }, sender))
    await s.settle()

    expect(Object.fromEntries(statuses)).toEqual({ '200': DELIVERIES })
    // The dedupe table: Feishu keeps each line's event id and message id, DingTalk its message id;
    // a copy under a new event id is recognised by its message id and leaves nothing behind.
    expect(newEventIds).toBeGreaterThan(0)
    const feishuLines = lines.filter((l) => l.platform === 'feishu')
    const dingtalkLines = lines.filter((l) => l.platform === 'dingtalk')
    // DingTalk's used signatures (`sig:` rows, dingtalk-inbound.ts claimSignature) share the table and are not lines.
    const stored = await s.database.db
      .selectFrom('inbound_events')
      .select(['platform', (eb) => eb.fn.countAll<number>().as('n')])
      .where('event_id', 'not like', 'sig:%')
      .groupBy('platform')
      .execute()
    expect(Object.fromEntries(stored.map((r) => [r.platform, Number(r.n)]))).toEqual({ feishu: 2 * feishuLines.length, dingtalk: dingtalkLines.length })

    // Every line answered exactly once, to its writer; nothing answered that was not asked.
    const answers = new Map<string, number>()
    for (const person of PEOPLE) {
      const feishuTexts = s.feishu.messagesTo(person.feishu).map((m) => m.content)
      for (const text of [...feishuTexts, ...s.dingtalk.texts(person.dingtalk)]) {
        for (const requestNo of text.match(/BX-202611-\d{4}/g) ?? []) answers.set(requestNo, (answers.get(requestNo) ?? 0) + 1)
      }
    }
    const wrong = lines.filter((l) => answers.get(l.requestNo) !== 1).map((l) => `${l.requestNo}: ${answers.get(l.requestNo) ?? 0}`)
    expect(wrong).toEqual([])
    expect(answers.size).toBe(lines.length)
    for (const line of lines.slice(0, 50)) {
      const inbox = line.platform === 'feishu' ? s.feishu.messagesTo(line.person).map((m) => m.content) : s.dingtalk.texts(line.person)
      expect(inbox.some((text) => text.includes(line.requestNo))).toBe(true)
    }

    expect(s.logs.filter((l) => /failed|error/i.test(l))).toEqual([])
    expect((await verifyAuditChain(s.database.db)).ok).toBe(true)
  })
})
