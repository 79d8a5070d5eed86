import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'
import { AdminClient, expectJson } from './admin-client.js'

/**
 * The dashboard against a company with two people called 李四 and a team under 研发部, on both
 * databases: approvers are counted per person, a department's report takes in its sub-departments
 * (as flow conditions do), and a date that does not exist is refused rather than reported as empty.
 */

type Dashboard = {
  totals: { submitted: number; pending: number }
  pendingByApprover: { approverId: string; name: string; employeeNo: string; count: number; oldestHours: number }[]
}

describe.each(DB_KINDS)('dashboard on %s', (kind) => {
  let sys: TestSystem
  let finance: AdminClient

  beforeAll(async () => {
    sys = await TestSystem.start(kind)
    const now = Date.now()
    await sys.database.db.insertInto('departments').values({ id: 'd-rd-web', name: '前端组', parent_id: 'd-rd', head_user_id: 'lisi', cost_center: 'CC-210', created_at: now }).execute()
    const person = { mobile: null, email: null, active: 1, created_at: now, roles: JSON.stringify(['employee']) }
    await sys.database.db
      .insertInto('users')
      .values([
        // Another 李四, in sales: 吴九 reports to him.
        { ...person, id: 'lisi2', employee_no: 'E1102', name: '李四', department_id: 'd-sales', manager_id: 'zhaoliu', title: '销售经理', level: 4, roles: JSON.stringify(['employee', 'manager']) },
        { ...person, id: 'fengyi', employee_no: 'E1201', name: '冯一', department_id: 'd-rd-web', manager_id: 'lisi', title: '前端工程师', level: 2 },
      ])
      .execute()
    await sys.database.db.updateTable('users').set({ manager_id: 'lisi2' }).where('id', '=', 'wujiu').execute()
    finance = await AdminClient.signIn(sys.app, 'sunba')

    await sys.submitExpense('zhangsan', '提交本月差旅费 3500元')
    await sys.submitExpense('wujiu', '提交本月交通费 300元')
    await sys.submitExpense('fengyi', '提交本月办公费 200元')
  })
  afterAll(async () => sys?.close())

  const dashboard = (query = '') => expectJson<Dashboard>(finance.get(`/api/admin/dashboard${query}`))

  it('counts two approvers of the same name apart, each with his 工号', async () => {
    const d = await dashboard()
    expect(d.pendingByApprover).toEqual([
      { approverId: 'lisi', name: '李四', employeeNo: 'E1002', count: 2, oldestHours: expect.any(Number) },
      { approverId: 'lisi2', name: '李四', employeeNo: 'E1102', count: 1, oldestHours: expect.any(Number) },
    ])
    const page = await (await finance.get('/miniapp/dashboard')).text()
    const panel = /<section class="panel" id="pending-by-approver">[\s\S]*?<\/section>/.exec(page)![0]
    expect(panel).toContain('李四 E1002')
    expect(panel).toContain('李四 E1102')
  })

  it('a department takes in its sub-departments', async () => {
    const rd = await dashboard('?departmentId=d-rd')
    expect(rd.totals).toMatchObject({ submitted: 2, pending: 2 })
    expect(rd.pendingByApprover).toEqual([expect.objectContaining({ approverId: 'lisi', count: 2 })])
    expect((await dashboard('?departmentId=d-rd-web')).totals).toMatchObject({ submitted: 1, pending: 1 })
    expect((await dashboard('?departmentId=d-ceo')).totals).toMatchObject({ submitted: 3, pending: 3 })
    expect((await dashboard('?departmentId=d-sales')).totals).toMatchObject({ submitted: 1, pending: 1 })
  })

  it('refuses a date that does not exist, with a message that names it', async () => {
    for (const [query, day] of [
      ['?from=2026-13-45', '2026-13-45'],
      ['?from=2026-02-01&to=2026-02-31', '2026-02-31'],
      ['?from=2025-02-29&to=2025-03-10', '2025-02-29'],
    ]) {
      const refused = await expectJson<{ code: string; message: string }>(finance.get(`/api/admin/dashboard${query}`), 400)
      expect(refused).toEqual({ ok: false, code: 'VALIDATION', message: `日期不存在：${day} / no such date: ${day}` })
    }
    expect(await (await finance.get('/miniapp/dashboard?from=2026-02-31')).text()).toContain('日期不存在：2026-02-31')
    await expectJson(finance.get('/api/admin/dashboard?from=2028-02-29&to=2028-03-01'))
  })
})
