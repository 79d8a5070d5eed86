import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { connectDatabase, type DbHandle } from '../../db/connect.js'

let dir: string
let handle: DbHandle | undefined

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'checkpointer-'))
})
afterEach(async () => {
  await handle?.close()
  handle = undefined
  rmSync(dir, { recursive: true, force: true })
})

const row = 'x'.repeat(3000)

async function writeRows(db: DbHandle['db'], count: number): Promise<void> {
  for (let i = 0; i < count; i++) await sql`INSERT INTO filler (body) VALUES (${row})`.execute(db)
}

/**
 * WAL frames not yet copied into the database file, read from the shared WAL index without touching the
 * database (a checkpoint from here would copy them itself): the header's mxFrame against the checkpoint
 * info's nBackfill (sqlite's wal.c: WalIndexHdr.mxFrame at byte 16, WalCkptInfo.nBackfill at byte 96,
 * native byte order).
 */
function uncopiedFrames(path: string): number {
  const index = readFileSync(`${path}-shm`)
  return index.readUInt32LE(16) - index.readUInt32LE(96)
}

describe('the embedded DB checkpoints from a worker thread', () => {
  it('the app connection never checkpoints itself; the thread copies the WAL back soon after', async () => {
    const path = join(dir, 'app.db')
    handle = connectDatabase(`sqlite:${path}`, { checkpoint: { intervalMs: 50 } })
    const autocheckpoint = await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(handle.db)
    expect(autocheckpoint.rows[0]!.wal_autocheckpoint).toBe(0)

    await sql`CREATE TABLE filler (body TEXT)`.execute(handle.db)
    await writeRows(handle.db, 1500)
    // Past SQLite's own 1,000-page mark, which the app connection no longer acts on.
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(1000 * 4096)
    expect(uncopiedFrames(path)).toBeGreaterThan(0)
    await expect.poll(() => uncopiedFrames(path), { timeout: 5000 }).toBe(0)
  })

  it('under writes that never pause, the WAL starts over once it passes the restart mark instead of growing', async () => {
    const path = join(dir, 'busy.db')
    handle = connectDatabase(`sqlite:${path}`, { checkpoint: { intervalMs: 20, restartPages: 400 } })
    await sql`CREATE TABLE filler (body TEXT)`.execute(handle.db)
    let largest = 0
    const until = Date.now() + 2500
    let written = 0
    while (Date.now() < until) {
      await writeRows(handle.db, 50)
      written += 50
      largest = Math.max(largest, statSync(`${path}-wal`).size)
      // Lets the thread's checkpoint in between bursts, as an event loop serving requests would. A gap of a few ms:
      // the thread's busy handler retries after 1, 2, 5 … ms, and under a loaded machine a bare setImmediate gap was too
      // short for it to ever find the writer lock free.
      await new Promise((resolve) => setTimeout(resolve, 3))
    }
    // Each row is a page or more: without the restart the WAL would hold every one of them.
    expect(written).toBeGreaterThan(2000)
    expect(largest).toBeLessThan(written * 4096 * 0.5)
    const count = await sql<{ n: number }>`SELECT count(*) AS n FROM filler`.execute(handle.db)
    expect(count.rows[0]!.n).toBe(written)
  })

  it('close waits for the thread to let go, and every row is there on reopening', async () => {
    const path = join(dir, 'closed.db')
    const own = connectDatabase(`sqlite:${path}`, { checkpoint: {} })
    await sql`CREATE TABLE filler (body TEXT)`.execute(own.db)
    await writeRows(own.db, 20)
    await own.close()
    const reopened = connectDatabase(`sqlite:${path}`, { checkpoint: {} })
    const count = await sql<{ n: number }>`SELECT count(*) AS n FROM filler`.execute(reopened.db)
    await reopened.close()
    expect(count.rows[0]!.n).toBe(20)
  })
})
