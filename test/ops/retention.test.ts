import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DbHandle } from '../../db/connect.js'
import { inTransaction } from '../../db/transaction.js'
import { auditAnchor, verifyAuditChainFromAnchor } from '../../ops/retention/audit-anchor.js'
import { DEFAULT_RETENTION, enforceRetention } from '../../ops/retention/retention.js'
import { ConfigError, loadConfig } from '../../server/config.js'
import { appendAudit } from '../../workflow/audit.js'
import { verifyAuditChain } from '../../workflow/audit-chain.js'
import { DB_KINDS, freshDatabase } from '../helpers/databases.js'

const DAY = 24 * 60 * 60_000
const NOW = Date.UTC(2026, 10, 25, 2, 0, 0)

describe.each(DB_KINDS)('retention enforced by the maintenance job (%s)', (kind) => {
  let database: DbHandle
  beforeEach(async () => {
    database = await freshDatabase(kind)
  })
  afterEach(async () => {
    await database.close()
  })

  const audit = (daysAgo: number, n: number) =>
    inTransaction(database.db, async (trx) => {
      for (let i = 0; i < n; i++) await appendAudit(trx, { at: NOW - daysAgo * DAY + i, actorId: 'admin', action: 'test.event', entityType: 'test', entityId: `e${daysAgo}-${i}`, after: { i } })
    })

  it('removes event ids after 8 days, dialogues and transcripts after 30, and keeps what is younger', async () => {
    const { db } = database
    await db.insertInto('inbound_events').values([
      { platform: 'feishu', event_id: 'old', received_at: NOW - 9 * DAY },
      { platform: 'feishu', event_id: 'recent', received_at: NOW - 7 * DAY },
    ]).execute()
    await db.insertInto('conversations').values([
      { user_id: 'zhangsan', state: '{}', expires_at: NOW - 31 * DAY, updated_at: NOW - 31 * DAY },
      { user_id: 'lisi', state: '{}', expires_at: NOW - 29 * DAY, updated_at: NOW - 29 * DAY },
    ]).execute()
    await db.insertInto('sim_messages').values([
      { user_id: 'zhangsan', direction: 'in', text: '旧', card: null, at: NOW - 31 * DAY },
      { user_id: 'zhangsan', direction: 'in', text: '新', card: null, at: NOW - 1 * DAY },
    ]).execute()

    // Chat messages: given up on long ago (removed), given up on yesterday and still waiting (kept).
    const delivery = { kind: 'text', platform: 'feishu', recipient_id: 'zhangsan', card_id: null, message_id: null, body: '已入账', coalesce_key: null, generation: 0, attempts: 3, next_attempt_at: NOW, locked_until: null, last_error: 'HTTP 503', created_at: NOW - 40 * DAY }
    await db.insertInto('chat_deliveries').values([
      { ...delivery, id: 'dead-old', idempotency_key: 'k1', status: 'dead', updated_at: NOW - 31 * DAY },
      { ...delivery, id: 'failed-new', idempotency_key: 'k2', status: 'failed', updated_at: NOW - 1 * DAY },
      { ...delivery, id: 'waiting-old', idempotency_key: 'k3', status: 'pending', updated_at: NOW - 31 * DAY },
    ]).execute()

    expect(await enforceRetention(db, DEFAULT_RETENTION, NOW)).toEqual({ inbound_events: 1, conversations: 1, sim_messages: 1, chat_deliveries: 1, audit_log: 0 })
    expect((await db.selectFrom('chat_deliveries').select('id').orderBy('id').execute()).map((r) => r.id)).toEqual(['failed-new', 'waiting-old'])
    expect((await db.selectFrom('inbound_events').select('event_id').execute()).map((r) => r.event_id)).toEqual(['recent'])
    expect((await db.selectFrom('conversations').select('user_id').execute()).map((r) => r.user_id)).toEqual(['lisi'])
    expect((await db.selectFrom('sim_messages').select('text').execute()).map((r) => r.text)).toEqual(['新'])
    expect(await enforceRetention(db, DEFAULT_RETENTION, NOW)).toEqual({ inbound_events: 0, conversations: 0, sim_messages: 0, chat_deliveries: 0, audit_log: 0 })
  })

  it('removes a busy week of event ids in slices along their age, ties at a slice edge included, and nothing younger', async () => {
    const { db } = database
    // 2,500 expired ids, five to a millisecond (so slice edges fall inside a tie), and 10 still kept.
    const expired = Array.from({ length: 2_500 }, (_, i) => ({ platform: i % 2 ? 'feishu' : 'dingtalk', event_id: `old-${i}`, received_at: NOW - 9 * DAY + Math.floor(i / 5) }))
    const kept = Array.from({ length: 10 }, (_, i) => ({ platform: 'feishu', event_id: `new-${i}`, received_at: NOW - 7 * DAY + i }))
    for (let i = 0; i < expired.length; i += 500) await db.insertInto('inbound_events').values(expired.slice(i, i + 500)).execute()
    await db.insertInto('inbound_events').values(kept).execute()
    expect((await enforceRetention(db, DEFAULT_RETENTION, NOW)).inbound_events).toBe(2_500)
    expect((await db.selectFrom('inbound_events').select('event_id').orderBy('event_id').execute()).map((r) => r.event_id)).toEqual(kept.map((r) => r.event_id).sort())
  })

  it('removes audit rows older than three years as a prefix of the chain, which still verifies from its anchor', async () => {
    const { db } = database
    await audit(4 * 365, 5)
    await audit(3 * 365 - 1, 2)
    await audit(10, 3)

    expect(await enforceRetention(db, DEFAULT_RETENTION, NOW)).toMatchObject({ audit_log: 5 })
    expect(await auditAnchor(db)).toMatchObject({ seq: 5 })
    expect(await verifyAuditChainFromAnchor(db)).toEqual({ rows: 5, ok: true, from: 6 })

    // New rows link on as before; the chain keeps verifying.
    await audit(0, 2)
    expect(await verifyAuditChainFromAnchor(db)).toEqual({ rows: 7, ok: true, from: 6 })

    // Tampering after a prune is still caught.
    const victim = await db.selectFrom('audit_log').select('id').orderBy('seq').limit(1).offset(2).executeTakeFirstOrThrow()
    await db.updateTable('audit_log').set({ after_state: '{"i":99}' }).where('id', '=', victim.id).execute()
    const report = await verifyAuditChainFromAnchor(db)
    expect(report.ok).toBe(false)
    expect(report.firstBreak).toMatchObject({ seq: 8, reason: expect.stringContaining('modified') })
  })

  it('with nothing pruned the anchored verification is the plain one', async () => {
    await audit(1, 3)
    await enforceRetention(database.db, DEFAULT_RETENTION, NOW)
    expect(await verifyAuditChain(database.db)).toEqual({ rows: 3, ok: true })
    expect(await verifyAuditChainFromAnchor(database.db)).toEqual({ rows: 3, ok: true, from: 1 })
  })

  it('prunes a long history in slices', async () => {
    await audit(5 * 365, 1_203)
    await audit(1, 1)
    expect(await enforceRetention(database.db, DEFAULT_RETENTION, NOW)).toMatchObject({ audit_log: 1_203 })
    expect(await verifyAuditChainFromAnchor(database.db)).toEqual({ rows: 1, ok: true, from: 1_204 })
  }, 60_000)
})

describe('retention settings', () => {
  it('refuses an audit retention under three years, readably', async () => {
    expect(() => loadConfig({ RETENTION_AUDIT_DAYS: '365' })).toThrow(ConfigError)
    expect(() => loadConfig({ RETENTION_AUDIT_DAYS: '365' })).toThrow(/RETENTION_AUDIT_DAYS 至少 1095 天（3 年）/)
    await expect(enforceRetention(null as never, { ...DEFAULT_RETENTION, auditDays: 30 }, NOW)).rejects.toThrow(/at least 1095 days/)
  })

  it('defaults to 3 years of audit, 8 days of event ids, 30 days of dialogue', () => {
    const config = loadConfig({})
    expect([config.RETENTION_AUDIT_DAYS, config.RETENTION_INBOUND_EVENT_DAYS, config.RETENTION_CONVERSATION_DAYS]).toEqual([1095, 8, 30])
  })
})
