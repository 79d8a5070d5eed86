import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { connectDatabase, parseDatabaseUrl } from '../../db/connect.js'

const dir = mkdtempSync(join(tmpdir(), 'embedded-durability-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function pragma(url: string, name: 'journal_mode' | 'synchronous'): Promise<unknown> {
  const handle = connectDatabase(url)
  try {
    const { rows } = await sql.raw<Record<string, unknown>>(`PRAGMA ${name}`).execute(handle.db)
    return Object.values(rows[0]!)[0]
  } finally {
    await handle.close()
  }
}

describe('embedded database durability settings', () => {
  it('WAL with synchronous=NORMAL by default; ?synchronous=full asks for a flush per commit', async () => {
    expect(await pragma(`sqlite:${join(dir, 'default.db')}`, 'journal_mode')).toBe('wal')
    expect(await pragma(`sqlite:${join(dir, 'default.db')}`, 'synchronous')).toBe(1)
    expect(await pragma(`sqlite:${join(dir, 'full.db')}?synchronous=full`, 'synchronous')).toBe(2)
  })

  it("takes SQLite's own spelling, ?synchronous=FULL, as full too", async () => {
    expect(await pragma(`sqlite:${join(dir, 'full-caps.db')}?synchronous=FULL`, 'synchronous')).toBe(2)
    expect(parseDatabaseUrl(`file:${join(dir, 'x.db')}?synchronous=Full`)).toEqual({ kind: 'sqlite', path: join(dir, 'x.db'), synchronous: 'FULL' })
    expect(parseDatabaseUrl(`sqlite:${join(dir, 'x.db')}?synchronous=NORMAL`)).toEqual({ kind: 'sqlite', path: join(dir, 'x.db'), synchronous: 'NORMAL' })
  })

  it('a committed write survives the process being killed (SIGKILL) right after the commit', async () => {
    const file = join(dir, 'killed.db')
    const child = `
      import { sql } from 'kysely'
      import { connectDatabase } from './db/connect.ts'
      const { db } = connectDatabase(${JSON.stringify(`sqlite:${file}`)})
      await sql\`create table t (id integer primary key, v text)\`.execute(db)
      await db.transaction().execute((trx) => sql\`insert into t (v) values ('committed')\`.execute(trx))
      process.kill(process.pid, 'SIGKILL')
    `
    let killed: unknown
    try {
      execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], { cwd: join(import.meta.dirname, '../..'), stdio: 'pipe' })
    } catch (error) {
      killed = (error as { signal?: string }).signal
    }
    expect(killed).toBe('SIGKILL')
    const handle = connectDatabase(`sqlite:${file}`)
    try {
      const { rows } = await sql<{ v: string }>`select v from t`.execute(handle.db)
      expect(rows).toEqual([{ v: 'committed' }])
    } finally {
      await handle.close()
    }
  })
})
