import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApproverSource, FlowNode } from '../../workflow/templates/flow-definition.js'
import { DB_KINDS } from '../helpers/databases.js'
import { approver, flow, FlowHarness, T0, users } from './flow-harness.js'

describe.each(DB_KINDS)('approval modes, approver sources and routing conditions (%s)', (kind) => {
  let h: FlowHarness
  beforeAll(async () => {
    h = await FlowHarness.open(kind)
  })
  afterAll(async () => {
    await h.close()
  })

  /** One scenario: a node in a mode, the votes cast in order, what is pending after each, the end. */
  const modes: Array<{
    name: string
    node: FlowNode
    votes: Array<[string, 'approve' | 'reject']>
    pendingAfter: string[][]
    final: string
  }> = [
    {
      name: 'sequential (依次): one after another in list order',
      node: approver({ sources: users('lisi', 'wangwu', 'zhaoliu'), mode: 'sequential' }),
      votes: [['lisi', 'approve'], ['wangwu', 'approve'], ['zhaoliu', 'approve']],
      pendingAfter: [['wangwu'], ['zhaoliu'], []],
      final: 'approved',
    },
    {
      name: 'sequential: a rejection ends it',
      node: approver({ sources: users('lisi', 'wangwu'), mode: 'sequential' }),
      votes: [['lisi', 'reject']],
      pendingAfter: [[]],
      final: 'rejected',
    },
    {
      name: 'countersign (会签): everyone must approve',
      node: approver({ sources: users('lisi', 'wangwu', 'zhaoliu'), mode: 'countersign' }),
      votes: [['wangwu', 'approve'], ['lisi', 'approve'], ['zhaoliu', 'approve']],
      pendingAfter: [['lisi', 'zhaoliu'], ['zhaoliu'], []],
      final: 'approved',
    },
    {
      name: 'countersign: one rejection rejects',
      node: approver({ sources: users('lisi', 'wangwu'), mode: 'countersign' }),
      votes: [['lisi', 'approve'], ['wangwu', 'reject']],
      pendingAfter: [['wangwu'], []],
      final: 'rejected',
    },
    {
      name: 'or-sign (或签): the first approval settles it',
      node: approver({ sources: users('lisi', 'wangwu'), mode: 'or-sign' }),
      votes: [['wangwu', 'approve']],
      pendingAfter: [[]],
      final: 'approved',
    },
    {
      name: 'or-sign: the first rejection settles it',
      node: approver({ sources: users('lisi', 'wangwu'), mode: 'or-sign' }),
      votes: [['lisi', 'reject']],
      pendingAfter: [[]],
      final: 'rejected',
    },
    {
      name: 'vote (票签) 60% of 5: passes at the third approval, a rejection does not end it',
      node: approver({ sources: users('lisi', 'wangwu', 'zhaoliu', 'qianqi', 'zhengshi'), mode: 'vote', passRatio: 0.6 }),
      votes: [['lisi', 'approve'], ['wangwu', 'reject'], ['zhaoliu', 'approve'], ['qianqi', 'approve']],
      pendingAfter: [['qianqi', 'wangwu', 'zhaoliu', 'zhengshi'], ['qianqi', 'zhaoliu', 'zhengshi'], ['qianqi', 'zhengshi'], []],
      final: 'approved',
    },
    {
      name: 'vote 60% of 3: fails once the ratio is out of reach',
      node: approver({ sources: users('lisi', 'wangwu', 'zhaoliu'), mode: 'vote', passRatio: 0.6 }),
      votes: [['lisi', 'reject'], ['wangwu', 'reject']],
      pendingAfter: [['wangwu', 'zhaoliu'], []],
      final: 'rejected',
    },
  ]

  it.each(modes)('$name', async ({ node, votes, pendingAfter, final }) => {
    await h.publish('purchase', flow([node]))
    const { request } = await h.submit('zhangsan', 'purchase', { item: '显示器', quantity: 1, amountFen: 2000_00 })
    for (const [k, [who, vote]] of votes.entries()) {
      if (vote === 'approve') await h.approve(request.id, who)
      else await h.reject(request.id, who)
      expect(await h.pending(request.id)).toEqual(pendingAfter[k])
    }
    expect(await h.status(request.id)).toBe(final)
    expect(await h.chainIsIntact()).toBe(true)
  })

  /** Requester 张三 (研发部, supervisor 李四 → 王五 → 周总). */
  const sources: Array<{ name: string; source: ApproverSource; expected: string[]; mode?: 'sequential' | 'or-sign' }> = [
    { name: 'named users', source: { kind: 'users', userIds: ['qianqi', 'zhaoliu'] }, expected: ['qianqi', 'zhaoliu'] },
    { name: 'role, company-wide', source: { kind: 'role', role: 'finance' }, expected: ['sunba'] },
    { name: 'role in the requester department', source: { kind: 'role', role: 'dept_head', scope: 'department' }, expected: ['wangwu'] },
    { name: 'role, nearest department up the tree', source: { kind: 'role', role: 'ceo', scope: 'department' }, expected: ['zhouzong'] },
    { name: 'direct supervisor', source: { kind: 'supervisor' }, expected: ['lisi'] },
    { name: '2nd-level supervisor', source: { kind: 'nthSupervisor', level: 2 }, expected: ['wangwu'] },
    { name: '3rd-level supervisor', source: { kind: 'nthSupervisor', level: 3 }, expected: ['zhouzong'] },
    { name: 'continuous supervisors up to level 2', source: { kind: 'supervisorChain', upToLevel: 2 }, expected: ['lisi', 'wangwu'], mode: 'sequential' },
    { name: 'continuous supervisors up to the CEO role', source: { kind: 'supervisorChain', upToRole: 'ceo' }, expected: ['lisi', 'wangwu', 'zhouzong'], mode: 'sequential' },
    { name: 'department head', source: { kind: 'departmentHead' }, expected: ['wangwu'] },
    { name: 'head of the department above', source: { kind: 'departmentHead', level: 2 }, expected: ['zhouzong'] },
    { name: 'the initiator himself', source: { kind: 'initiator' }, expected: ['zhangsan'] },
  ]

  it.each(sources)('source: $name', async ({ source, expected, mode }) => {
    await h.publish('purchase', flow([approver({ sources: [source], mode: mode ?? 'or-sign' })]))
    const { request } = await h.submit('zhangsan', 'purchase', { item: '键盘', quantity: 1, amountFen: 300_00 })
    const view = await h.view(request.id)
    expect(view.route[0]!.approverIds).toEqual(expected)
    expect(await h.pending(request.id)).toEqual(mode === 'sequential' ? expected.slice(0, 1) : [...expected].sort())
  })

  it('source: initiator-selected (发起人自选) takes the choice at submit and refuses without one', async () => {
    const pick = approver({ id: 'pick', name: '评审', sources: [{ kind: 'initiatorSelected', multiple: true }], mode: 'countersign' })
    await h.publish('project', flow([pick]))
    const payload = { title: '新官网', budgetFen: 80_000_00 }
    const draft = await h.draft('zhangsan', 'project', payload)
    expect((await h.view(draft.id)).route[0]).toMatchObject({ awaitingSelection: true })
    await expect(h.requests.submit(draft.id, 'zhangsan')).rejects.toThrow(/请选择「评审」的审批人/)
    await expect(h.requests.submit(draft.id, 'zhangsan', { selections: { pick: ['zhangsan'] } })).rejects.toThrow(/不能选择自己/)
    expect(await h.status(draft.id)).toBe('draft')
    const { request } = await h.requests.submit(draft.id, 'zhangsan', { selections: { pick: ['zhaoliu', 'qianqi'] } })
    expect(await h.pending(request.id)).toEqual(['qianqi', 'zhaoliu'])
  })

  /** Conditions on amount, category, department, level and any payload field; first match wins. */
  const branches: Array<{ name: string; requester: string; payload: { category: 'travel' | 'meal'; amountFen: number; city?: string }; approver: string; reason: RegExp }> = [
    { name: 'amount above 5,000', requester: 'zhangsan', payload: { category: 'travel', amountFen: 8000_00 }, approver: 'qianqi', reason: /^金额 8,000.00 > 5,000.00，大额$/ },
    { name: 'category meal', requester: 'zhangsan', payload: { category: 'meal', amountFen: 100_00 }, approver: 'zhaoliu', reason: /^费用类型 餐费 = 餐费，餐费$/ },
    { name: 'department 销售部', requester: 'wujiu', payload: { category: 'travel', amountFen: 100_00 }, approver: 'zhengshi', reason: /部门 销售部 属于 销售部，销售$/ },
    { name: 'requester level ≥ 5', requester: 'wangwu', payload: { category: 'travel', amountFen: 100_00 }, approver: 'zhouzong', reason: /申请人职级 5 ≥ 5，高管$/ },
    { name: 'payload field city', requester: 'zhangsan', payload: { category: 'travel', amountFen: 100_00, city: '北京' }, approver: 'sunba', reason: /city 北京 属于 北京\/上海，一线城市$/ },
    { name: 'else branch', requester: 'zhangsan', payload: { category: 'travel', amountFen: 100_00, city: '成都' }, approver: 'admin', reason: /city 成都 不属于 北京\/上海，其他$/ },
  ]

  it.each(branches)('condition: $name', async ({ requester, payload, approver: expected, reason }) => {
    const branch = (name: string, when: object, who: string) => ({ name, when, reason: name, nodes: [approver({ sources: users(who) })] }) as never
    await h.publish(
      'expense',
      flow([
        {
          kind: 'condition',
          id: 'c1',
          branches: [
            branch('大额', { field: 'amount', op: 'gt', value: 5000_00 }, 'qianqi'),
            branch('餐费', { field: 'category', op: 'eq', value: 'meal' }, 'zhaoliu'),
            branch('销售', { field: 'department', op: 'in', value: ['d-sales'] }, 'zhengshi'),
            branch('高管', { field: 'requesterLevel', op: 'gte', value: 5 }, 'zhouzong'),
            branch('一线城市', { field: 'payload.city', op: 'in', value: ['北京', '上海'] }, 'sunba'),
          ],
          else: { name: '其他', reason: '其他', nodes: [approver({ sources: users('admin') })] },
        },
      ]),
    )
    const { request } = await h.submit(requester, 'expense', payload)
    const view = await h.view(request.id)
    expect(view.route.map((s) => s.approverIds)).toEqual([[expected]])
    expect(view.route[0]!.reason).toMatch(reason)
  })

  /** As in Feishu and DingTalk, a department picked in a condition covers its sub-departments; the words name departments. */
  describe('a department condition and a requester in a sub-department', () => {
    beforeAll(async () => {
      // 后端组 sits under 研发部; 小明 works there.
      await h.db.insertInto('departments').values({ id: 'd-rd-be', name: '后端组', parent_id: 'd-rd', head_user_id: null, cost_center: null, created_at: T0 }).execute()
      await h.db
        .insertInto('users')
        .values({ id: 'xiaoming', employee_no: 'E1009', name: '小明', department_id: 'd-rd-be', manager_id: 'lisi', title: '后端工程师', level: 2, roles: JSON.stringify(['employee']), mobile: null, email: null, active: 1, created_at: T0 })
        .execute()
    })

    const cases: Array<{ op: 'in' | 'eq' | 'ne' | 'notIn'; value: string | string[]; holds: boolean; words: string }> = [
      { op: 'in', value: ['d-rd'], holds: true, words: '部门 后端组 属于 研发部' },
      { op: 'eq', value: 'd-rd', holds: true, words: '部门 后端组 属于 研发部' },
      { op: 'eq', value: 'd-ceo', holds: true, words: '部门 后端组 属于 总经办' },
      { op: 'eq', value: 'd-rd-be', holds: true, words: '部门 后端组 属于 后端组' },
      { op: 'in', value: ['d-sales', 'd-fin'], holds: false, words: '部门 后端组 不属于 销售部/财务部' },
      { op: 'notIn', value: ['d-rd'], holds: false, words: '部门 后端组 属于 研发部' },
      { op: 'ne', value: 'd-rd', holds: false, words: '部门 后端组 属于 研发部' },
      { op: 'ne', value: 'd-sales', holds: true, words: '部门 后端组 不属于 销售部' },
    ]
    it.each(cases)('department $op $value → $holds', async ({ op, value, holds, words }) => {
      await h.publish(
        'purchase',
        flow([
          {
            kind: 'condition',
            id: 'by-department',
            branches: [{ name: '命中', when: { field: 'department', op, value }, nodes: [approver({ sources: users('wangwu') })] }],
            else: { name: '其他', nodes: [approver({ sources: users('zhouzong') })] },
          },
        ]),
      )
      const { request } = await h.submit('xiaoming', 'purchase', { item: '服务器', quantity: 1, amountFen: 9000_00 })
      const step = (await h.view(request.id)).route[0]!
      expect(step.approverIds).toEqual([holds ? 'wangwu' : 'zhouzong'])
      expect(step.reason.startsWith(`${words}，`)).toBe(true)
    })
  })

  it('an end node stops the flow; a branch without steps is still explained', async () => {
    await h.publish(
      'expense',
      flow([
        {
          kind: 'condition',
          id: 'small',
          branches: [{ name: '小额', when: { field: 'amount', op: 'lte', value: 200_00 }, reason: '小额直接通过', nodes: [{ kind: 'end', id: 'stop' }] }],
          else: { reason: '需财务审批', nodes: [] },
        },
        approver({ name: '财务', sources: [{ kind: 'role', role: 'finance' }] }),
      ]),
    )
    const small = await h.expense('zhangsan', 150)
    expect(small.request.status).toBe('approved')
    expect((await h.view(small.request.id)).routingNotes).toEqual(['金额 150.00 ≤ 200.00，小额直接通过'])
    const big = await h.expense('zhangsan', 900)
    expect((await h.view(big.request.id)).routingNotes).toEqual(['金额 900.00 > 200.00，需财务审批'])
    expect(await h.pending(big.request.id)).toEqual(['sunba'])
  })

  it('a CC node informs its people when reached and never waits', async () => {
    await h.publish('purchase', flow([approver({ sources: users('lisi') }), { kind: 'cc', id: 'cc', name: '抄送行政', sources: [{ kind: 'role', role: 'admin' }] }]))
    const { request, ccIds } = await h.submit('zhangsan', 'purchase', { item: '椅子', quantity: 2, amountFen: 800_00 })
    expect(ccIds).toEqual([])
    const done = await h.approve(request.id, 'lisi')
    expect(done.ccIds).toEqual(['admin'])
    expect(done.request.status).toBe('approved')
    expect((await h.view(request.id)).route[1]!.reachedAt).toBeDefined()
  })

  it('publishing a new version never changes a running request, which keeps its own', async () => {
    const v1 = await h.publish('hr.transfer', flow([approver({ sources: users('lisi') }), approver({ sources: users('zhaoliu') })]))
    const running = await h.submit('zhangsan', 'hr.transfer', { toDepartment: '销售部', effectiveDate: '2026-12-01' })
    const v2 = await h.publish('hr.transfer', flow([approver({ sources: users('zhengshi') })]))
    expect(v2).toBe(v1 + 1)
    await h.approve(running.request.id, 'lisi')
    expect(await h.pending(running.request.id)).toEqual(['zhaoliu'])
    expect((await h.view(running.request.id)).templateVersion).toBe(v1)
    const fresh = await h.submit('zhangsan', 'hr.transfer', { toDepartment: '财务部', effectiveDate: '2026-12-01' })
    expect(await h.pending(fresh.request.id)).toEqual(['zhengshi'])
    expect((await h.view(fresh.request.id)).templateVersion).toBe(v2)
  })

  it('refuses a template that does not make sense, saying why', async () => {
    await expect(h.publish('expense', flow([approver({ sources: users('lisi'), mode: 'vote' })]))).rejects.toThrow(/票签节点需要 passRatio/)
    await expect(h.publish('expense', { ...flow([]), nodes: [approver({ id: 'x', sources: users('a') }), approver({ id: 'x', sources: users('b') })] })).rejects.toThrow(/节点 id 不能重复/)
    await expect(h.requests.templates.publish('loan', flow([]), 'admin')).rejects.toThrow(/未知的申请类型/)
  })
})
