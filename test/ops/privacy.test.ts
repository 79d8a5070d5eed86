import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectDatabase, type DbHandle } from '../../db/connect.js'
import { migrateToLatest } from '../../db/migrate.js'
import type { PersonalDataExport } from '../../ops/privacy/personal-data.js'
import { TestSystem } from '../helpers/test-system.js'

const run = promisify(execFile)

/**
 * The PIPL commands as an operator runs them (`npm run -s privacy:export -- <id>`,
 * `npm run privacy:anonymise -- <id>`), against the file database a real flow wrote.
 */
describe('personal data: export one employee, anonymise on request', () => {
  const dir = mkdtempSync(join(tmpdir(), 'privacy-'))
  const url = `sqlite:${join(dir, 'app.db')}`
  let database: DbHandle
  let t: TestSystem
  let requestNo: string

  const npm = (...args: string[]) =>
    run('npm', ['run', '-s', ...args], { env: { ...process.env, DATABASE_URL: url } }).then(
      (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
    )
  const exported = async (userId: string) => {
    const result = await npm('privacy:export', '--', userId)
    expect(result.code, result.err).toBe(0)
    return JSON.parse(result.out) as PersonalDataExport
  }

  beforeAll(async () => {
    database = connectDatabase(url)
    await migrateToLatest(database.db)
    t = await TestSystem.start('sqlite', { database })
    await database.db.updateTable('users').set({ mobile: '13800001001', email: 'zhangsan@demo.example.com' }).where('id', '=', 'zhangsan').execute()
    await database.db.insertInto('user_identities').values({ platform: 'feishu', external_id: 'ou_zhangsan000000000000000000001', user_id: 'zhangsan', created_at: Date.now() }).execute()
    requestNo = await t.submitExpense('zhangsan', '提交本月差旅费 3500元')
    expect(await t.tap((await t.actionableCard('lisi', requestNo)).id, 'comment', 'lisi', '张三的发票我已核对')).toMatchObject({ status: 200 })
    await t.tap((await t.actionableCard('lisi', requestNo)).id, 'approve', 'lisi', '张三辛苦了')
    await database.db.insertInto('erp_mappings').values({ kind: 'employee', local_key: 'zhangsan', erp_code: 'E1001', erp_name: '张三', updated_at: Date.now() }).execute()
    await t.say('zhangsan', '提交本月交通费')
    // Chat messages a platform outage held back: one to him, one to someone else that names him.
    const waiting = { platform: 'feishu', card_id: null, message_id: null, coalesce_key: null, generation: 0, status: 'pending', attempts: 2, next_attempt_at: Date.now(), locked_until: null, last_error: 'HTTP 503', created_at: Date.now(), updated_at: Date.now() }
    await database.db
      .insertInto('chat_deliveries')
      .values([
        { ...waiting, id: 'd-zhangsan', kind: 'text', recipient_id: 'zhangsan', body: `你的申请 ${requestNo} 已被 李四 同意`, idempotency_key: 'k-zhangsan' },
        { ...waiting, id: 'd-lisi', kind: 'text', recipient_id: 'lisi', body: `⏰ 审批提醒：张三的差旅费 ${requestNo} 已等待你 2 小时`, idempotency_key: 'k-lisi' },
      ])
      .execute()
  })
  afterAll(async () => {
    await t.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('exports everything held about one person as one JSON document', async () => {
    const data = await exported('zhangsan')
    expect(data.employee).toMatchObject({ employeeNo: 'E1001', name: '张三', department: '研发部', mobile: '13800001001', email: 'zhangsan@demo.example.com', active: true })
    expect(data.platformIdentities).toEqual([{ platform: 'feishu', externalId: 'ou_zhangsan000000000000000000001', linkedAt: expect.any(String) }])
    expect(data.requests.map((r) => [r.requestNo, r.status, r.amountFen])).toContainEqual([requestNo, 'pending', 350_000])
    expect(data.openDialogue).toMatchObject({ state: { intent: 'expense.submit', awaiting: 'amount' } })
    expect(data.simulatorTranscript.map((m) => m.text)).toContain('提交本月交通费')
    expect(data.chatMessagesWaiting).toEqual([{ kind: 'text', platform: 'feishu', status: 'pending', text: `你的申请 ${requestNo} 已被 李四 同意`, queuedAt: expect.any(String) }])
    expect(data.auditEntries.map((a) => a.action)).toEqual(expect.arrayContaining(['request.submitted']))

    const approver = await exported('lisi')
    expect(approver.approvals).toEqual([expect.objectContaining({ requestNo, status: 'approved', comment: '张三辛苦了' })])
    expect(data.erpCodes).toEqual([{ code: 'E1001', name: '张三' }])
  })

  it('says so when there is no such employee', async () => {
    const result = await npm('privacy:export', '--', 'nobody')
    expect(result.code).toBe(1)
    expect(result.err).toContain('没有这个员工 / no such employee: nobody')
  })

  it('anonymises outside the audit log, records it in the log, and the hash chain still verifies', async () => {
    const auditBefore = await database.db.selectFrom('audit_log').selectAll().orderBy('seq').execute()
    const result = await npm('privacy:anonymise', '--', 'zhangsan', '--by', 'admin')
    expect(result.code, result.err).toBe(0)
    expect(result.out).toMatch(/^已匿名化 zhangsan → 已匿名用户-[0-9A-F]{8}；已记入审计日志/)

    const data = await exported('zhangsan')
    expect(data.employee).toMatchObject({ name: expect.stringMatching(/^已匿名用户-/), employeeNo: expect.stringMatching(/^ANON-/), mobile: null, email: null, active: false })
    expect(data.platformIdentities).toEqual([])
    expect(data.openDialogue).toBeNull()
    expect(data.simulatorTranscript).toEqual([])
    expect(data.chatMessagesWaiting).toEqual([])
    // The business record stays, about the pseudonym.
    expect(data.requests.map((r) => r.requestNo)).toContain(requestNo)

    // Nothing outside the audit log still names or reaches the person.
    const everyone = await database.db.selectFrom('sim_messages').select(['text', 'card']).execute()
    expect(JSON.stringify(everyone)).not.toContain('张三')
    const waiting = await database.db.selectFrom('chat_deliveries').select(['recipient_id', 'body']).execute()
    expect(waiting).toEqual([{ recipient_id: 'lisi', body: expect.stringMatching(/^⏰ 审批提醒：已匿名用户-[0-9A-F]{8}的差旅费/) }])
    const users = await database.db.selectFrom('users').selectAll().execute()
    expect(JSON.stringify(users)).not.toMatch(/张三|13800001001|zhangsan@/)
    // Other people's remarks that named him (李四's 「张三辛苦了」) now name the pseudonym; so does every other table.
    expect(await database.db.selectFrom('approval_tasks').select('comment').where('approver_id', '=', 'lisi').execute()).toEqual([{ comment: `${data.employee.name}辛苦了` }])
    expect(await database.db.selectFrom('request_comments').select('text').where('author_id', '=', 'lisi').execute()).toEqual([{ text: `${data.employee.name}的发票我已核对` }])
    const naming: string[] = []
    for (const { name } of await database.db.introspection.getTables()) {
      if (name === 'audit_log') continue
      const rows = await database.db.selectFrom(name as 'users').selectAll().execute()
      if (JSON.stringify(rows).includes('张三')) naming.push(name)
    }
    expect(naming).toEqual([])

    expect(data.erpCodes).toEqual([{ code: 'E1001', name: data.employee.name }])

    // The audit log was only appended to.
    const audit = await database.db.selectFrom('audit_log').selectAll().orderBy('seq').execute()
    expect(audit).toHaveLength(auditBefore.length + 1)
    expect(audit.at(-1)).toMatchObject({ action: 'privacy.anonymised', actor_id: 'admin', entity_type: 'user', entity_id: 'zhangsan' })
    expect(audit.at(-1)!.after_state).not.toMatch(/张三|13800001001/)
    // Its earlier entries still hold the name (李四's comment), unchanged (README, "Data lifecycle": never edited).
    expect(JSON.stringify(auditBefore)).toContain('张三的发票我已核对')
    expect(audit.slice(0, -1)).toEqual(auditBefore)
    const verify = await npm('audit:verify')
    expect(verify).toMatchObject({ code: 0, out: expect.stringContaining(`审计日志完整：${audit.length} 行`) })
  })
})
