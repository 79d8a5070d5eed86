import { env, runInDurableObject } from 'cloudflare:test'
import { Kysely, sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { DurableSqliteDialect } from '../../db/durable-sqlite/durable-sqlite-dialect.js'
import type { WorkerEnv } from '../../server/worker.js'

interface Probe {
  probe: { id: number; owner: string; state: string }
}

/** A fresh object per test (its own SQLite database), with a probe table and a Kysely on the dialect under test. */
async function inObject<R>(work: (db: Kysely<Probe>) => Promise<R>, name = crypto.randomUUID()): Promise<R> {
  const namespace = (env as WorkerEnv).APP
  return runInDurableObject(namespace.get(namespace.idFromName(name)), async (_instance, state) => {
    const db = new Kysely<Probe>({ dialect: new DurableSqliteDialect(state.storage) })
    await sql`create table if not exists probe (id integer primary key, owner text not null, state text not null)`.execute(db)
    return work(db)
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('interactive transactions on the Durable Object SQLite dialect (inside workerd)', () => {
  it('a transaction that throws after writing and awaiting leaves nothing behind', async () => {
    const rows = await inObject(async (db) => {
      await db.insertInto('probe').values({ id: 1, owner: 'before', state: 'open' }).execute()
      const failure = await db
        .transaction()
        .execute(async (trx) => {
          await trx.updateTable('probe').set({ state: 'taken' }).where('id', '=', 1).execute()
          await trx.insertInto('probe').values({ id: 2, owner: 'inside', state: 'open' }).execute()
          await sleep(20)
          throw new Error('decision refused')
        })
        .catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(Error)
      return db.selectFrom('probe').selectAll().orderBy('id').execute()
    })
    expect(rows).toEqual([{ id: 1, owner: 'before', state: 'open' }])
  })

  it('affected-row counts drive a conditional update: of two claims, exactly one wins', async () => {
    const outcomes = await inObject(async (db) => {
      await db.insertInto('probe').values({ id: 1, owner: '', state: 'pending' }).execute()
      const claim = (owner: string) =>
        db.transaction().execute(async (trx) => {
          const result = await trx.updateTable('probe').set({ state: 'claimed', owner }).where('id', '=', 1).where('state', '=', 'pending').executeTakeFirst()
          await sleep(10)
          return Number(result.numUpdatedRows)
        })
      return Promise.all([claim('a'), claim('b')])
    })
    expect(outcomes.sort()).toEqual([0, 1])
  })

  it('a transaction waiting on I/O holds off other requests to the object until it commits', async () => {
    const name = crypto.randomUUID()
    const events: string[] = []
    const writer = inObject(
      (db) =>
        db.transaction().execute(async (trx) => {
          await trx.insertInto('probe').values({ id: 1, owner: 'writer', state: 'uncommitted' }).execute()
          events.push('writer wrote')
          await sleep(100)
          await trx.updateTable('probe').set({ state: 'committed' }).where('id', '=', 1).execute()
          events.push('writer commits')
        }),
      name,
    )
    await sleep(20)
    // A second request to the same object: delivered only after the writer's transaction is over.
    const seen = await inObject(async (db) => {
      events.push('reader runs')
      return db.selectFrom('probe').select('state').execute()
    }, name)
    await writer
    expect(events).toEqual(['writer wrote', 'writer commits', 'reader runs'])
    expect(seen).toEqual([{ state: 'committed' }])
  })

  it('statements with more than 100 parameters still run (values inlined as literals, quotes and all)', async () => {
    const rows = await inObject(async (db) => {
      const many = Array.from({ length: 60 }, (_, i) => ({ id: i + 1, owner: `O'Brien ? "${i}"`, state: i % 2 ? 'odd' : 'even' }))
      await db.insertInto('probe').values(many).execute()
      return db.selectFrom('probe').selectAll().where('id', 'in', many.map((m) => m.id)).where('owner', 'like', "O'Brien ?%").orderBy('id').execute()
    })
    expect(rows).toHaveLength(60)
    expect(rows[7]).toEqual({ id: 8, owner: `O'Brien ? "7"`, state: 'odd' })
  })
})
