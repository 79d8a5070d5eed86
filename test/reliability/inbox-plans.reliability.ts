import type { Kysely } from 'kysely'
import { createConnection } from 'mysql2/promise'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { INBOX_SCALE, seedInbox } from '../../bench/inbox-seed.js'
import { explain, recordingDb, type StatementPlan } from '../../bench/query-plans.js'
import { migrateToLatest } from '../../db/migrate.js'
import * as inboxIndexes from '../../db/migrations/0005-inbox-indexes.js'
import { myPendingTasks, myRequests } from '../../miniapp/my-work/my-work-data.js'
import { scratchDatabase, type ScratchDatabase } from '../erp/scratch-database.js'
import { DB_KINDS, freshDatabase } from '../helpers/databases.js'

/**
 * The approver inbox's statements keep their index plans (README "Performance"; timed at a
 * million requests by bench/inbox-bench.ts): on a 20,000-request company, MariaDB's EXPLAIN of
 * "my pending approvals" and "my requests" shows no full scan and no filesort.
 */
describe('approver inbox query plans on MariaDB', () => {
  let scratch: ScratchDatabase
  let plans: StatementPlan[]

  beforeAll(async () => {
    scratch = await scratchDatabase('mysql')
    const sql = await createConnection(scratch.url)
    await seedInbox(sql, { ...INBOX_SCALE, employees: 2_000, requests: 20_000 }, () => {})
    await sql.end()
    const recording = recordingDb(scratch.url)
    const [busiest] = await recording.db
      .selectFrom('approval_tasks')
      .select(['approver_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', '=', 'pending')
      .groupBy('approver_id')
      .orderBy('n', 'desc')
      .limit(1)
      .execute()
    recording.statements.clear()
    await myPendingTasks(recording.db, busiest!.approver_id)
    await myRequests(recording.db, 'u7')
    plans = await explain(scratch.url, recording.statements.values())
    await recording.close()
  })
  afterAll(async () => scratch?.drop())

  it('reads every table through an index', () => {
    const fullScans = plans.flatMap((p) => p.rows.filter((r) => r.type === 'ALL').map((r) => `${r.table} in ${p.sql.slice(0, 80)}…`))
    expect(fullScans).toEqual([])
  })

  it('returns pending approvals and my requests in index order, without sorting', () => {
    const sorted = plans.flatMap((p) => p.rows.filter((r) => /filesort|temporary/i.test(r.extra)).map((r) => `${r.table}: ${r.extra}`))
    expect(sorted).toEqual([])
  })

  it('finds a pending task by approver, status and age; an outbox row by request', () => {
    const keys = plans.flatMap((p) => p.rows.map((r) => `${r.table}:${r.key}`))
    expect(keys).toContain('approval_tasks:approval_tasks_inbox_idx')
    expect(keys).toContain('outbox:outbox_request_idx')
  })
})

describe.each(DB_KINDS)('migration 0005 (inbox indexes) on %s', (kind) => {
  it('goes down and up again', async () => {
    const database = await freshDatabase(kind)
    try {
      const db = database.db as unknown as Kysely<unknown>
      await inboxIndexes.down(db)
      await inboxIndexes.up(db)
      await migrateToLatest(database.db)
    } finally {
      await database.close()
    }
  })
})

