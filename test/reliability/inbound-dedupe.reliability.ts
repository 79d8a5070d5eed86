import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { firstDelivery } from '../../bot/inbound-events.js'
import { connectDatabase, type DbHandle } from '../../db/connect.js'
import { migrateToLatest } from '../../db/migrate.js'
import { scratchDatabase } from '../erp/scratch-database.js'
import { startReplyCutter } from './mysql-reply-cutter.js'

/**
 * The dedupe write every callback waits for, under bursts: each id is first exactly once however
 * many copies arrive together or through how many instances, and a burst shares its commits
 * (a commit per event capped the ack path at ~100 events/s on the embedded DB).
 */
const shuffle = <T>(items: T[]): T[] => items.map((item) => [Math.random(), item] as const).sort((a, b) => a[0] - b[0]).map(([, item]) => item)

/** Every id three times, shuffled, all at once; returns how often each id was first. */
async function burst(handles: DbHandle[], ids: string[]): Promise<Map<string, number>> {
  const copies = shuffle(ids.flatMap((id) => [id, id, id]))
  const firsts = await Promise.all(copies.map((id, i) => firstDelivery(handles[i % handles.length]!.db, 'feishu', id)))
  const count = new Map<string, number>()
  copies.forEach((id, i) => count.set(id, (count.get(id) ?? 0) + (firsts[i] ? 1 : 0)))
  return count
}

describe('inbound event de-duplication under bursts', () => {
  const cleanups: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  it('embedded DB (file, WAL): 300 ids × 3 copies at once → each first once, in far fewer commits than deliveries', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dedupe-'))
    const handle = connectDatabase(`sqlite:${join(dir, 'app.db')}`)
    cleanups.push(async () => {
      await handle.close()
      await rm(dir, { recursive: true, force: true })
    })
    await migrateToLatest(handle.db)
    // Every commit appends at least one frame to the WAL; keep them all there to count them.
    await sql`PRAGMA wal_autocheckpoint = 0`.execute(handle.db)
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(handle.db)

    const ids = Array.from({ length: 300 }, (_, i) => `ev-${i}`)
    const firsts = await burst([handle], ids)
    expect([...firsts.values()].every((n) => n === 1)).toBe(true)
    const { rows } = await sql<{ log: number }>`PRAGMA wal_checkpoint(PASSIVE)`.execute(handle.db)
    expect(rows[0]!.log).toBeGreaterThan(0)
    expect(rows[0]!.log).toBeLessThan(100)
    const stored = await handle.db.selectFrom('inbound_events').select('event_id').execute()
    expect(stored).toHaveLength(300)
  })

  it.each(['sqlite', 'mysql'] as const)('%s: an event known by two ids is first only if both are new, alone or in a burst', async (kind) => {
    const scratch = await scratchDatabase(kind)
    cleanups.push(() => scratch.drop())
    const { db } = scratch.handle
    expect(await firstDelivery(db, 'feishu', ['ev-1', 'msg:m-1'])).toBe(true)
    // The same message again under a new event id (it came over the long connection too), and the same event again.
    expect(await firstDelivery(db, 'feishu', ['ev-2', 'msg:m-1'])).toBe(false)
    expect(await firstDelivery(db, 'feishu', ['ev-1', 'msg:m-1'])).toBe(false)
    const burst = await Promise.all([
      firstDelivery(db, 'feishu', ['ev-3', 'msg:m-3']),
      firstDelivery(db, 'feishu', ['ev-4', 'msg:m-3']),
      firstDelivery(db, 'feishu', ['ev-3', 'msg:m-3']),
      firstDelivery(db, 'feishu', ['ev-5', 'msg:m-5']),
    ])
    expect(burst).toEqual([true, false, false, true])
    // A burst of new ids with one stored already: its one-statement insert fails and stores nothing, then each is judged alone.
    const mixed = await Promise.all([
      firstDelivery(db, 'feishu', ['ev-6', 'msg:m-6']),
      firstDelivery(db, 'feishu', ['ev-9', 'msg:m-5']),
      firstDelivery(db, 'feishu', ['ev-7', 'msg:m-7']),
    ])
    expect(mixed).toEqual([true, false, true])
    const stored = await db.selectFrom('inbound_events').select('event_id').where('event_id', 'in', ['ev-6', 'msg:m-6', 'ev-7', 'msg:m-7', 'ev-9']).execute()
    expect(stored.map((r) => r.event_id).sort()).toEqual(['ev-6', 'ev-7', 'msg:m-6', 'msg:m-7'])
  })

  it('MariaDB: a write that committed but whose reply was lost is not taken for a redelivery', async () => {
    const scratch = await scratchDatabase('mysql')
    cleanups.push(() => scratch.drop())
    const url = new URL(scratch.url)
    const cutter = await startReplyCutter({ host: url.hostname, port: Number(url.port || 3306) })
    cleanups.push(() => cutter.close())
    url.port = String(cutter.port)
    const app = connectDatabase(url.toString())
    cleanups.push(() => app.close())
    const stored = async () => (await scratch.handle.db.selectFrom('inbound_events').select('event_id').orderBy('event_id').execute()).map((r) => r.event_id)

    // One event alone: its insert commits, the answer never comes; the platform pushes it again.
    cutter.arm(/^insert into `inbound_events`/i)
    await expect(firstDelivery(app.db, 'feishu', ['ev-1', 'msg:m-1'])).rejects.toThrow()
    expect(await stored()).toEqual(['ev-1', 'msg:m-1'])
    expect(await firstDelivery(app.db, 'feishu', ['ev-1', 'msg:m-1'])).toBe(true)
    expect(await firstDelivery(app.db, 'feishu', ['ev-1', 'msg:m-1'])).toBe(false)

    // A burst that shares one commit (its one multi-row insert): the answer is lost.
    cutter.arm(/^insert into `inbound_events`/i)
    const burst = await Promise.allSettled([firstDelivery(app.db, 'dingtalk', 'msg:a'), firstDelivery(app.db, 'dingtalk', 'msg:b')])
    expect(burst.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    expect(cutter.cut).toHaveLength(2)
    expect(await Promise.all([firstDelivery(app.db, 'dingtalk', 'msg:a'), firstDelivery(app.db, 'dingtalk', 'msg:b'), firstDelivery(app.db, 'dingtalk', 'msg:a')])).toEqual([true, true, false])
  })

  it('MariaDB: 2,000 ids × 3 copies through two instances (own pools) → each first exactly once', async () => {
    const scratch = await scratchDatabase('mysql')
    cleanups.push(() => scratch.drop())
    const second = scratch.connect()
    cleanups.push(() => second.close())
    const first = scratch.handle
    const ids = Array.from({ length: 2000 }, (_, i) => `ev-${i}`)
    const firsts = await burst([first, second], ids)
    expect([...firsts.entries()].filter(([, n]) => n !== 1)).toEqual([])
    const stored = await first.db.selectFrom('inbound_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    expect(Number(stored.n)).toBe(2000)
  })
})
