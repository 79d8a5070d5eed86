import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FlowNode } from '../../workflow/templates/flow-definition.js'
import { DB_KINDS } from '../helpers/databases.js'
import { approver, flow, FlowHarness, HOUR, users } from './flow-harness.js'

/**
 * The semantics we chose where Feishu 审批 and DingTalk OA审批 differ (README: "Where Feishu and
 * DingTalk differ: what we chose"), each row one claim of that table that no other test pins down.
 */
const purchase = { item: '扫描仪', quantity: 1, amountFen: 1500_00 }
const ccAdmins = (id: string): FlowNode => ({ kind: 'cc', id, name: '抄送行政', sources: [{ kind: 'role', role: 'admin' }] })

describe.each(DB_KINDS)('where Feishu and DingTalk differ: our choices (%s)', (kind) => {
  let h: FlowHarness
  beforeAll(async () => {
    h = await FlowHarness.open(kind)
  })
  afterAll(async () => {
    await h.close()
  })

  /** Moves time on and fires what is due, as the worker loop does. */
  const runTimersAfter = async (hours: number) => {
    h.clock += hours * HOUR
    return h.timers.runDueTimers(h.clock)
  }

  describe('去重: which earlier approval auto-passes a later step of the same person', () => {
    const cases: Array<{ name: string; nodes: () => FlowNode[]; act: (id: string) => Promise<unknown>; who: string; autoPassed: boolean }> = [
      {
        name: 'he approved an earlier step himself → auto-passed, even with another step between',
        nodes: () => [approver({ sources: users('lisi') }), approver({ sources: users('wangwu') }), approver({ sources: users('lisi') })],
        act: async (id) => {
          await h.approve(id, 'lisi')
          await h.approve(id, 'wangwu')
        },
        who: 'lisi',
        autoPassed: true,
      },
      {
        name: 'he approved an earlier step as the transferee (转交) → auto-passed: it was his own decision',
        nodes: () => [approver({ sources: users('lisi') }), approver({ sources: users('wangwu') }), approver({ sources: users('zhengshi') })],
        act: async (id) => {
          await h.decisions.transfer({ requestId: id, actorId: 'lisi', toUserId: 'zhengshi' })
          await h.approve(id, 'zhengshi')
          await h.approve(id, 'wangwu')
        },
        who: 'zhengshi',
        autoPassed: true,
      },
      {
        name: 'the SLA auto-approved his earlier task → not auto-passed: nobody looked at it',
        nodes: () => [approver({ sources: users('lisi'), sla: { timeoutAfterHours: 1, onTimeout: 'approve' } }), approver({ sources: users('wangwu') }), approver({ sources: users('lisi') })],
        act: async (id) => {
          await runTimersAfter(2)
          await h.approve(id, 'wangwu')
        },
        who: 'lisi',
        autoPassed: false,
      },
    ]
    it.each(cases)('$name', async ({ nodes, act, who, autoPassed }) => {
      await h.publish('purchase', flow(nodes()))
      const { request } = await h.submit('zhangsan', 'purchase', purchase)
      await act(request.id)
      const view = await h.view(request.id)
      const later = view.tasks.find((t) => t.step === 2 && t.approverId === who)!
      if (autoPassed) {
        expect(view.status).toBe('approved')
        expect(later).toMatchObject({ status: 'approved', autoReason: '自动通过：与第1步审批人相同' })
      } else {
        expect(await h.pending(request.id)).toEqual([who])
        expect(later).toMatchObject({ status: 'pending', autoReason: null })
      }
    })
  })

  describe('tasks handed to someone mid-step are never auto-passed, even if he approved an earlier step', () => {
    const cases: Array<{ name: string; second: FlowNode; hand: (id: string) => Promise<unknown> }> = [
      {
        name: '转交 to him',
        second: approver({ sources: users('lisi') }),
        hand: (id) => h.decisions.transfer({ requestId: id, actorId: 'lisi', toUserId: 'wangwu' }),
      },
      {
        name: 'SLA escalation to him (李四 → his supervisor 王五)',
        second: approver({ sources: users('lisi'), sla: { timeoutAfterHours: 1, onTimeout: 'escalate' } }),
        hand: () => runTimersAfter(2),
      },
    ]
    it.each(cases)('$name', async ({ second, hand }) => {
      await h.publish('purchase', flow([approver({ sources: users('wangwu') }), second]))
      const { request } = await h.submit('zhangsan', 'purchase', purchase)
      await h.approve(request.id, 'wangwu')
      await hand(request.id)
      expect(await h.pending(request.id)).toEqual(['wangwu'])
      expect((await h.view(request.id)).tasks.find((t) => t.step === 1 && t.approverId === 'wangwu')).toMatchObject({ status: 'pending', autoReason: null })
      await h.approve(request.id, 'wangwu')
      expect(await h.status(request.id)).toBe('approved')
    })
  })

  it('an SLA escalation with nobody above the approver leaves the task with him, without a further deadline', async () => {
    await h.publish('purchase', flow([approver({ sources: users('zhouzong'), sla: { timeoutAfterHours: 1, onTimeout: 'escalate' } })]))
    const { request } = await h.submit('zhangsan', 'purchase', purchase)
    const fired = await runTimersAfter(2)
    expect(fired.timeouts.filter((t) => t.requestId === request.id).map((t) => t.action)).toEqual(['escalate'])
    expect(await h.pending(request.id)).toEqual(['zhouzong'])
    expect((await h.view(request.id)).route[0]!.notes).toContain('周总 超时未处理，无可升级的上级，继续等待')
    expect((await runTimersAfter(48)).timeouts.filter((t) => t.requestId === request.id)).toEqual([])
  })

  describe('代理: where a task of an approver on leave goes', () => {
    const cases: Array<{ name: string; away: Array<[string, string]>; holder: string; delegatedFrom: string | null }> = [
      { name: 'to his stand-in', away: [['qianqi', 'sunba']], holder: 'sunba', delegatedFrom: '钱七' },
      { name: 'one hop only: not on to the stand-in\'s own stand-in', away: [['qianqi', 'sunba'], ['sunba', 'wujiu']], holder: 'sunba', delegatedFrom: '钱七' },
      { name: 'never to the requester: it stays with the approver', away: [['qianqi', 'zhangsan']], holder: 'qianqi', delegatedFrom: null },
    ]
    it.each(cases)('$name', async ({ away, holder, delegatedFrom }) => {
      const set = []
      for (const [principalId, delegateId] of away) set.push(await h.delegations.set({ actorId: 'admin', principalId, delegateId, from: '2026-11-20', to: '2026-12-31' }))
      try {
        await h.publish('purchase', flow([approver({ sources: users('qianqi') })]))
        const { request } = await h.submit('zhangsan', 'purchase', purchase)
        expect(await h.pending(request.id)).toEqual([holder])
        expect((await h.view(request.id)).tasks[0]!.delegatedFrom?.name ?? null).toBe(delegatedFrom)
      } finally {
        for (const d of set) await h.delegations.revoke(d.id, 'admin')
      }
    })
  })

  describe('退回: where the flow goes on, and who decides again', () => {
    const cases: Array<{ to: string; target: 'initiator' | number; next: string[] }> = [
      // Resubmitting restarts at the first step; it does not jump back to 赵六, who returned it.
      { to: 'the initiator, who resubmits', target: 'initiator', next: ['lisi', 'wangwu', 'zhaoliu'] },
      { to: 'step 1', target: 0, next: ['lisi', 'wangwu', 'zhaoliu'] },
      { to: 'step 2', target: 1, next: ['wangwu', 'zhaoliu'] },
    ]
    it.each(cases)('returned by step 3 to $to: then asked in turn, none auto-passed: $next', async ({ target, next }) => {
      await h.publish('purchase', flow([approver({ sources: users('lisi') }), approver({ sources: users('wangwu') }), approver({ sources: users('zhaoliu') })]))
      const { request } = await h.submit('zhangsan', 'purchase', purchase)
      await h.approve(request.id, 'lisi')
      await h.approve(request.id, 'wangwu')
      await h.decisions.returnTo({ requestId: request.id, actorId: 'zhaoliu', target, comment: '请补充报价单' })
      if (target === 'initiator') {
        expect(await h.status(request.id)).toBe('returned')
        await h.requests.resubmit(request.id, 'zhangsan')
      }
      for (const who of next) {
        expect(await h.pending(request.id)).toEqual([who])
        await h.approve(request.id, who)
      }
      expect(await h.status(request.id)).toBe('approved')
      expect((await h.view(request.id)).tasks.filter((t) => t.autoReason !== null)).toEqual([])
    })
  })

  describe('撤回: allowed while nobody has decided on the current step', () => {
    const cases: Array<{ name: string; nodes: () => FlowNode[]; before: (id: string) => Promise<unknown>; refused?: RegExp }> = [
      { name: 'nothing decided yet', nodes: () => [approver({ sources: users('lisi') }), approver({ sources: users('wangwu') })], before: async () => {} },
      {
        name: 'an earlier step passed, the current one is undecided',
        nodes: () => [approver({ sources: users('lisi') }), approver({ sources: users('wangwu') })],
        before: (id) => h.approve(id, 'lisi'),
      },
      {
        name: 'the current step has only a 去重 auto-approval',
        nodes: () => [approver({ sources: users('lisi') }), approver({ sources: users('lisi', 'wangwu'), mode: 'countersign' })],
        before: (id) => h.approve(id, 'lisi'),
      },
      {
        name: 'someone on the current step decided → refused',
        nodes: () => [approver({ sources: users('lisi', 'wangwu'), mode: 'countersign' })],
        before: (id) => h.approve(id, 'lisi'),
        refused: /当前节点已有人审批，不能撤回/,
      },
      {
        name: 'the request is approved → refused (no 撤销 of a finished request)',
        nodes: () => [approver({ sources: users('lisi') })],
        before: (id) => h.approve(id, 'lisi'),
        refused: /该申请已结束，不能撤回/,
      },
    ]
    it.each(cases)('$name', async ({ nodes, before, refused }) => {
      await h.publish('purchase', flow(nodes()))
      const { request } = await h.submit('zhangsan', 'purchase', purchase)
      await before(request.id)
      if (refused) {
        const status = await h.status(request.id)
        await expect(h.requests.withdraw(request.id, 'zhangsan')).rejects.toThrow(refused)
        expect(await h.status(request.id)).toBe(status)
        return
      }
      expect((await h.requests.withdraw(request.id, 'zhangsan')).request.status).toBe('withdrawn')
      expect(await h.pending(request.id)).toEqual([])
    })
  })

  describe('抄送: a CC node informs its people when the flow reaches it', () => {
    const cases: Array<{ name: string; nodes: () => FlowNode[]; decisions: Array<[string, 'approve' | 'reject']>; cc: string[][]; final: string }> = [
      { name: 'first node: at submit', nodes: () => [ccAdmins('cc-start'), approver({ sources: users('lisi') })], decisions: [['lisi', 'approve']], cc: [['admin'], []], final: 'approved' },
      { name: 'last node: when approved', nodes: () => [approver({ sources: users('lisi') }), ccAdmins('cc-end')], decisions: [['lisi', 'approve']], cc: [[], ['admin']], final: 'approved' },
      { name: 'last node, request rejected: never', nodes: () => [approver({ sources: users('lisi') }), ccAdmins('cc-end')], decisions: [['lisi', 'reject']], cc: [[], []], final: 'rejected' },
      {
        name: 'between two steps: when the first passes',
        nodes: () => [approver({ sources: users('lisi') }), ccAdmins('cc-mid'), approver({ sources: users('wangwu') })],
        decisions: [['lisi', 'approve'], ['wangwu', 'approve']],
        cc: [[], ['admin'], []],
        final: 'approved',
      },
    ]
    it.each(cases)('$name', async ({ nodes, decisions, cc, final }) => {
      await h.publish('purchase', flow(nodes()))
      const submitted = await h.submit('zhangsan', 'purchase', purchase)
      const reached = [submitted.ccIds]
      for (const [who, decision] of decisions) reached.push((await (decision === 'approve' ? h.approve(submitted.request.id, who) : h.reject(submitted.request.id, who))).ccIds)
      expect(reached).toEqual(cc)
      expect(await h.status(submitted.request.id)).toBe(final)
    })
  })
})
