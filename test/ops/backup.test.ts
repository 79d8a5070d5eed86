import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gunzipSync } from 'node:zlib'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectDatabase } from '../../db/connect.js'
import { MIGRATIONS, migrateToLatest, TABLES_FILLED_BY_MIGRATIONS } from '../../db/migrate.js'
import { restoreDump } from '../../ops/backup/database-dump.js'
import { verifyAuditChainFromAnchor } from '../../ops/retention/audit-anchor.js'
import { createApp } from '../../server/app.js'
import { DB_KINDS, freshDatabase, unmigratedDatabase, type TestDbKind } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'

const BACKUP_TOKEN = 'backup-token-for-tests-0123456789abcdef'
const other = (kind: TestDbKind): TestDbKind => (kind === 'sqlite' ? 'mysql' : 'sqlite')

/** Every row of every table, in an order that does not depend on the engine. */
async function contents(db: Kysely<any>): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {}
  for (const table of await db.introspection.getTables()) {
    const rows = await db.selectFrom(table.name).selectAll().execute()
    out[table.name] = rows.map((row) => JSON.stringify(Object.entries(row).sort(([a], [b]) => a.localeCompare(b)))).sort()
  }
  return out
}

/** True when no table holds rows but what the migrations put there. */
async function holdsNothing(db: Kysely<any>): Promise<boolean> {
  return Object.entries(await contents(db)).every(([table, rows]) => rows.length === 0 || TABLES_FILLED_BY_MIGRATIONS.includes(table))
}

async function* linesOf(text: string): AsyncIterable<string> {
  yield* text.split('\n')
}

