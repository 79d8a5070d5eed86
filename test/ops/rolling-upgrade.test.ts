import { execFileSync, execSync } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MIGRATIONS, migrateToLatest, pendingMigrations } from '../../db/migrate.js'
import { DB_KINDS, unmigratedDatabase } from '../helpers/databases.js'
import { overHttp, SimulatorDriver, TestSystem } from '../helpers/test-system.js'
import { freePort } from '../../scripts/free-port.js'
import { startServerChild, type ServerChild } from './server-child.js'

const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim()

/**
 * The previous release, as far as the schema goes: the code just before the newest migration was
 * added (from git history; a shallow clone needs `git fetch --unshallow`). Unpacked next to a link
 * to this checkout's node_modules; its server/node.ts is started directly.
 */
function checkOutPreviousRelease(): { dir: string; commit: string } {
  const newestMigration = git('log', '-1', '--diff-filter=A', '--format=%H', '--', 'db/migrations')
  const commit = git('rev-parse', `${newestMigration}^`)
  const dir = mkdtempSync(join(tmpdir(), 'approval-bridge-previous-'))
  execSync(`git archive ${commit} | tar -x -C ${JSON.stringify(dir)}`)
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules'), 'dir')
  return { dir, commit }
}

/**
 * A rolling upgrade with the real previous release: it serves from a database at its schema, the
 * new release applies its migrations underneath it, and the old instance goes on taking claims,
 * decisions and postings — next to a new instance on the same database.
 */
describe.each(DB_KINDS)('an older release still serving while the new one migrates (%s)', (kind) => {
  let previous: { dir: string; commit: string }
  let database: Awaited<ReturnType<typeof unmigratedDatabase>>
  let old: ServerChild | undefined
  let current: TestSystem | undefined

  beforeAll(async () => {
    previous = checkOutPreviousRelease()
    database = await unmigratedDatabase(kind, `sqlite:${join(previous.dir, 'data', 'upgrade.db')}`)
  }, 60_000)
  afterAll(async () => {
    old?.signal('SIGTERM')
    await old?.exited
    await current?.system.outbox.stop()
    await database.close()
    rmSync(previous.dir, { recursive: true, force: true })
  }, 30_000)

  it('claims, decisions and postings on the old instance go on after the new migrations, and on the new one', async () => {
    old = await startServerChild(await freePort(), { DATABASE_URL: database.url, DEV_MODE: '1', OUTBOX_POLL_MS: '100' }, { cwd: previous.dir })
    const oldApp = new SimulatorDriver(overHttp(old.baseUrl))
    const newMigrations = await pendingMigrations(database.db)
    expect(newMigrations.length, `the previous release (${previous.commit.slice(0, 7)}) lacks a migration of this one`).toBeGreaterThan(0)
    expect(newMigrations.length).toBeLessThan(Object.keys(MIGRATIONS).length)

    const zhangsan = await oldApp.user('张三')
    const lisi = await oldApp.user('李四')
    const sunba = await oldApp.user('孙八')
    const approve = async (app: SimulatorDriver, approver: { id: string }, requestNo: string) => {
      const { status, body } = await app.tap((await app.actionableCard(approver.id, requestNo)).id, 'approve', approver.id)
      expect(status, body.message).toBe(200)
    }
    // In flight across the upgrade: submitted and half approved on the old schema.
    const inFlight = await oldApp.submitExpense(zhangsan.id, '提交本月差旅费 800元')
    await approve(oldApp, lisi, inFlight)

    // The new release starts on the same database: its migrations run under the old instance.
    await migrateToLatest(database.db)
    expect(await pendingMigrations(database.db)).toEqual([])
    current = await TestSystem.start(kind, { database })

    // The old instance: ready, finishes the one in flight, takes, rejects and approves new ones, and posts.
    expect((await oldApp.app.request('/readyz')).status).toBe(200)
    await approve(oldApp, sunba, inFlight)
    const rejected = await oldApp.submitExpense(zhangsan.id, '提交本月交通费 66元')
    const { status } = await oldApp.tap((await oldApp.actionableCard(lisi.id, rejected)).id, 'reject', lisi.id, '不合规')
    expect(status).toBe(200)
    const afterUpgrade = await oldApp.submitExpense(zhangsan.id, '提交本月差旅费 1200元')
    await approve(oldApp, lisi, afterUpgrade)
    // …and the new instance decides on what the old one put in front of 孙八.
    await approve(current, sunba, afterUpgrade)

    const posted = async () => (await oldApp.vouchers()).map((v) => v.requestNo).sort()
    const deadline = Date.now() + 20_000
    while ((await posted()).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    expect(await posted()).toEqual([inFlight, afterUpgrade].sort())
    expect(old.output()).not.toMatch(/"level":(50|60)|"level":"error"/)

    // Both instances see the same requests, whoever handled them.
    const seen = async (app: SimulatorDriver) => (await app.cards(zhangsan.id)).map((c) => c.requestNo).filter(Boolean)
    expect(new Set(await seen(current))).toEqual(new Set(await seen(oldApp)))
  }, 120_000)
})
