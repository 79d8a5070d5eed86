import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { URGE_INTERVAL_MS } from '../../workflow/request-service.js'
import { DB_KINDS } from '../helpers/databases.js'
import { approver, flow, FlowHarness, users } from './flow-harness.js'

const purchase = { item: '服务器', quantity: 1, amountFen: 9000_00 }

describe.each(DB_KINDS)('routing rules and approver actions (%s)', (kind) => {
  let h: FlowHarness
  beforeAll(async () => {
    h = await FlowHarness.open(kind)
  })
  afterAll(async () => {
    await h.close()
  })
  afterEach(async () => {
    for (const id of ['lisi', 'zhaoliu', 'wangwu']) await h.setActive(id, true)
  })

  describe('rules', () => {
    const empty = [
      { rule: 'auto-pass' as const, expectStatus: 'pending', expectPending: ['sunba'], skipped: '审批人为空，自动通过' },
      { rule: 'admin' as const, expectStatus: 'pending', expectPending: ['admin'], note: '审批人为空，已转交管理员' },
      { rule: 'reject' as const, expectStatus: 'rejected', expectPending: [], rejected: '找不到审批人' },
    ]
    it.each(empty)('empty approver → $rule', async ({ rule, expectStatus, expectPending, skipped, note, rejected }) => {
      await h.publish('purchase', flow([approver({ sources: [{ kind: 'nthSupervisor', level: 9 }], emptyApprover: rule }), approver({ sources: users('sunba') })]))
      const { request } = await h.submit('zhangsan', 'purchase', purchase)
      expect(request.status).toBe(expectStatus)
      expect(await h.pending(request.id)).toEqual(expectPending)
      const step = (await h.view(request.id)).route[0]!
      if (skipped) expect(step.skippedBecause).toBe(skipped)
      if (note) expect(step.notes).toContain(note)
      if (rejected) expect(step.rejectWhenReached).toContain(rejected)
    })

    it.each([
      { rule: 'auto-pass' as const, pending: ['lisi'], skipped: '审批人即发起人，自动通过' },
      { rule: 'keep' as const, pending: ['zhangsan'], skipped: undefined },
    ])('initiator is approver → $rule', async ({ rule, pending, skipped }) => {
      await h.publish('purchase', flow([approver({ sources: users('zhangsan') }), approver({ sources: users('lisi') })], { initiatorIsApprover: rule }))
      const { request } = await h.submit('zhangsan', 'purchase', purchase)
      expect(await h.pending(request.id)).toEqual(pending)
      expect((await h.view(request.id)).route[0]!.skippedBecause).toBe(skipped)
    })

    it('de-duplication auto-passes a later step the same person already approved, and says why', async () => {
      await h.publish('purchase', flow([approver({ sources: users('lisi') }), approver({ sources: users('wangwu') }), approver({ sources: users('lisi', 'zhaoliu'), mode: 'countersign' })]))
      const { request } = await h.submit('zhangsan', 'purchase', purchase)
      await h.approve(request.id, 'lisi')
      await h.approve(request.id, 'wangwu')
      expect(await h.pending(request.id)).toEqual(['zhaoliu'])
      const view = await h.view(request.id)
      expect(view.tasks.find((t) => t.step === 2 && t.approverId === 'lisi')).toMatchObject({ status: 'approved', autoReason: '自动通过：与第1步审批人相同' })
    })

    it('an 或签 step that de-duplication passes as it opens reports no task for its other members, so they get no card', async () => {
      await h.publish('purchase', flow([approver({ sources: users('lisi') }), approver({ sources: users('lisi', 'zhaoliu'), mode: 'or-sign' }), approver({ sources: users('qianqi') })]))
      const { request } = await h.submit('zhangsan', 'purchase', purchase)
      const result = await h.approve(request.id, 'lisi')
      expect(result.openedTasks.map((t) => [t.approver_id, Number(t.step), t.status])).toEqual([['qianqi', 2, 'pending']])
      const audit = await h.db.selectFrom('audit_log').select('after_state').where('entity_id', '=', request.id).where('action', '=', 'task.approved').executeTakeFirstOrThrow()
      expect(JSON.parse(audit.after_state!).opened).toEqual([{ approver: 'qianqi', step: 2 }])
      expect(await h.pending(request.id)).toEqual(['qianqi'])
    })

    it('without de-duplication the same person approves again', async () => {
      await h.publish('purchase', flow([approver({ sources: users('lisi') }), approver({ sources: users('lisi') })], { dedup: false }))
      const { request } = await h.submit('zhangsan', 'purchase', purchase)
      await h.approve(request.id, 'lisi')
      expect(await h.pending(request.id)).toEqual(['lisi'])
    })

    it('approvals given before a return do not de-duplicate', async () => {
      await h.publish('purchase', flow([approver({ sources: users('lisi') }), approver({ sources: users('wangwu') }), approver({ sources: users('zhaoliu') }), approver({ sources: users('lisi') })]))
      const { request } = await h.submit('zhangsan', 'purchase', purchase)
      await h.approve(request.id, 'lisi')
      await h.approve(request.id, 'wangwu')
      await h.decisions.returnTo({ requestId: request.id, actorId: 'zhaoliu', target: 1, comment: '请王五再看看' })
      expect(await h.pending(request.id)).toEqual(['wangwu'])
      await h.approve(request.id, 'wangwu')
      await h.approve(request.id, 'zhaoliu')
      expect(await h.pending(request.id)).toEqual(['lisi'])
    })

    it('added signers are never de-duplicated, and their approvals do not de-duplicate others', async () => {
      await h.publish('purchase', flow([approver({ sources: users('lisi') }), approver({ sources: users('wangwu') }), approver({ sources: users('zhaoliu') })]))
      const { request } = await h.submit('zhangsan', 'purchase', purchase)
      await h.decisions.addSigners({ requestId: request.id, actorId: 'lisi', userIds: ['wangwu'], position: 'after', comment: '请王五把关' })
      expect(await h.pending(request.id)).toEqual(['wangwu'])
      await h.approve(request.id, 'wangwu')
      expect(await h.pending(request.id)).toEqual(['wangwu'])
      await h.decisions.addSigners({ requestId: request.id, actorId: 'wangwu', userIds: ['lisi'], position: 'before' })
      expect(await h.pending(request.id)).toEqual(['lisi'])
    })

    it('a resigned approver is replaced by his supervisor at submit, or by the admins', async () => {
      await h.setActive('lisi', false)
      await h.publish('purchase', flow([approver({ sources: [{ kind: 'supervisor' }] })]))
      const bySupervisor = await h.submit('zhangsan', 'purchase', purchase)
      expect(await h.pending(bySupervisor.request.id)).toEqual(['wangwu'])
      expect((await h.view(bySupervisor.request.id)).route[0]!.notes).toContain('李四 已离职，由其上级 王五 审批')
      await h.publish('purchase', flow([approver({ sources: [{ kind: 'supervisor' }] })], { resignedApprover: 'admin' }))
      const byAdmin = await h.submit('zhangsan', 'purchase', purchase)
      expect(await h.pending(byAdmin.request.id)).toEqual(['admin'])
    })

    it('a resigned 会签 member nobody may replace at submit (the only admin is on the step) leaves a note, not a silent gap', async () => {
      // Published while 赵六 was still there: a flow naming someone who already left is refused.
      await h.publish('purchase', flow([approver({ sources: users('admin', 'zhaoliu'), mode: 'countersign' })], { resignedApprover: 'admin' }))
      await h.setActive('zhaoliu', false)
      const { request } = await h.submit('zhangsan', 'purchase', purchase)
      expect(await h.pending(request.id)).toEqual(['admin'])
      expect((await h.view(request.id)).route[0]!.notes).toEqual(['赵六 已离职，且无人可接替，本步不再等待其审批'])
    })

    it('an approver who leaves while the request runs is replaced when his step opens', async () => {
      await h.publish('purchase', flow([approver({ sources: users('wangwu') }), approver({ sources: users('zhaoliu') })]))
      const { request } = await h.submit('zhangsan', 'purchase', purchase)
      await h.setActive('zhaoliu', false)
      await h.approve(request.id, 'wangwu')
      expect(await h.pending(request.id)).toEqual(['zhouzong'])
    })

    it.each([
      { sequence: ['lisi', 'zhaoliu'], successor: 'zhouzong', note: '赵六 已离职，由其上级 周总 审批' },
      { sequence: ['lisi', 'zhouzong', 'zhaoliu'], successor: 'admin', note: '赵六 已离职，由管理员 系统管理员 审批' },
    ])('a 依次 member who leaves after the step opened is replaced when his turn comes, by the same rule → $successor', async ({ sequence, successor, note }) => {
      await h.publish('purchase', flow([approver({ sources: users(...sequence), mode: 'sequential' })]))
      const { request } = await h.submit('zhangsan', 'purchase', purchase)
      await h.setActive('zhaoliu', false)
      const results = []
      for (const member of sequence.slice(0, -1)) results.push(await h.approve(request.id, member))
      expect(results.at(-1)!.openedTasks.map((t) => t.approver_id)).toEqual([successor])
      expect(await h.pending(request.id)).toEqual([successor])
      expect((await h.view(request.id)).route[0]!.notes).toContain(note)
      await h.approve(request.id, successor)
      expect(await h.status(request.id)).toBe('approved')
    })
  })

  describe('actions', () => {
    const twoSteps = () => h.publish('purchase', flow([approver({ sources: users('lisi') }), approver({ sources: users('wangwu', 'zhaoliu'), mode: 'countersign' }), approver({ sources: users('qianqi') })]))

    it('return to the initiator; he edits and resubmits under the version he started with', async () => {
      await h.publish('expense', flow([approver({ sources: users('lisi') }), { kind: 'condition', id: 'c', branches: [{ name: '大额', when: { field: 'amount', op: 'gt', value: 5000_00 }, reason: '大额', nodes: [approver({ sources: users('wangwu') })] }], else: { nodes: [] } }]))
      const { request } = await h.expense('zhangsan', 3000)
      const returned = await h.decisions.returnTo({ requestId: request.id, actorId: 'lisi', target: 'initiator', comment: '金额有误' })
      expect(returned.outcome).toBe('returned')
      expect(await h.pending(request.id)).toEqual([])
      await h.publish('expense', flow([approver({ sources: users('zhouzong') })]))
      await expect(h.requests.resubmit(request.id, 'lisi')).rejects.toThrow(/只有申请人本人/)
      const again = await h.requests.resubmit(request.id, 'zhangsan', { payload: { amountFen: 8000_00 } })
      expect(again.request.request_no).toBe(request.request_no)
      expect(await h.pending(request.id)).toEqual(['lisi'])
      await h.approve(request.id, 'lisi')
      expect(await h.pending(request.id)).toEqual(['wangwu'])
      const view = await h.view(request.id)
      expect(view.amountFen).toBe(8000_00)
      expect(view.tasks.filter((t) => t.status === 'returned')).toHaveLength(1)
    })

    it('return to an earlier step opens it afresh', async () => {
      await twoSteps()
      const { request } = await h.submit('zhangsan', 'purchase', purchase)
      await h.approve(request.id, 'lisi')
      await h.approve(request.id, 'wangwu')
      await expect(h.decisions.returnTo({ requestId: request.id, actorId: 'zhaoliu', target: 1 })).rejects.toThrow(/只能退回到之前/)
      const back = await h.decisions.returnTo({ requestId: request.id, actorId: 'zhaoliu', target: 0, comment: '补充报价' })
      expect(back.outcome).toBe('advanced')
      expect(await h.pending(request.id)).toEqual(['lisi'])
      await h.approve(request.id, 'lisi')
      expect(await h.pending(request.id)).toEqual(['wangwu', 'zhaoliu'])
    })

    it('transfer: the new person takes the place on the step', async () => {
      await twoSteps()
      const { request } = await h.submit('zhangsan', 'purchase', purchase)
      await expect(h.decisions.transfer({ requestId: request.id, actorId: 'lisi', toUserId: 'zhangsan' })).rejects.toThrow(/不能指定申请人本人/)
      await h.decisions.transfer({ requestId: request.id, actorId: 'lisi', toUserId: 'zhengshi', comment: '我在出差' })
      expect(await h.pending(request.id)).toEqual(['zhengshi'])
      await expect(h.approve(request.id, 'lisi')).rejects.toMatchObject({ code: 'ALREADY_DECIDED' })
      await h.approve(request.id, 'zhengshi')
      await expect(h.decisions.transfer({ requestId: request.id, actorId: 'wangwu', toUserId: 'zhaoliu' })).rejects.toThrow(/已是本节点审批人/)
      expect((await h.view(request.id)).route[0]!.notes).toContain('李四 转交给 郑十：我在出差')
    })

    it('add signer before: the added person decides first, then it comes back', async () => {
      await twoSteps()
      const { request } = await h.submit('zhangsan', 'purchase', purchase)
      await h.decisions.addSigners({ requestId: request.id, actorId: 'lisi', userIds: ['zhengshi', 'sunba'], position: 'before', mode: 'any' })
      expect(await h.pending(request.id)).toEqual(['sunba', 'zhengshi'])
      expect((await h.view(request.id)).route[0]).toMatchObject({ name: '加签：郑十、孙八', mode: 'any', addedBy: 'lisi' })
      await h.approve(request.id, 'sunba')
      expect(await h.pending(request.id)).toEqual(['lisi'])
      await h.approve(request.id, 'lisi')
      expect(await h.pending(request.id)).toEqual(['wangwu', 'zhaoliu'])
    })

    it('add signer after, on a countersign step: the actor approves now, the added step follows the step', async () => {
      await twoSteps()
      const { request } = await h.submit('zhangsan', 'purchase', purchase)
      await h.approve(request.id, 'lisi')
      await h.decisions.addSigners({ requestId: request.id, actorId: 'wangwu', userIds: ['sunba'], position: 'after' })
      expect(await h.pending(request.id)).toEqual(['zhaoliu'])
      await h.approve(request.id, 'zhaoliu')
      expect(await h.pending(request.id)).toEqual(['sunba'])
      await h.approve(request.id, 'sunba')
      expect(await h.pending(request.id)).toEqual(['qianqi'])
    })

    it('withdraw: while the current step is undecided, or after a return; never once decided, never by others', async () => {
      await twoSteps()
      const early = await h.submit('zhangsan', 'purchase', purchase)
      await expect(h.requests.withdraw(early.request.id, 'lisi')).rejects.toMatchObject({ code: 'FORBIDDEN' })
      const withdrawn = await h.requests.withdraw(early.request.id, 'zhangsan', '不买了')
      expect(withdrawn.outcome).toBe('withdrawn')
      expect(await h.pending(early.request.id)).toEqual([])

      const partial = await h.submit('zhangsan', 'purchase', purchase)
      await h.approve(partial.request.id, 'lisi')
      await h.approve(partial.request.id, 'wangwu')
      await expect(h.requests.withdraw(partial.request.id, 'zhangsan')).rejects.toThrow(/当前节点已有人审批/)

      await h.decisions.returnTo({ requestId: partial.request.id, actorId: 'zhaoliu', target: 'initiator' })
      expect((await h.requests.withdraw(partial.request.id, 'zhangsan')).request.status).toBe('withdrawn')
      await expect(h.requests.withdraw(partial.request.id, 'zhangsan')).rejects.toThrow(/已结束/)
    })

    it('urge: by the requester only, at most once per interval, naming who is waited for', async () => {
      await twoSteps()
      const { request } = await h.submit('zhangsan', 'purchase', purchase)
      await expect(h.requests.urge(request.id, 'lisi')).rejects.toMatchObject({ code: 'FORBIDDEN' })
      expect((await h.requests.urge(request.id, 'zhangsan')).approverIds).toEqual(['lisi'])
      h.clock += URGE_INTERVAL_MS - 60_000
      await expect(h.requests.urge(request.id, 'zhangsan')).rejects.toThrow(/催办过于频繁，请 1 分钟后再试/)
      h.clock += 60_000
      expect((await h.requests.urge(request.id, 'zhangsan')).approverIds).toEqual(['lisi'])
    })

    it('comment: the people involved may comment; others may not', async () => {
      await twoSteps()
      const { request } = await h.submit('zhangsan', 'purchase', purchase)
      await h.decisions.comment({ requestId: request.id, actorId: 'zhangsan', text: '急用，请尽快' })
      h.clock += 1000
      await h.decisions.comment({ requestId: request.id, actorId: 'lisi', text: '收到' })
      await expect(h.decisions.comment({ requestId: request.id, actorId: 'qianqi', text: '路过' })).rejects.toMatchObject({ code: 'FORBIDDEN' })
      await expect(h.decisions.comment({ requestId: request.id, actorId: 'lisi', text: '   ' })).rejects.toMatchObject({ code: 'VALIDATION' })
      expect((await h.view(request.id)).comments.map((c) => `${c.authorName}:${c.text}`)).toEqual(['张三:急用，请尽快', '李四:收到'])
    })

    it('batch approve: each request on its own, refusals reported', async () => {
      await h.publish('purchase', flow([approver({ sources: users('lisi') })]))
      const a = await h.submit('zhangsan', 'purchase', purchase)
      const b = await h.submit('wujiu', 'purchase', purchase)
      await h.publish('purchase', flow([approver({ sources: users('wangwu') })]))
      const c = await h.submit('zhangsan', 'purchase', purchase)
      const items = await h.decisions.approveMany('lisi', [a.request.id, b.request.id, c.request.id], '同意')
      expect(items.map((i) => [i.ok, i.error?.code])).toEqual([[true, undefined], [true, undefined], [false, 'NOT_APPROVER']])
      expect(await h.status(a.request.id)).toBe('approved')
      expect(await h.status(b.request.id)).toBe('approved')
      expect(await h.status(c.request.id)).toBe('pending')
    })

    /** Every action by someone not entitled to it is refused with a reason, and changes nothing. */
    const refusals: Array<{ name: string; act: (h: FlowHarness, id: string) => Promise<unknown>; code: string; text: RegExp }> = [
      { name: 'approve by a later approver', act: (h, id) => h.approve(id, 'qianqi'), code: 'NOT_APPROVER', text: /不是该申请当前节点的审批人/ },
      { name: 'reject by an outsider', act: (h, id) => h.reject(id, 'sunba'), code: 'NOT_APPROVER', text: /you are not an approver/ },
      { name: 'return by the requester', act: (h, id) => h.decisions.returnTo({ requestId: id, actorId: 'zhangsan', target: 'initiator' }), code: 'NOT_APPROVER', text: /不是/ },
      { name: 'transfer by an outsider', act: (h, id) => h.decisions.transfer({ requestId: id, actorId: 'sunba', toUserId: 'qianqi' }), code: 'NOT_APPROVER', text: /不是/ },
      { name: 'add signer by an outsider', act: (h, id) => h.decisions.addSigners({ requestId: id, actorId: 'sunba', userIds: ['qianqi'], position: 'before' }), code: 'NOT_APPROVER', text: /不是/ },
      { name: 'withdraw by an approver', act: (h, id) => h.requests.withdraw(id, 'lisi'), code: 'FORBIDDEN', text: /只有申请人本人可以撤回/ },
      { name: 'urge by an approver', act: (h, id) => h.requests.urge(id, 'lisi'), code: 'FORBIDDEN', text: /只有申请人本人可以催办/ },
      { name: 'resubmit of a pending request', act: (h, id) => h.requests.resubmit(id, 'zhangsan'), code: 'INVALID_STATE', text: /只有被退回的申请/ },
      { name: 'comment by an outsider', act: (h, id) => h.decisions.comment({ requestId: id, actorId: 'sunba', text: 'hi' }), code: 'FORBIDDEN', text: /只有申请人、审批人和抄送人/ },
    ]
    it.each(refusals)('refused: $name', async ({ act, code, text }) => {
      await twoSteps()
      const { request } = await h.submit('zhangsan', 'purchase', purchase)
      const before = await h.snapshot()
      const error = await act(h, request.id).then(
        () => null,
        (e: unknown) => e,
      )
      expect(error).toMatchObject({ code })
      expect((error as Error).message).toMatch(text)
      expect(await h.snapshot()).toEqual(before)
    })
  })
})
