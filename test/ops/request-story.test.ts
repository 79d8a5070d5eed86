import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Hono } from 'hono'
import type { Card } from '../../bot/cards/card.js'
import { RuleParser } from '../../bot/nlu/rules/index.js'
import type { SimulatorItem } from '../../bot/platforms/dev/dev-platform.js'
import { seedDemoOrg } from '../../db/seeds/demo-org.js'
import { createApp } from '../../server/app.js'
import { composeSystem, type System } from '../../server/compose.js'
import { createNodeLog } from '../../server/node-log.js'
import { connectDatabase, type DbHandle } from '../../db/connect.js'
import { migrateToLatest } from '../../db/migrate.js'
import { DB_KINDS, freshDatabase, unmigratedDatabase } from '../helpers/databases.js'

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

/**
 * The posting after a restart, or by another process: the approving callback's request id is
 * stored with the outbox row, so a fresh system on its own connection (nothing shared in memory
 * with the one that took the callbacks) still logs the posting under it.
 */
describe.each(DB_KINDS)('the ERP posting drained by a fresh instance logs the approving callback’s id (%s)', (kind) => {
  const dir = mkdtempSync(join(tmpdir(), 'request-story-'))
  let first: DbHandle & { url: string }
  let second: DbHandle | undefined
  let approving: System
  let draining: System | undefined
  let app: Hono
  const firstRaw: string[] = []
  const secondRaw: string[] = []

  beforeAll(async () => {
    first = await unmigratedDatabase(kind, `sqlite:${join(dir, 'app.db')}`)
    await migrateToLatest(first.db)
    await seedDemoOrg(first.db)
    const log = createNodeLog({ destination: { write: (line: string) => void firstRaw.push(line) } })
    approving = await composeSystem({ database: first, parser: new RuleParser(), log })
    app = createApp(approving, { devMode: true, log })
  })
  afterAll(async () => {
    await draining?.outbox.stop()
    await second?.close()
    await approving.outbox.stop()
    await first.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const post = async (path: string, requestId: string, body: unknown) => {
    const response = await app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': requestId }, body: JSON.stringify(body) })
    expect(response.status).toBe(200)
    return (await response.json()) as { message?: string; messages?: SimulatorItem[] }
  }
  const cardFor = async (userId: string, action: string): Promise<Card> => {
    const inbox = (await (await app.request(`/api/dev/inbox/${userId}`)).json()) as SimulatorItem[]
    const card = inbox.flatMap((item) => (item.card ? [item.card] : [])).find((c) => c.actions.some((a) => a.id === action))
    if (!card) throw new Error(`no ${action} card for ${userId}`)
    return card
  }

  it('stores the id with the row, and the other instance’s ERP lines and the requester’s notice carry it', async () => {
    const said = await post('/api/dev/messages', 'fresh-line', { userId: 'zhangsan', text: '提交本月差旅费 1200元' })
    const confirmed = await post(`/api/dev/cards/${said.messages!.find((m) => m.card)!.card!.id}/actions/confirm`, 'fresh-confirm', { userId: 'zhangsan' })
    const requestNo = /[A-Z]{2}-\d{6}-\d{4}/.exec(confirmed.message!)![0]
    await post(`/api/dev/cards/${(await cardFor('lisi', 'approve')).id}/actions/approve`, 'fresh-first-approval', { userId: 'lisi' })
    await post(`/api/dev/cards/${(await cardFor('sunba', 'approve')).id}/actions/approve`, 'fresh-final-approval', { userId: 'sunba' })

    // The approving instance never posts (its worker is not started): the row waits, carrying the id.
    const row = await first.db.selectFrom('outbox').select(['status', 'trace_id', 'idempotency_key']).executeTakeFirstOrThrow()
    expect(row).toEqual({ status: 'pending', trace_id: 'fresh-final-approval', idempotency_key: requestNo })

    // Another instance (a separate outbox worker, or this one restarted) on its own connection.
    second = connectDatabase(first.url)
    const log = createNodeLog({ destination: { write: (line: string) => void secondRaw.push(line) } })
    draining = await composeSystem({ database: second, parser: new RuleParser(), log })
    expect(await draining.outbox.drainOnce()).toBe(1)

    const lines = secondRaw.map((line) => JSON.parse(line) as Line)
    const erpLines = lines.filter((l) => l.msg.startsWith('erp:'))
    expect(erpLines.map((l) => l.msg)).toEqual([expect.stringMatching(new RegExp(`^erp: post ${requestNo} via ledger → \\S+$`)), expect.stringMatching(/^erp: request \S+ posted as \S+ via ledger$/)])
    for (const line of erpLines) expect(line.requestId, line.msg).toBe('fresh-final-approval')
    // The requester is told (card updated, text sent) under the same id.
    const told = lines.filter((l) => l.requestId === 'fresh-final-approval').map((l) => l.msg)
    expect(told).toContainEqual(expect.stringMatching(new RegExp(`^chat: card ${requestNo} updated to "已入账 · 凭证号 \\S+"`)))
    expect(told).toContainEqual(expect.stringMatching(/^chat: text to zhangsan via dev/))
    // The whole story greps as one across both instances' logs.
    const story = [...firstRaw, ...secondRaw].map((line) => JSON.parse(line) as Line).filter((l) => l.requestId === 'fresh-final-approval').map((l) => l.msg)
    expect(story.findIndex((m) => m.startsWith('workflow: decide'))).toBeLessThan(story.findIndex((m) => m.startsWith('erp: post')))
  })
})
