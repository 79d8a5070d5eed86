import type { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createParserFromEnv } from '../../bot/nlu/parser-from-env.js'
import { inTransaction } from '../../db/transaction.js'
import { SecretBox } from '../../erp-bridge/connections/secret-box.js'
import { p90 } from '../../miniapp/dashboard/dashboard-data.js'
import { createApp } from '../../server/app.js'
import { composeSystem, type System } from '../../server/compose.js'
import { deriveKey } from '../../server/secret-key.js'
import { appendAudit } from '../../workflow/audit.js'
import { startWebhookErp, type WebhookErp } from '../fakes/erp-proxy/webhook-erp.js'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'
import { AdminClient, expectJson } from './admin-client.js'

/**
 * The admin pages' APIs against real data from chat stories, on both databases: the dashboard's
 * numbers, the ERP page's failed posting fixed by adding its mapping and retrying (against a real
 * webhook receiver), the audit log's masking and exports, and the org imports.
 */

const APP_KEY = 'k'.repeat(48)
const WEBHOOK_SECRET = 'webhook-secret-0123456789'
const HOUR = 3_600_000

describe('p90', () => {
  it('is the nearest-rank 90th percentile', () => {
    expect(p90([])).toBe(0)
    expect(p90([5])).toBe(5)
    expect(p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toBe(9)
    expect(p90([10, 1, 3, 2, 100, 4, 5, 6, 7, 8, 9])).toBe(10)
  })
})

describe.each(DB_KINDS)('admin pages API on %s', (kind) => {
  let sys: TestSystem
  let admin: System
  let app: Hono
  let clock = Date.now()
  let erp: WebhookErp
  const as: Record<'admin' | 'finance' | 'auditor' | 'employee', AdminClient> = {} as never
  let travelNo: string
  let trainingNo: string

  beforeAll(async () => {
    erp = await startWebhookErp({ secret: WEBHOOK_SECRET })
    sys = await TestSystem.start(kind)
    await sys.database.db
      .insertInto('users')
      .values({ id: 'shenji', employee_no: 'E1009', name: '沈计', department_id: 'd-fin', manager_id: 'qianqi', title: '内审', level: 4, roles: JSON.stringify(['employee', 'auditor']), mobile: null, email: null, active: 1, created_at: Date.now() })
      .execute()
    // The admin side runs with stored-secret sealing and its own clock, on the same database.
    admin = await composeSystem({
      database: sys.database,
      parser: createParserFromEnv({}),
      now: () => clock,
      erpSecrets: await SecretBox.fromKey(await deriveKey(APP_KEY, 'erp-secrets')),
      outboxBaseBackoffMs: 10,
    })
    app = createApp(admin, { devMode: true, secretKey: APP_KEY })
    as.admin = await AdminClient.signIn(app, 'admin')
    as.finance = await AdminClient.signIn(app, 'sunba')
    as.auditor = await AdminClient.signIn(app, 'shenji')
    as.employee = await AdminClient.signIn(app, 'zhangsan')

    travelNo = await sys.submitExpense('zhangsan', '提交本月差旅费 3500元')
    await sys.tap((await sys.actionableCard('lisi', travelNo)).id, 'approve', 'lisi')
    await sys.tap((await sys.actionableCard('sunba', travelNo)).id, 'approve', 'sunba')
    const mealNo = await sys.submitExpense('wujiu', '报销昨天招待客户的餐费 680元')
    await sys.tap((await sys.actionableCard('zhaoliu', mealNo)).id, 'reject', 'zhaoliu', '超出招待标准')
    trainingNo = await sys.submitExpense('zhangsan', '提交本月培训费 8000元')
    await sys.tap((await sys.actionableCard('lisi', trainingNo)).id, 'approve', 'lisi')
    clock = Date.now() // the admin side's clock catches up with the chat side's
  })
  afterAll(async () => {
    await admin?.outbox.stop()
    await sys?.close()
    await erp?.close()
  })

  const json = expectJson

  it('dashboard: what waits where, how long approvals take, per day and per department', async () => {
    type D = { totals: Record<string, number>; pendingByApprover: { name: string; count: number }[]; pendingByStep: { name: string; count: number }[]; durationByType: { type: string; finished: number }[]; perDay: { submitted: number[] }; slaBreaches: { requestNo: string }[] }
    const d = await json<D>(as.finance.get('/api/admin/dashboard'))
    expect(d.totals).toMatchObject({ submitted: 3, pending: 1, approved: 1, rejected: 1, slaBreaches: 0 })
    expect(d.pendingByApprover).toEqual([{ approverId: 'wangwu', name: '王五', employeeNo: 'E1003', count: 1, oldestHours: expect.any(Number) }])
    expect(d.pendingByStep).toEqual([{ name: '部门负责人审批', count: 1 }])
    expect(d.durationByType).toEqual([expect.objectContaining({ type: 'expense', finished: 2 })])
    expect(d.perDay.submitted.reduce((a, b) => a + b, 0)).toBe(3)

    const sales = await json<D>(as.auditor.get('/api/admin/dashboard?departmentId=d-sales'))
    expect(sales.totals).toMatchObject({ submitted: 1, rejected: 1, pending: 0 })

    // The department-head node's SLA is its 72 h timeout (default template): 49 h is within it, 73 h is not.
    try {
      clock += 49 * HOUR
      expect((await json<D>((await AdminClient.signIn(app, 'sunba')).get('/api/admin/dashboard'))).slaBreaches).toEqual([])
      clock += 24 * HOUR
      const late = await json<D>((await AdminClient.signIn(app, 'sunba')).get('/api/admin/dashboard'))
      expect(late.slaBreaches).toEqual([expect.objectContaining({ requestNo: trainingNo, slaHours: 72 })])
    } finally {
      clock -= 73 * HOUR
    }
    await json(as.finance.get('/api/admin/dashboard?from=2026-12-01&to=2026-11-01'), 400)
    await json(as.employee.get('/api/admin/dashboard'), 403)
  })

  it('ERP: a posting that failed for a missing mapping posts once the mapping is added and it is retried', async () => {
    const settings = { url: erp.url, secret: WEBHOOK_SECRET, employeeNoIsErpCode: true, requiredMappings: { 'expense.voucher': ['expense_category'] } }
    const saved = await json<{ connection: { id: string; settings: Record<string, unknown>; secretsSet: string[] } }>(as.finance.post('/api/admin/erp/connections', { name: '财务共享 Webhook', adapter: 'webhook', settings }))
    expect(saved.connection.secretsSet).toEqual(['secret'])
    const listed = await json<{ settings: Record<string, unknown> }[]>(as.finance.get('/api/admin/erp/connections'))
    expect(JSON.stringify(listed)).not.toContain(WEBHOOK_SECRET)
    expect((await json<{ ok: boolean }>(as.finance.post('/api/admin/erp/connections/test', { id: saved.connection.id }))).ok).toBe(true)
    await json(as.finance.post(`/api/admin/erp/connections/${saved.connection.id}/activate`, {}))

    await admin.outbox.drainOnce()
    const failed = await json<{ id: string; requestNo: string; status: string; reason: string }[]>(as.finance.get('/api/admin/erp/postings'))
    const row = failed.find((p) => p.requestNo === travelNo)!
    expect(row).toMatchObject({ status: 'failed' })
    expect(row.reason).toContain('差旅费')

    const check = await json<{ types: { missing: { kind: string; localKey: string }[] }[] }>(as.finance.get('/api/admin/erp/mappings/check'))
    expect(check.types.flatMap((t) => t.missing)).toContainEqual(expect.objectContaining({ kind: 'expense_category', localKey: 'travel' }))

    await json(as.employee.request('/api/admin/erp/mappings', { method: 'PUT', body: { entries: [{ kind: 'expense_category', localKey: 'travel', erpCode: '6602.01' }] } }), 403)
    await json(as.finance.request('/api/admin/erp/mappings', { method: 'PUT', body: { entries: [{ kind: 'expense_category', localKey: 'travel', erpCode: '6602.01', erpName: '差旅费' }] } }))
    await json(as.finance.post(`/api/admin/erp/postings/${row.id}/retry`, {}))
    await admin.outbox.drainOnce()

    expect(await json<unknown[]>(as.finance.get('/api/admin/erp/postings'))).toEqual([])
    expect(erp.documents.filter((d) => d.idempotencyKey === travelNo)).toEqual([expect.objectContaining({ action: expect.objectContaining({ accountCode: '6602.01' }) })])
    const view = await json<{ posting: { status: string; documentNo: string } }>(as.employee.get(`/api/admin/requests/${(await sys.database.db.selectFrom('requests').select('id').where('request_no', '=', travelNo).executeTakeFirstOrThrow()).id}`))
    expect(view.posting).toMatchObject({ status: 'posted', documentNo: erp.documents[0]!.documentNo })
    await json(as.finance.post(`/api/admin/erp/postings/${row.id}/cancel`, {}), 409)

    const actions = (await json<{ action: string }[]>(as.auditor.get('/api/admin/audit?action=erp.'))).map((e) => e.action)
    expect(actions).toEqual(expect.arrayContaining(['erp.connection.saved', 'erp.connection.activated', 'erp.mappings.saved', 'erp.posting.retried']))
    await json(as.finance.post('/api/admin/erp/connections/ledger/activate', {}))
  })

  it('audit: personal data masked on screen and in the export; a reveal needs a reason and is itself audited', async () => {
    await inTransaction(sys.database.db, (trx) =>
      appendAudit(trx, {
        at: clock,
        actorId: 'zhengshi',
        action: 'test.hr_record',
        entityType: 'user',
        entityId: 'wujiu',
        after: { mobile: '13812345678', idNumber: '110101199003071234', bankAccount: '6222021234567890123', note: '联系 13987654321', remark: '或 +86 137-1234-5678' },
      }),
    )
    type Entry = { id: number; after: Record<string, string>; masked: boolean }
    const [masked] = await json<Entry[]>(as.auditor.get('/api/admin/audit?action=test.hr_record'))
    expect(masked!.masked).toBe(true)
    expect(JSON.stringify(masked!.after)).not.toMatch(/13812345678|110101199003071234|6222021234567890123|13987654321/)
    expect(masked!.after.note).toBe('联系 139****4321')
    // Written in groups, as people do, a mobile is masked too.
    expect(masked!.after.remark).toBe('或 +86 137****5678')

    await json(as.auditor.post('/api/admin/audit/reveal', { ids: [masked!.id], reason: '' }), 400)
    await json(as.finance.post('/api/admin/audit/reveal', { ids: [masked!.id], reason: '核对' }), 403)
    const [revealed] = await json<Entry[]>(as.auditor.post('/api/admin/audit/reveal', { ids: [masked!.id], reason: '核对员工调岗记录' }))
    expect(revealed!.after).toMatchObject({ mobile: '13812345678', idNumber: '110101199003071234' })
    const [viewed] = await json<{ actorId: string; after: { reason: string; entries: number[] } }[]>(as.auditor.get('/api/admin/audit?action=pii.viewed'))
    expect(viewed).toMatchObject({ actorId: 'shenji', after: { reason: '核对员工调岗记录', entries: [masked!.id] } })

    const csvResponse = await as.auditor.get('/api/admin/audit.csv?action=test.')
    expect(csvResponse.headers.get('content-type')).toContain('text/csv')
    const bytes = new Uint8Array(await csvResponse.arrayBuffer())
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const csv = new TextDecoder().decode(bytes)
    expect(csv.startsWith('id,time,actor_id')).toBe(true)
    expect(csv).toContain('test.hr_record')
    expect(csv).not.toContain('13812345678')
    const [exported] = await json<{ after: { rows: number } }[]>(as.auditor.get('/api/admin/audit?action=audit.exported'))
    expect(exported!.after.rows).toBe(1)
    expect((await as.finance.get('/api/admin/audit.csv')).status).toBe(403)
  })

  it('audit: search by request number, person and action', async () => {
    const byRequest = await json<{ requestNo: string; action: string }[]>(as.auditor.get(`/api/admin/audit?requestNo=${travelNo}`))
    expect(new Set(byRequest.map((e) => e.requestNo))).toEqual(new Set([travelNo]))
    expect(byRequest.map((e) => e.action).sort()).toEqual(['request.drafted', 'request.submitted', 'task.approved', 'task.approved'])
    const byLisi = await json<{ actorId: string }[]>(as.auditor.get('/api/admin/audit?actor=李四&action=task.'))
    expect(byLisi.length).toBe(2)
    expect(byLisi.every((e) => e.actorId === 'lisi')).toBe(true)
    expect(await json<unknown[]>(as.auditor.get('/api/admin/audit?actor=%25'))).toEqual([])
  })

  it('org: CSV imports check every line first, then change all or nothing', async () => {
    const departments = '部门编号,部门名称,上级部门,负责人工号,成本中心\nd-legal,法务部,总经办,E1000,CC-600\n'
    const dept = await json<{ created: number }>(as.admin.post('/api/admin/org/departments/import', { csv: departments, dryRun: false }))
    expect(dept.created).toBe(1)

    const bad = '工号,姓名,部门,直属上级工号,手机\nE2001,冯一,法务部,E1000,13700001111\nE2002,陈二,不存在的部门,E2001,\nE2001,重复,法务部,,\n'
    const refused = await json<{ errors: { line: number; message: string }[] }>(as.admin.post('/api/admin/org/employees/import', { csv: bad, dryRun: true }), 422)
    expect(refused.errors.map((e) => e.line)).toEqual([3, 4])

    const good = '\uFEFF工号,姓名,部门,直属上级工号,职位,职级,角色,手机\nE2001,冯一,法务部,E1000,法务经理,5,dept_head,13700001111\nE2002,陈二,d-legal,E2001,法务专员,3,,\nE1001,张三,研发部,E1002,高级软件工程师,3,,\n'
    const preview = await json<{ created: number; updated: number; message: string }>(as.admin.post('/api/admin/org/employees/import', { csv: good, dryRun: true }))
    expect(preview).toMatchObject({ created: 2, updated: 1 })
    expect((await sys.database.db.selectFrom('users').select('id').where('employee_no', '=', 'E2001').execute()).length).toBe(0)
    await json(as.admin.post('/api/admin/org/employees/import', { csv: good, dryRun: false }))

    const employees = await json<{ employeeNo: string; managerName: string | null; title: string; mobile: string | null; departmentName: string }[]>(as.admin.get('/api/admin/org/employees'))
    expect(employees.find((e) => e.employeeNo === 'E2002')).toMatchObject({ managerName: '冯一', departmentName: '法务部' })
    expect(employees.find((e) => e.employeeNo === 'E2001')?.mobile).toBe('137****1111')
    expect(employees.find((e) => e.employeeNo === 'E1001')?.title).toBe('高级软件工程师')
    await json(as.finance.post('/api/admin/org/employees/import', { csv: good, dryRun: true }), 403)
  })

  it('flows: a draft is validated with a sample route, published as a new version, and new requests follow it', async () => {
    type Flow = { type: string; latestVersion: number; running: { version: number; count: number }[] }
    const [expense] = (await json<Flow[]>(as.admin.get('/api/admin/flows'))).filter((f) => f.type === 'expense')
    expect(expense).toMatchObject({ latestVersion: 1, running: [{ version: 1, count: 1 }] })
    await json(as.finance.get('/api/admin/flows'), 403)

    const { latest } = await json<{ latest: { definition: { nodes: unknown[] } } }>(as.admin.get('/api/admin/flows/expense'))
    const draft = { ...latest.definition, nodes: [...latest.definition.nodes, { kind: 'approver', id: 'hr-review', name: '行政复核', sources: [{ kind: 'users', userIds: ['zhengshi'] }], mode: 'or-sign' }] }
    const invalid = await json<{ code: string; message: string }>(as.admin.post('/api/admin/flows/expense/validate', { definition: { ...draft, nodes: [{ kind: 'approver', id: 'x', name: 'x', sources: [], mode: 'or-sign' }] } }), 400)
    expect(invalid.code).toBe('VALIDATION')
    const preview = await json<{ steps: { name: string; approvers: string[] }[] }>(as.admin.post('/api/admin/flows/expense/validate', { definition: draft, sample: { requesterId: 'zhangsan', amountYuan: 8000 } }))
    expect(preview.steps.map((s) => `${s.name}:${s.approvers.join(',')}`)).toEqual(['直属上级审批:李四', '部门负责人审批:王五', '财务审批:孙八', '行政复核:郑十'])

    expect((await json<{ version: number }>(as.admin.post('/api/admin/flows/expense/publish', { definition: draft }))).version).toBe(2)
    const requestNo = await sys.submitExpense('wujiu', '报销上周打车费 86元')
    const row = await sys.database.db.selectFrom('requests').select(['template_version', 'route']).where('request_no', '=', requestNo).executeTakeFirstOrThrow()
    expect(Number(row.template_version)).toBe(2)
    expect((JSON.parse(row.route) as { name: string }[]).map((s) => s.name)).toContain('行政复核')
    const after = (await json<Flow[]>(as.admin.get('/api/admin/flows'))).find((f) => f.type === 'expense')
    expect(after).toMatchObject({ latestVersion: 2, running: [{ version: 1, count: 1 }, { version: 2, count: 1 }] })
  })

  it('policies: finance edits a limit, bad parameters are refused, a rule can be disabled', async () => {
    const list = await json<{ code: string }[]>(as.finance.get('/api/admin/policies'))
    expect(list.map((p) => p.code)).toContain('CLAIM_CAP')
    await json(as.employee.get('/api/admin/policies'), 403)
    await json(as.finance.request('/api/admin/policies/CLAIM_CAP', { method: 'PUT', body: { kind: 'claim_cap', severity: 'block', params: { maxFen: -5 } } }), 400)
    await json(as.finance.request('/api/admin/policies/CLAIM_CAP', { method: 'PUT', body: { kind: 'claim_cap', severity: 'block', params: { maxFen: 40_000_00 } } }))
    expect((await json<{ code: string; params: { maxFen: number } }[]>(as.finance.get('/api/admin/policies'))).find((p) => p.code === 'CLAIM_CAP')?.params.maxFen).toBe(40_000_00)
    await json(as.finance.request('/api/admin/policies/SPLIT_CLAIM', { method: 'DELETE' }))
    expect((await json<{ code: string }[]>(as.finance.get('/api/admin/policies'))).map((p) => p.code)).not.toContain('SPLIT_CLAIM')
  })

  it('audit: the hash chain verifies, and a row edited behind the app’s back is found', async () => {
    expect(await json(as.auditor.get('/api/admin/audit/verify'))).toMatchObject({ ok: true })
    const victim = await sys.database.db.selectFrom('audit_log').select(['id', 'after_state']).where('action', '=', 'task.rejected').executeTakeFirstOrThrow()
    await sys.database.db.updateTable('audit_log').set({ after_state: (victim.after_state ?? '').replace('超出招待标准', '同意') }).where('id', '=', victim.id).execute()
    try {
      expect(await json(as.auditor.get('/api/admin/audit/verify'))).toMatchObject({ ok: false, firstBreak: { id: Number(victim.id) } })
    } finally {
      await sys.database.db.updateTable('audit_log').set({ after_state: victim.after_state }).where('id', '=', victim.id).execute()
    }
    await json(as.finance.get('/api/admin/audit/verify'), 403)
  })

  it('org: editing an employee refuses supervisor loops, and a role change applies at once', async () => {
    const loop = await json<{ code: string }>(as.admin.request('/api/admin/org/employees/lisi', { method: 'PATCH', body: { managerId: 'zhangsan' } }), 400)
    expect(loop.code).toBe('VALIDATION')
    const wujiu = await AdminClient.signIn(app, 'wujiu')
    await json(wujiu.get('/api/admin/audit'), 403)
    await json(as.admin.request('/api/admin/org/employees/wujiu', { method: 'PATCH', body: { roles: 'auditor' } }))
    await json(wujiu.get('/api/admin/audit'))
    await json(as.admin.request('/api/admin/org/employees/wujiu', { method: 'PATCH', body: { roles: '' } }))
    await json(wujiu.get('/api/admin/audit'), 403)
  })
})
