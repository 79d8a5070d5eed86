import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'
import { AdminClient, expectJson } from './admin-client.js'

/**
 * The org imports against the demo company: what a file leaves out is kept, what the edit form
 * refuses the import refuses too (in the dry run already), nobody removes the last admin, a file in
 * the wrong encoding is refused, and every person an import changes is audited field by field.
 */
describe.each(DB_KINDS)('org imports on %s', (kind) => {
  let sys: TestSystem
  let admin: AdminClient
  beforeAll(async () => {
    sys = await TestSystem.start(kind)
    admin = await AdminClient.signIn(sys.app, 'admin')
  })
  afterAll(async () => sys?.close())

  type Result = { ok: boolean; created: number; updated: number; errors: { line: number; message: string }[]; message: string }
  const importing = (what: 'employees' | 'departments', csv: string, dryRun: boolean, status = 200) => expectJson<Result>(admin.post(`/api/admin/org/${what}/import`, { csv, dryRun }), status)
  const user = (id: string) => sys.database.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const department = (id: string) => sys.database.db.selectFrom('departments').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const patch = (client: AdminClient, id: string, body: unknown) => client.request(`/api/admin/org/employees/${id}`, { method: 'PATCH', body })

  it('departments: a column left out or a blank cell keeps the parent, head and cost centre', async () => {
    expect(await importing('departments', '部门编号,部门名称\nd-hr,人事部\n', false)).toMatchObject({ created: 0, updated: 1 })
    expect(await department('d-hr')).toMatchObject({ name: '人事部', parent_id: 'd-ceo', head_user_id: 'zhengshi', cost_center: 'CC-500' })

    await importing('departments', '部门编号,部门名称,上级部门,负责人工号,成本中心\nd-sales,d-sales,,,\n', false)
    expect(await department('d-sales')).toMatchObject({ parent_id: 'd-ceo', head_user_id: 'zhaoliu', cost_center: 'CC-300' })
    // What a cell does say still applies.
    await importing('departments', '部门编号,部门名称,成本中心\nd-hr,人事行政部,CC-501\n', false)
    expect(await department('d-hr')).toMatchObject({ name: '人事行政部', head_user_id: 'zhengshi', cost_center: 'CC-501' })
  })

  it('employees: without a supervisor column, or with its cell blank, each keeps the supervisor set before', async () => {
    expect(await importing('employees', '工号,姓名,部门\nE1001,张三,d-rd\n', false)).toMatchObject({ created: 0, updated: 1 })
    expect((await user('zhangsan')).manager_id).toBe('lisi')
    await importing('employees', '工号,姓名,部门,直属上级工号,职位\nE1002,李四,d-rd,,研发经理\nE1005,吴九,d-sales,E1004,销售代表\n', false)
    expect((await user('lisi')).manager_id).toBe('wangwu')
    expect((await user('wujiu')).manager_id).toBe('zhaoliu')
  })

  it('status: explicit words for active and inactive, any case, 待离职 still active; anything else is a line error', async () => {
    const rows = ['E3001,甲,d-rd,已离职', 'E3002,乙,d-rd,INACTIVE', 'E3003,丙,d-rd,N', 'E3004,丁,d-rd,待离职', 'E3005,戊,d-rd, Active ', 'E3006,己,d-rd,resigned', 'E3007,庚,d-rd,在职']
    const refused = await importing('employees', `工号,姓名,部门,状态\n${[...rows, 'E3008,辛,d-rd,休假'].join('\n')}\n`, true, 422)
    expect(refused.errors).toEqual([{ line: 9, message: expect.stringMatching(/^无法识别的状态「休假」.* \/ unknown status "休假"/) }])

    expect(await importing('employees', `工号,姓名,部门,状态\n${rows.join('\n')}\n`, false)).toMatchObject({ created: 7 })
    const active = await sys.database.db.selectFrom('users').select(['employee_no', 'active']).where('employee_no', 'like', 'E300%').orderBy('employee_no').execute()
    expect(active.map((u) => [u.employee_no, Number(u.active)])).toEqual([['E3001', 0], ['E3002', 0], ['E3003', 0], ['E3004', 1], ['E3005', 1], ['E3006', 0], ['E3007', 1]])
  })

  it('refuses supervisor and department loops and case-only duplicate 工号, the same in the dry run as for real', async () => {
    const loops: [string, number[], RegExp][] = [
      ['工号,姓名,部门,直属上级工号\nE1000,周总,d-ceo,E1003\n', [2], /^上级关系不能形成循环/], // 王五 already reports to 周总
      ['工号,姓名,部门,直属上级工号\nE4001,甲,d-rd,E4002\nE4002,乙,d-rd,E4001\n', [2, 3], /^上级关系不能形成循环/],
      ['工号,姓名,部门\nAB1,甲,d-rd\nab1,乙,d-rd\n', [3], /^工号 ab1 与第 2 行重复/],
    ]
    for (const [csv, lines, message] of loops) {
      for (const dryRun of [true, false]) {
        const refused = await importing('employees', csv, dryRun, 422)
        expect(refused.errors.map((e) => e.line)).toEqual(lines)
        expect(refused.errors[0]!.message).toMatch(message)
      }
    }
    for (const dryRun of [true, false]) {
      const refused = await importing('departments', '部门编号,部门名称,上级部门\nd-ceo,总经办,d-rd\n', dryRun, 422)
      expect(refused.errors).toEqual([{ line: 2, message: '上级部门关系不能形成循环 / the department hierarchy would loop' }])
    }
    expect((await user('zhouzong')).manager_id).toBeNull()
    expect((await department('d-ceo')).parent_id).toBeNull()
    expect(await sys.database.db.selectFrom('users').select('id').where('employee_no', 'in', ['AB1', 'ab1', 'E4001']).execute()).toEqual([])
    // A 工号 in another case is the person already there, not a new one with the same id.
    expect(await importing('employees', '工号,姓名,部门,直属上级工号\ne1001,张三,d-rd,e1002\n', true)).toMatchObject({ created: 0, updated: 1 })
  })

  it('refuses a CSV read in the wrong encoding, for the org and the ERP mapping imports', async () => {
    const garbled = '工号,姓名,部门\nE3101,\uFFFD\uFFFD\uFFFD,d-rd\n'
    for (const dryRun of [true, false]) {
      const refused = await expectJson<{ code: string; message: string }>(admin.post('/api/admin/org/employees/import', { csv: garbled, dryRun }), 400)
      expect(refused).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/^文件编码无法识别，请另存为 UTF-8 CSV \/ .*UTF-8 CSV/) })
    }
    expect((await expectJson<{ message: string }>(admin.post('/api/admin/org/departments/import', { csv: '部门编号,部门名称\nd-x,\uFFFD\n', dryRun: false }), 400)).message).toContain('文件编码无法识别')
    const finance = await AdminClient.signIn(sys.app, 'sunba')
    const erp = await expectJson<{ message: string }>(finance.post('/api/admin/erp/mappings/import', { csv: '类型,本系统,ERP编码\n部门,\uFFFD\uFFFD,CC-200\n', dryRun: false }), 400)
    expect(erp.message).toContain('文件编码无法识别，请另存为 UTF-8 CSV')
    expect(await sys.database.db.selectFrom('users').select('id').where('employee_no', '=', 'E3101').execute()).toEqual([])
  })

  it('audits each person an import changes: the fields before and after, however many people', async () => {
    await importing('employees', '工号,姓名,部门,角色,在职\nE1007,孙八,d-fin,finance auditor,\nE1005,吴九,d-sales,,离职\nE1006,钱七,d-fin,,\n', false)
    const rows = await sys.database.db.selectFrom('audit_log').select(['entity_id', 'before_state', 'after_state']).where('action', '=', 'org.employee.imported').where('entity_id', 'in', ['sunba', 'wujiu', 'qianqi']).execute()
    const byId = Object.fromEntries(rows.map((r) => [r.entity_id, { before: JSON.parse(r.before_state!) as unknown, after: JSON.parse(r.after_state!) as unknown }]))
    expect(byId).toEqual({
      sunba: { before: { roles: ['employee', 'finance'] }, after: { roles: ['employee', 'finance', 'auditor'] } },
      wujiu: { before: { active: 1 }, after: { active: 0 } },
    })

    // Far more people than one row's 64 KB (MySQL TEXT) could list by 工号: each still has its own, whole.
    const many = Array.from({ length: 2000 }, (_, i) => `X${String(i).padStart(31, '0')},人${i},d-rd,auditor`)
    expect(await importing('employees', `工号,姓名,部门,角色\n${many.join('\n')}\n`, false)).toMatchObject({ created: 2000 })
    const audited = await sys.database.db.selectFrom('audit_log').select(['entity_id', 'after_state']).where('action', '=', 'org.employee.imported').where('entity_id', 'like', 'emp-x%').execute()
    expect(audited).toHaveLength(2000)
    expect(JSON.parse(audited.find((r) => r.entity_id === `emp-x${'0'.repeat(27)}1999`)!.after_state!)).toMatchObject({ name: '人1999', roles: ['employee', 'auditor'], active: 1 })
  }, 120_000)

  it('audits each department an import creates or changes: the fields before and after, and a summary of counts only', async () => {
    const latestSummary = async () => {
      const row = await sys.database.db.selectFrom('audit_log').select('after_state').where('action', '=', 'org.departments.imported').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow()
      return JSON.parse(row.after_state!) as unknown
    }
    const audited = async (ids: string[]) => {
      const rows = await sys.database.db.selectFrom('audit_log').select(['entity_id', 'entity_type', 'before_state', 'after_state']).where('action', '=', 'org.department.imported').where('entity_id', 'in', ids).execute()
      return Object.fromEntries(rows.map((r) => [r.entity_id, { type: r.entity_type, before: JSON.parse(r.before_state ?? 'null') as unknown, after: JSON.parse(r.after_state!) as unknown }]))
    }
    await importing('departments', '部门编号,部门名称,上级部门,负责人工号,成本中心\nd-fin,财务部,d-ceo,E1007,CC-401\nd-legal,法务部,d-ceo,,CC-600\nd-ceo,总经办,,,\n', false)
    expect(await audited(['d-fin', 'd-legal', 'd-ceo'])).toEqual({
      'd-fin': { type: 'department', before: { head_user_id: 'qianqi', cost_center: 'CC-400' }, after: { head_user_id: 'sunba', cost_center: 'CC-401' } },
      'd-legal': { type: 'department', before: null, after: { name: '法务部', parent_id: 'd-ceo', head_user_id: null, cost_center: 'CC-600' } },
    })
    expect(await latestSummary()).toEqual({ created: 1, updated: 2 })

    // Far more departments than one row's 64 KB (MySQL TEXT) could list by id: each still has its own, whole.
    const many = Array.from({ length: 1200 }, (_, i) => `D${String(i).padStart(59, '0')},部门${i},d-rd`)
    expect(await importing('departments', `部门编号,部门名称,上级部门\n${many.join('\n')}\n`, false)).toMatchObject({ created: 1200 })
    const rows = await sys.database.db.selectFrom('audit_log').select(['entity_id', 'after_state']).where('action', '=', 'org.department.imported').where('entity_id', 'like', 'D0%').execute()
    expect(rows).toHaveLength(1200)
    expect(JSON.parse(rows.find((r) => r.entity_id === `D${'0'.repeat(55)}1199`)!.after_state!)).toEqual({ name: '部门1199', parent_id: 'd-rd', head_user_id: null, cost_center: null })
    expect(await latestSummary()).toEqual({ created: 1200, updated: 0 })
  }, 120_000)

  it('a new person whose emp-<工号> id someone else already has gets the next free id, not a failure', async () => {
    // 赵敏 was imported as E7001 and renumbered since: emp-e7001 belongs to someone whose 工号 is no longer E7001.
    await sys.database.db
      .insertInto('users')
      .values({ id: 'emp-e7001', employee_no: 'F7001', name: '赵敏', department_id: 'd-rd', manager_id: null, title: null, level: 1, roles: JSON.stringify(['employee']), mobile: null, email: null, active: 1, created_at: Date.now() })
      .execute()
    // E7001-2 keeps the id its 工号 gives; E7001 takes the next free one, and E7002's supervisor is that new person.
    const csv = '工号,姓名,部门,直属上级工号\nE7001,新人甲,d-rd,\nE7001-2,新人乙,d-rd,E7001\nE7002,新人丙,d-rd,E7001\n'
    expect(await importing('employees', csv, true)).toMatchObject({ created: 3, updated: 0, errors: [] })
    expect(await importing('employees', csv, false)).toMatchObject({ created: 3, updated: 0, errors: [] })
    const people = await sys.database.db.selectFrom('users').select(['employee_no', 'id', 'name', 'manager_id']).where('employee_no', 'in', ['F7001', 'E7001', 'E7001-2', 'E7002']).orderBy('employee_no').execute()
    expect(people).toEqual([
      { employee_no: 'E7001', id: 'emp-e7001-3', name: '新人甲', manager_id: null },
      { employee_no: 'E7001-2', id: 'emp-e7001-2', name: '新人乙', manager_id: 'emp-e7001-3' },
      { employee_no: 'E7002', id: 'emp-e7002', name: '新人丙', manager_id: 'emp-e7001-3' },
      { employee_no: 'F7001', id: 'emp-e7001', name: '赵敏', manager_id: null },
    ])
  })

  it('two edits closing a supervisor loop from either end at the same moment: exactly one is saved', async () => {
    for (const [a, b] of [['zhangsan', 'sunba'], ['wangwu', 'zhaoliu'], ['lisi', 'qianqi']] as const) {
      const answers = await Promise.all([patch(admin, a, { managerId: b }), patch(admin, b, { managerId: a })])
      expect(answers.map((r) => r.status).sort()).toEqual([200, 400])
      expect(await answers.find((r) => r.status === 400)!.json()).toMatchObject({ code: 'VALIDATION', message: '上级关系不能形成循环 / the supervisor chain would loop' })
      const managers = [(await user(a)).manager_id, (await user(b)).manager_id]
      expect([managers[0] === b, managers[1] === a].filter(Boolean)).toHaveLength(1)
    }
  })

  it('two admins editing different fields of one person at the same moment: both edits are kept', async () => {
    for (let round = 0; round < 5; round++) {
      const answers = await Promise.all([patch(admin, 'qianqi', { title: `职位${round}` }), patch(admin, 'qianqi', { level: 10 + round })])
      expect(answers.map((r) => r.status)).toEqual([200, 200])
      expect(await user('qianqi')).toMatchObject({ title: `职位${round}` })
      expect(Number((await user('qianqi')).level)).toBe(10 + round)
    }
  })

  it('nobody removes the last active admin: not in the form, not by import, not two admins at once', async () => {
    const lastAdmin = { code: 'INVALID_STATE', message: '必须至少保留一位在职的管理员 / at least one active admin must remain' }
    expect(await expectJson(patch(admin, 'admin', { roles: '' }), 409)).toMatchObject(lastAdmin)
    expect(await expectJson(patch(admin, 'admin', { active: false }), 409)).toMatchObject(lastAdmin)
    for (const csv of ['工号,姓名,部门,角色\nE0001,系统管理员,d-ceo,employee\n', '工号,姓名,部门,在职\nE0001,系统管理员,d-ceo,离职\n']) {
      for (const dryRun of [true, false]) expect((await importing('employees', csv, dryRun, 422)).errors).toEqual([{ line: 2, message: lastAdmin.message }])
    }
    expect(await user('admin')).toMatchObject({ roles: JSON.stringify(['employee', 'admin']) })
    expect(Number((await user('admin')).active)).toBe(1)
    expect(await sys.database.db.selectFrom('audit_log').select('id').where('entity_id', '=', 'admin').where('action', 'like', 'org.%').execute()).toEqual([])

    // With a second admin, either may step down; both at the same moment, only one can.
    await expectJson(patch(admin, 'zhengshi', { roles: 'dept_head hr admin' }))
    const zhengshi = await AdminClient.signIn(sys.app, 'zhengshi')
    const answers = await Promise.all([patch(admin, 'admin', { roles: '' }), patch(zhengshi, 'zhengshi', { roles: 'dept_head hr' })])
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409])
    const admins = (await sys.database.db.selectFrom('users').select(['id', 'roles']).where('active', '=', 1).execute()).filter((u) => (JSON.parse(u.roles) as string[]).includes('admin'))
    expect(admins).toHaveLength(1)
  })
})
