import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Hono } from 'hono'
import type { Card } from '../../bot/cards/card.js'
import { RuleParser } from '../../bot/nlu/rules/index.js'
import type { SimulatorItem } from '../../bot/platforms/dev/dev-platform.js'
import { seedDemoOrg } from '../../db/seeds/demo-org.js'
import { createApp } from '../../server/app.js'
import { composeSystem, type System } from '../../server/compose.js'
import { createNodeLog } from '../../server/node-log.js'
import type { DbHandle } from '../../db/connect.js'
import { freshDatabase } from '../helpers/databases.js'

interface Line {
  level: string
  msg: string
  requestId?: string
  userId?: string
  [field: string]: unknown
}

/**
 * The real app with the real pino logger writing into memory: each step of one expense is sent
 * with its own x-request-id, and the lines that carry an id must tell that step's whole story.
 */
describe('one request id tells one callback’s whole story in the JSON logs', () => {
  const raw: string[] = []
  let database: DbHandle
  let system: System
  let app: Hono

  beforeAll(async () => {
    database = await freshDatabase('sqlite')
    await seedDemoOrg(database.db)
    const log = createNodeLog({ destination: { write: (line: string) => void raw.push(line) } })
    system = await composeSystem({ database, parser: new RuleParser(), log })
    app = createApp(system, { devMode: true, log })
  })
  afterAll(async () => {
    await system.outbox.stop()
    await database.close()
  })

  const lines = (): Line[] => raw.map((line) => JSON.parse(line) as Line)
  const story = (requestId: string) => lines().filter((line) => line.requestId === requestId).map((line) => line.msg)
  const post = async (path: string, requestId: string, body: unknown) => {
    const response = await app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': requestId }, body: JSON.stringify(body) })
    expect(response.headers.get('x-request-id')).toBe(requestId)
    return (await response.json()) as { ok?: boolean; message?: string; messages?: SimulatorItem[] }
  }
  const cardFor = async (userId: string, action: string): Promise<Card> => {
    const inbox = (await (await app.request(`/api/dev/inbox/${userId}`)).json()) as SimulatorItem[]
    const card = inbox.flatMap((item) => (item.card ? [item.card] : [])).find((c) => c.actions.some((a) => a.id === action))
    if (!card) throw new Error(`no ${action} card for ${userId}`)
    return card
  }

  it('from the chat line through parsing, workflow, cards and ERP posting', async () => {
    const said = await post('/api/dev/messages', 'story-line', { userId: 'zhangsan', text: '提交本月差旅费 3500元' })
    const confirm = said.messages!.find((m) => m.card)!.card!
    const confirmed = await post(`/api/dev/cards/${confirm.id}/actions/confirm`, 'story-confirm', { userId: 'zhangsan' })
    const requestNo = /[A-Z]{2}-\d{6}-\d{4}/.exec(confirmed.message!)![0]
    await post(`/api/dev/cards/${(await cardFor('lisi', 'approve')).id}/actions/approve`, 'story-first-approval', { userId: 'lisi' })
    await post(`/api/dev/cards/${(await cardFor('sunba', 'approve')).id}/actions/approve`, 'story-final-approval', { userId: 'sunba' })
    // The outbox worker posts later, outside any callback: its lines still carry the final approval's id.
    expect(await system.outbox.drainOnce()).toBe(1)

    expect(story('story-line')).toEqual([
      'callback: POST /api/dev/messages',
      'chat: line from zhangsan via dev (13 chars)',
      'parse: expense.submit from rules (confidence 0.95)',
      expect.stringMatching(/^workflow: createExpenseDraft \S+ → draft$/),
      expect.stringMatching(/^chat: card \S+ ".+" to zhangsan via dev \(\d+ ms\)$/),
      expect.stringMatching(/^callback: answered 200 in \d+ ms$/),
    ])
    expect(story('story-confirm')).toEqual(
      expect.arrayContaining([`workflow: submit ${requestNo} → submitted (pending; 1 task(s) opened)`, expect.stringMatching(new RegExp(`^chat: card ${requestNo} ".+" to lisi via dev`))]),
    )
    const final = story('story-final-approval')
    const expected = [
      /^callback: POST \/api\/dev\/cards\/[^/]+\/actions\/approve$/,
      /^chat: tap approve on card \S+ by sunba via dev$/,
      new RegExp(`^workflow: decide ${requestNo} → approved \\(approved; 0 task\\(s\\) opened\\)$`),
      new RegExp(`^chat: card ${requestNo} updated to "已同意 by 孙八`),
      /^callback: answered 200 in \d+ ms$/,
      new RegExp(`^erp: post ${requestNo} via ledger → \\S+$`),
      /^erp: request \S+ posted as \S+ via ledger$/,
      new RegExp(`^chat: card ${requestNo} updated to "已入账 · 凭证号 \\S+"`),
      /^chat: text to zhangsan via dev/,
    ]
    for (const pattern of expected) expect(final, `no line matching ${pattern} in\n${final.join('\n')}`).toContainEqual(expect.stringMatching(pattern))
    // In order: the answer, then the posting.
    expect(final.findIndex((m) => m.startsWith('callback: answered'))).toBeLessThan(final.findIndex((m) => m.startsWith('erp: post')))
    // Nobody else's id is on the posting.
    expect(lines().filter((l) => l.msg.startsWith('erp:')).every((l) => l.requestId === 'story-final-approval')).toBe(true)
  })

  it('every line is one JSON object with level, time and service, and the chat text never appears', () => {
    for (const line of raw) {
      const parsed = JSON.parse(line) as Line
      expect(parsed).toMatchObject({ level: expect.any(String), time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), service: 'approval-bridge' })
    }
    expect(raw.join('\n')).not.toContain('差旅费 3500元')
  })
})
