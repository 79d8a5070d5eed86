import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Migrator, sql, type Migration } from 'kysely'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { connectDatabase } from '../../db/connect.js'
import { migrateToLatest } from '../../db/migrate.js'
import * as initial from '../../db/migrations/0001-initial.js'
import { seedDemoOrg } from '../../db/seeds/demo-org.js'
import { hashAuditRow, verifyAuditChain } from '../../workflow/audit-chain.js'
import { RequestService } from '../../workflow/request-service.js'
import { createWorkflowContext } from '../../workflow/workflow-context.js'
import { DB_KINDS } from '../helpers/databases.js'
import { approver, flow, FlowHarness, users } from './flow-harness.js'

const run = promisify(execFile)

describe.each(DB_KINDS)('tamper-evident audit log (%s)', (kind) => {
  let h: FlowHarness
  beforeAll(async () => {
    h = await FlowHarness.open(kind)
    await h.publish('purchase', flow([approver({ sources: users('lisi') }), approver({ sources: users('wangwu') })]))
    for (let i = 0; i < 3; i++) {
      const { request } = await h.submit('zhangsan', 'purchase', { item: `物品${i}`, quantity: 1, amountFen: 100_00 })
      await h.approve(request.id, 'lisi')
    }
  })
  afterAll(async () => {
    await h.close()
  })

  const rows = () => h.db.selectFrom('audit_log').selectAll().orderBy('seq').execute()

  it('every row links to the one before; the chain checks out', async () => {
    const all = await rows()
    expect(all.length).toBeGreaterThanOrEqual(10)
    expect(all.map((r) => Number(r.seq))).toEqual(all.map((_, i) => i + 1))
    for (let i = 1; i < all.length; i++) expect(all[i]!.prev_hash).toBe(all[i - 1]!.hash)
    expect(await verifyAuditChain(h.db)).toEqual({ rows: all.length, ok: true })
  })

  describe('tampering is found at the first broken row', () => {
    let restore: (() => Promise<void>) | undefined
    afterEach(async () => {
      await restore?.()
      restore = undefined
      expect((await verifyAuditChain(h.db)).ok).toBe(true)
    })

    it('an edited row breaks its own hash', async () => {
      const target = (await rows())[4]!
      await h.db.updateTable('audit_log').set({ after_state: '{"status":"approved"}' }).where('id', '=', target.id).execute()
      restore = async () => void (await h.db.updateTable('audit_log').set({ after_state: target.after_state }).where('id', '=', target.id).execute())
      expect((await verifyAuditChain(h.db)).firstBreak).toEqual({ id: Number(target.id), seq: 5, reason: expect.stringContaining('被修改') })
    })

    it('an edit re-hashed by the forger still breaks the link of the next row', async () => {
      const [target, next] = (await rows()).slice(3, 5)
      const forged = { ...target!, actor_id: 'zhouzong' }
      const hash = await hashAuditRow({
        seq: Number(forged.seq),
        at: Number(forged.at),
        actorId: forged.actor_id,
        action: forged.action,
        entityType: forged.entity_type,
        entityId: forged.entity_id,
        beforeState: forged.before_state,
        afterState: forged.after_state,
        prevHash: forged.prev_hash!,
      })
      await h.db.updateTable('audit_log').set({ hash, actor_id: 'zhouzong' }).where('id', '=', target!.id).execute()
      restore = async () => void (await h.db.updateTable('audit_log').set({ hash: target!.hash, actor_id: target!.actor_id }).where('id', '=', target!.id).execute())
      expect((await verifyAuditChain(h.db)).firstBreak).toEqual({ id: Number(next!.id), seq: 5, reason: expect.stringContaining('不衔接') })
    })

    it('a deleted row leaves a gap', async () => {
      const [target, next] = (await rows()).slice(6, 8)
      await h.db.deleteFrom('audit_log').where('id', '=', target!.id).execute()
      restore = async () => void (await h.db.insertInto('audit_log').values(target!).execute())
      expect((await verifyAuditChain(h.db)).firstBreak).toEqual({ id: Number(next!.id), seq: 8, reason: expect.stringContaining('缺少第 7 行') })
    })

    it('a dropped tail disagrees with the chain head', async () => {
      const last = (await rows()).at(-1)!
      await h.db.deleteFrom('audit_log').where('id', '=', last.id).execute()
      restore = async () => void (await h.db.insertInto('audit_log').values(last).execute())
      expect((await verifyAuditChain(h.db)).firstBreak).toEqual({ id: null, seq: Number(last.seq), reason: expect.stringContaining('链尾缺失') })
    })
  })
})

describe('audit log: rows from before the chain, and the audit:verify command', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-'))
  })
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  it('the migration chains rows written before it; audit:verify names the first broken row', async () => {
    const file = join(dir, 'app.db')
    const handle = connectDatabase(`sqlite:${file}`)
    const onlyInitial = { getMigrations: async (): Promise<Record<string, Migration>> => ({ '0001-initial': initial }) }
    await new Migrator({ db: handle.db, provider: onlyInitial }).migrateToLatest()
    for (const action of ['request.drafted', 'request.submitted']) {
      await sql`insert into audit_log (at, actor_id, action, entity_type, entity_id, before_state, after_state) values (${1}, ${'zhangsan'}, ${action}, ${'request'}, ${'r1'}, ${null}, ${'{}'})`.execute(handle.db)
    }
    await migrateToLatest(handle.db)
    await seedDemoOrg(handle.db)
    const service = new RequestService(createWorkflowContext(handle.db))
    const draft = await service.createExpenseDraft('zhangsan', { category: 'meal', amountFen: 88_00 })
    await service.submit(draft.id, 'zhangsan')
    expect(await verifyAuditChain(handle.db)).toEqual({ rows: 4, ok: true })

    const cli = (env: string) => run('npx', ['tsx', 'scripts/audit-verify.ts'], { env: { ...process.env, DATABASE_URL: env } }).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    )
    expect(await cli(`sqlite:${file}`)).toEqual({ code: 0, out: expect.stringContaining('审计日志完整：4 行') })
    const third = await handle.db.selectFrom('audit_log').select('id').where('seq', '=', 3).executeTakeFirstOrThrow()
    await handle.db.updateTable('audit_log').set({ actor_id: 'lisi' }).where('id', '=', third.id).execute()
    await handle.close()
    const broken = await cli(`sqlite:${file}`)
    expect(broken.code).toBe(1)
    expect(broken.out).toContain(`首个断点 id=${third.id}（第 3 行）`)
  })
})