/** GET /backup, then a restore into the other engine: the Workers story (their SQLite → Node) and moving engines. */
describe.each(DB_KINDS)('backup export and restore (%s)', (kind) => {
  let t: TestSystem
  let dump: string
  let pending: string
  const dir = mkdtempSync(join(tmpdir(), 'approval-bridge-backup-'))

  beforeAll(async () => {
    t = await TestSystem.start(kind)
    const zhangsan = await t.user('张三')
    const lisi = await t.user('李四')
    const sunba = await t.user('孙八')
    const posted = await t.submitExpense(zhangsan.id, '提交本月差旅费 800元')
    for (const approver of [lisi, sunba]) await t.tap((await t.actionableCard(approver.id, posted)).id, 'approve', approver.id)
    await t.system.outbox.drainOnce()
    pending = await t.submitExpense(zhangsan.id, '提交本月交通费 66元')
    expect(await t.vouchers()).toHaveLength(1)
  })
  afterAll(async () => {
    await t.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('is off without BACKUP_TOKEN and refuses a caller without it', async () => {
    expect((await t.app.request('/backup', { headers: { authorization: `Bearer ${BACKUP_TOKEN}` } })).status).toBe(404)
    const app = createApp(t.system, { devMode: true, backupToken: BACKUP_TOKEN })
    const anonymous = await app.request('/backup')
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="backup"')
    expect((await app.request('/backup', { headers: { authorization: 'Bearer backup-token-for-tests-0123456789abcdeX' } })).status).toBe(401)
  })

  it('exports every table as gzipped JSON lines, with the migrations and a closing count', async () => {
    const app = createApp(t.system, { devMode: true, backupToken: BACKUP_TOKEN })
    const response = await app.request('/backup', { headers: { authorization: `Bearer ${BACKUP_TOKEN}` } })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/gzip')
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="approval-bridge-.+\.ndjson\.gz"$/)
    dump = gunzipSync(Buffer.from(await response.arrayBuffer())).toString('utf8')
    const lines = dump.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown)
    expect(lines[0]).toMatchObject({ format: 'approval-bridge-dump', version: 1, dialect: kind, migrations: Object.keys(MIGRATIONS).sort() })
    const tables = lines.filter((l): l is { table: string; columns: string[] } => typeof l === 'object' && l !== null && 'table' in l).map((l) => l.table)
    expect(tables).toEqual(expect.arrayContaining(['requests', 'approval_tasks', 'audit_log', 'audit_chain', 'outbox', 'users', 'ledger_vouchers']))
    const rows = lines.filter(Array.isArray).length
    expect(lines.at(-1)).toEqual({ end: { tables: tables.length, rows } })
    expect(response.headers.get('x-backup-rows')).toBe(String(rows))
  })

  it(`restores into a new ${other(kind)} database with every row, a verifying audit chain and a working app`, async () => {
    const target = await freshDatabase(other(kind))
    try {
      const restored = await restoreDump(target.db, linesOf(dump), Object.keys(MIGRATIONS))
      expect(restored.rows).toBeGreaterThan(0)
      expect(await contents(target.db)).toEqual(await contents(t.database.db))
      expect(await verifyAuditChainFromAnchor(target.db)).toMatchObject({ ok: true })

      // The restored deployment carries on: the claim waiting for 李四 is decided there.
      const restoredApp = await TestSystem.start(other(kind), { database: target })
      const lisi = await restoredApp.user('李四')
      const { status } = await restoredApp.tap((await restoredApp.actionableCard(lisi.id, pending)).id, 'approve', lisi.id)
      expect(status).toBe(200)
      await restoredApp.system.outbox.stop()
    } finally {
      await target.close()
    }
  })

  it('refuses what it must not restore, and changes nothing then: a non-empty database, a cut-off dump, a newer release', async () => {
    const target = await freshDatabase(kind)
    try {
      const lines = dump.trimEnd().split('\n')
      await expect(restoreDump(target.db, linesOf(lines.slice(0, -1).join('\n')), Object.keys(MIGRATIONS))).rejects.toThrow(/cut off/)
      await expect(restoreDump(target.db, linesOf(lines.slice(0, -2).concat(lines.at(-1)!).join('\n')), Object.keys(MIGRATIONS))).rejects.toThrow(/does not add up/)
      const newer = JSON.stringify({ ...JSON.parse(lines[0]!), migrations: [...Object.keys(MIGRATIONS), '9000-from-the-next-release'] })
      await expect(restoreDump(target.db, linesOf([newer, ...lines.slice(1)].join('\n')), Object.keys(MIGRATIONS))).rejects.toThrow(/newer release.*9000-from-the-next-release/)
      expect(await holdsNothing(target.db)).toBe(true)

      await restoreDump(target.db, linesOf(dump), Object.keys(MIGRATIONS))
      await expect(restoreDump(target.db, linesOf(dump), Object.keys(MIGRATIONS))).rejects.toThrow(/not empty/)
    } finally {
      await target.close()
    }
  })

  it('npm run backup:restore loads the file into DATABASE_URL and says what it restored', async () => {
    const file = join(dir, 'dump.ndjson.gz')
    const { gzipSync } = await import('node:zlib')
    writeFileSync(file, gzipSync(dump))
    const target = await unmigratedDatabase(other(kind), `sqlite:${join(dir, 'restored.db')}`)
    try {
      const run = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/backup-restore.ts', file], { env: { ...process.env, DATABASE_URL: target.url } })
      expect(run.stdout).toMatch(/^已恢复 \/ restored \d+ tables, \d+ rows into /)
      await migrateToLatest(target.db)
      expect(await contents(target.db)).toEqual(await contents(t.database.db))
    } finally {
      await target.close()
    }
  }, 60_000)
})

/** The restore script refuses an empty file politely (exit 1), without touching the database. */
it('backup:restore refuses a file that is not a dump', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'approval-bridge-backup-'))
  const file = join(dir, 'not-a-dump.ndjson')
  writeFileSync(file, '{"hello":"world"}\n')
  try {
    const failed = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/backup-restore.ts', file], { env: { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'x.db')}` } }).catch((error: { code: number; stderr: string }) => error)
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringMatching(/not an approval-bridge dump/) })
    const database = connectDatabase(`sqlite:${join(dir, 'x.db')}`)
    expect(await holdsNothing(database.db)).toBe(true)
    await database.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}, 60_000)
