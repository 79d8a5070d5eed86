import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REQUEST_TYPE_CODES } from '../../workflow/request-types.js'
import { DEFAULT_TEMPLATES } from '../../workflow/templates/default-templates.js'
import type { FlowDefinition, FlowNode } from '../../workflow/templates/flow-definition.js'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'
import { AdminClient, expectJson } from './admin-client.js'

/**
 * Publishing flow templates from the mini-app, on both databases: a draft that names a person,
 * role or department the company does not have is refused before it can silently skip a step, and
 * an editor working from a stale copy cannot overwrite what another admin published meanwhile.
 */

const SETTINGS = DEFAULT_TEMPLATES.expense.settings
const draft = (nodes: FlowNode[]): FlowDefinition => ({ name: '费用报销审批', settings: SETTINGS, nodes })
const finance: FlowNode = { kind: 'approver', id: 'finance', name: '财务审批', sources: [{ kind: 'role', role: 'finance' }], mode: 'or-sign', emptyApprover: 'admin' }

describe.each(DB_KINDS)('flows API on %s', (kind) => {
  let sys: TestSystem
  let admin: AdminClient
  let otherAdmin: AdminClient

  beforeAll(async () => {
    sys = await TestSystem.start(kind)
    await sys.database.db
      .insertInto('users')
      .values([
        { id: 'admin2', employee_no: 'E0002', name: '运维管理员', department_id: 'd-ceo', manager_id: 'zhouzong', title: 'IT 管理员', level: 3, roles: JSON.stringify(['employee', 'admin']), mobile: null, email: null, active: 1, created_at: Date.now() },
        { id: 'chenjiu', employee_no: 'E1010', name: '陈九', department_id: 'd-fin', manager_id: 'qianqi', title: '出纳', level: 2, roles: JSON.stringify(['employee', 'cashier']), mobile: null, email: null, active: 0, created_at: Date.now() },
      ])
      .execute()
    ;[admin, otherAdmin] = await Promise.all([AdminClient.signIn(sys.app, 'admin'), AdminClient.signIn(sys.app, 'admin2')])
  })
  afterAll(async () => sys?.close())

  const json = expectJson
  const latestVersion = async (type: string) => (await json<{ latest: { version: number } }>(admin.get(`/api/admin/flows/${type}`))).latest.version
  type Refusal = { code: string; message: string }

  describe('names only people, roles and departments that exist', () => {
    it('refuses a misspelled approver id, though the step would auto-pass, and the claim keeps its approvers', async () => {
      const before = await latestVersion('expense')
      const typo = draft([{ kind: 'approver', id: 'cfo', name: '财务经理审批', sources: [{ kind: 'users', userIds: ['qianqi_typo'] }], mode: 'or-sign', emptyApprover: 'auto-pass' }])
      const refused = await json<Refusal>(admin.post('/api/admin/flows/expense/publish', { definition: typo }), 400)
      expect(refused.code).toBe('VALIDATION')
      expect(refused.message).toMatch(/^流程模板引用了不存在的对象：节点「财务经理审批」：成员不存在或已停用 qianqi_typo \/ .*node "财务经理审批": unknown or inactive user qianqi_typo/)
      expect((await json<Refusal>(admin.post('/api/admin/flows/expense/validate', { definition: typo, sample: { requesterId: 'zhangsan', amountYuan: 3500 } }), 400)).message).toContain('qianqi_typo')
      expect(await latestVersion('expense')).toBe(before)

      // The ¥3,500 claim is not approved by nobody: it waits for 李四 under the flow still in force.
      const requestNo = await sys.submitExpense('zhangsan', '提交本月差旅费 3500元')
      expect((await sys.request(requestNo)).status).toBe('pending')
      expect(await sys.pendingApprovers(requestNo)).toEqual(['lisi'])
    })

    it('refuses someone who left', async () => {
      const refused = await json<Refusal>(admin.post('/api/admin/flows/expense/validate', { definition: draft([{ kind: 'cc', id: 'cc', name: '抄送出纳', sources: [{ kind: 'users', userIds: ['sunba', 'chenjiu'] }] }]) }), 400)
      expect(refused.message).toContain('节点「抄送出纳」：成员不存在或已停用 chenjiu')
      expect(refused.message).not.toContain('sunba')
    })

    it('refuses a role nobody active holds, as a source and as where a supervisor chain stops', async () => {
      const role = await json<Refusal>(admin.post('/api/admin/flows/expense/publish', { definition: draft([{ ...finance, sources: [{ kind: 'role', role: 'finace' }], emptyApprover: 'auto-pass' }]) }), 400)
      expect(role.message).toContain('节点「财务审批」：没有在职员工担任角色 finace')
      expect(role.message).toContain('node "财务审批": no active employee holds role finace')
      // Only 陈九, who left, was a cashier.
      const cashier = await json<Refusal>(admin.post('/api/admin/flows/expense/publish', { definition: draft([{ ...finance, sources: [{ kind: 'role', role: 'cashier' }] }]) }), 400)
      expect(cashier.message).toContain('没有在职员工担任角色 cashier')
      const chain = await json<Refusal>(admin.post('/api/admin/flows/hr.resign/publish', { definition: draft([{ kind: 'approver', id: 'managers', name: '逐级主管审批', sources: [{ kind: 'supervisorChain', upToRole: 'depthead' }], mode: 'sequential' }]) }), 400)
      expect(chain.message).toContain('节点「逐级主管审批」：没有在职员工担任角色 depthead')
    })

    it('walks condition branches: an unknown department in a condition, and a typo in a node inside a branch or else', async () => {
      const nested = draft([
        {
          kind: 'condition',
          id: 'dept-check',
          name: '部门判断',
          branches: [
            { name: '研发', when: { any: [{ field: 'department', op: 'in', value: ['d-rd', 'd-rnd'] }, { field: 'amount', op: 'gt', value: 100 }] }, nodes: [{ ...finance, id: 'rd-finance', name: '研发财务', sources: [{ kind: 'users', userIds: ['sunba8'] }] }] },
            { name: '销售', when: { field: 'department', op: 'eq', value: 'd-sales' }, nodes: [] },
          ],
          else: { nodes: [{ kind: 'cc', id: 'cc-else', name: '抄送其他', sources: [{ kind: 'role', role: 'finace' }] }] },
        },
        finance,
      ])
      const refused = await json<Refusal>(admin.post('/api/admin/flows/expense/publish', { definition: nested }), 400)
      const [zh] = refused.message.split(' / ')
      expect(zh!.split('：').slice(1).join('：').split('；')).toEqual(['条件「部门判断」分支「研发」：部门不存在 d-rnd', '节点「研发财务」：成员不存在或已停用 sunba8', '节点「抄送其他」：没有在职员工担任角色 finace'])
      expect(refused.message).toContain('condition "部门判断" branch "研发": unknown department d-rnd')
    })

    it('refuses a category condition on a value that is no expense category code, naming the branch', async () => {
      const byCategory = (travel: string[], meal: string) =>
        draft([
          {
            kind: 'condition',
            id: 'category-check',
            name: '类别判断',
            branches: [
              { name: '差旅', when: { field: 'category', op: 'in', value: travel }, nodes: [] },
              { name: '餐费', when: { all: [{ field: 'amount', op: 'gt', value: 100 }, { field: 'category', op: 'eq', value: meal }] }, nodes: [] },
            ],
            else: { nodes: [] },
          },
          finance,
        ])
      const refused = await json<Refusal>(admin.post('/api/admin/flows/expense/validate', { definition: byCategory(['travel', 'Travel'], '餐费') }), 400)
      const [zh] = refused.message.split(' / ')
      expect(zh!.split('：').slice(1).join('：').split('；')).toEqual(['条件「类别判断」分支「差旅」：费用类别不存在 Travel', '条件「类别判断」分支「餐费」：费用类别不存在 餐费'])
      expect(refused.message).toContain('condition "类别判断" branch "差旅": unknown expense category Travel')

      const before = await latestVersion('expense')
      await json(admin.post('/api/admin/flows/expense/publish', { definition: byCategory(['Travel', 'transport'], 'meal') }), 400)
      expect(await latestVersion('expense')).toBe(before)
      expect((await json<{ version: number }>(admin.post('/api/admin/flows/expense/publish', { definition: byCategory(['travel', 'transport'], 'meal') }))).version).toBe(before + 1)
    })

    it('publishes every built-in template on the demo organisation', async () => {
      for (const type of REQUEST_TYPE_CODES) {
        const published = await json<{ version: number }>(admin.post(`/api/admin/flows/${type}/publish`, { definition: DEFAULT_TEMPLATES[type] }))
        expect(published.version).toBeGreaterThan(1)
      }
    })
  })

  describe('two admins editing one flow', () => {
    it('refuses the second publish from a stale copy with 409, and leaves the first one in force', async () => {
      const base = await latestVersion('purchase')
      const first = draft([{ ...finance, name: '第一位管理员的财务审批' }])
      const second = draft([{ ...finance, name: '第二位管理员的财务审批' }])
      expect((await json<{ version: number }>(admin.post('/api/admin/flows/purchase/publish', { definition: first, baseVersion: base }))).version).toBe(base + 1)

      const refused = await json<Refusal>(otherAdmin.post('/api/admin/flows/purchase/publish', { definition: second, baseVersion: base }), 409)
      expect(refused).toEqual({ ok: false, code: 'INVALID_STATE', message: `该流程已被他人更新（第 ${base + 1} 版），请刷新后再发布 / this flow was updated by someone else (v${base + 1}); reload it before publishing` })
      const { latest, history } = await json<{ latest: { version: number; definition: FlowDefinition }; history: unknown[] }>(admin.get('/api/admin/flows/purchase'))
      expect(latest.version).toBe(base + 1)
      expect(latest.definition.nodes).toEqual([expect.objectContaining({ name: '第一位管理员的财务审批' })])
      expect(history).toHaveLength(base + 1)

      // After a reload the second admin starts from the first one's version, and may publish.
      expect((await json<{ version: number }>(otherAdmin.post('/api/admin/flows/purchase/publish', { definition: second, baseVersion: base + 1 }))).version).toBe(base + 2)
    })

    it('checks the base version inside the publishing transaction: of two publishes at once, one wins', async () => {
      const base = await latestVersion('project')
      const results = await Promise.all(
        [admin, otherAdmin].map(async (client, i) => (await client.post('/api/admin/flows/project/publish', { definition: draft([{ ...finance, name: `同时发布 ${i}` }]), baseVersion: base })).status),
      )
      expect(results.sort()).toEqual([200, 409])
      expect(await latestVersion('project')).toBe(base + 1)
    })

    it('without a base version (scripts, older clients) publishes over the latest as before', async () => {
      const base = await latestVersion('hr.transfer')
      await json(admin.post('/api/admin/flows/hr.transfer/publish', { definition: DEFAULT_TEMPLATES['hr.transfer'], baseVersion: base }))
      expect((await json<{ version: number }>(otherAdmin.post('/api/admin/flows/hr.transfer/publish', { definition: DEFAULT_TEMPLATES['hr.transfer'] }))).version).toBe(base + 2)
      await json(admin.post('/api/admin/flows/hr.transfer/publish', { definition: DEFAULT_TEMPLATES['hr.transfer'], baseVersion: 'latest' }), 400)
    })

    it('the editor page starts from the latest version, also when it shows an older one', async () => {
      const latest = await latestVersion('purchase')
      const editorData = async (path: string) => {
        const page = await (await admin.get(path)).text()
        const data = /<script[^>]*id="flow-data"[^>]*>([\s\S]*?)<\/script>/.exec(page)
        return JSON.parse(data![1]!) as { baseVersion: number; definition: FlowDefinition }
      }
      expect((await editorData('/miniapp/flows/purchase')).baseVersion).toBe(latest)
      const old = await editorData('/miniapp/flows/purchase?version=1')
      expect(old.baseVersion).toBe(latest)
      expect(old.definition.name).toBe(DEFAULT_TEMPLATES.purchase.name)
    })
  })
})
