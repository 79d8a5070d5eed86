import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SlaPolicy } from '../../workflow/templates/flow-definition.js'
import { SlaTimers } from '../../workflow/time/sla-timers.js'
import { createWorkflowContext } from '../../workflow/workflow-context.js'
import { DB_KINDS } from '../helpers/databases.js'
import { approver, flow, FlowHarness, HOUR, users } from './flow-harness.js'

const purchase = { item: '投影仪', quantity: 1, amountFen: 3000_00 }

describe.each(DB_KINDS)('SLA timers and out-of-office delegation (%s)', (kind) => {
  let h: FlowHarness
  beforeAll(async () => {
    h = await FlowHarness.open(kind)
  })
  afterAll(async () => {
    await h.close()
  })

  const withSla = (sla: SlaPolicy) => h.publish('purchase', flow([approver({ sources: users('lisi'), sla }), approver({ sources: users('qianqi') })]))

  it('reminds once after X hours, then auto-approves after Y, exactly once even when run again', async () => {
    await withSla({ remindAfterHours: 4, timeoutAfterHours: 24, onTimeout: 'approve' })
    const { request } = await h.submit('zhangsan', 'purchase', purchase)
    expect((await h.timers.runDueTimers(h.clock + 3 * HOUR)).reminders).toEqual([])
    const due = await h.timers.runDueTimers(h.clock + 4 * HOUR)
    expect(due.reminders).toEqual([expect.objectContaining({ requestId: request.id, approverId: 'lisi' })])
    expect((await h.timers.runDueTimers(h.clock + 5 * HOUR)).reminders).toEqual([])

    // A restart: new services on the same database find the same timers.
    const restarted = new SlaTimers(createWorkflowContext(h.db, () => h.clock))
    const fired = await restarted.runDueTimers(h.clock + 25 * HOUR)
    expect(fired.timeouts.map((t) => [t.action, t.result.outcome])).toEqual([['approve', 'advanced']])
    expect((await restarted.runDueTimers(h.clock + 26 * HOUR)).timeouts).toEqual([])
    expect(await h.pending(request.id)).toEqual(['qianqi'])
    const view = await h.view(request.id)
    expect(view.tasks.find((t) => t.approverId === 'lisi')).toMatchObject({ status: 'approved', autoReason: '超时自动同意' })
  })

  it('auto-rejects after Y', async () => {
    await withSla({ timeoutAfterHours: 48, onTimeout: 'reject' })
    const { request } = await h.submit('zhangsan', 'purchase', purchase)
    const fired = await h.timers.runDueTimers(h.clock + 49 * HOUR)
    expect(fired.timeouts.find((t) => t.requestId === request.id)?.result.request.status).toBe('rejected')
    expect((await h.view(request.id)).tasks[0]).toMatchObject({ status: 'rejected', autoReason: '超时自动驳回' })
  })

  it('escalates to the supervisor after Y, once', async () => {
    await withSla({ remindAfterHours: 1, timeoutAfterHours: 2, onTimeout: 'escalate' })
    const { request } = await h.submit('zhangsan', 'purchase', purchase)
    const fired = await h.timers.runDueTimers(h.clock + 3 * HOUR)
    expect(fired.timeouts.find((t) => t.requestId === request.id)).toMatchObject({ action: 'escalate', result: { outcome: 'transferred' } })
    expect(await h.pending(request.id)).toEqual(['wangwu'])
    expect((await h.view(request.id)).route[0]!.notes).toContain('李四 超时未处理，已升级给 王五')
    expect((await h.timers.runDueTimers(h.clock + 30 * HOUR)).timeouts.filter((t) => t.requestId === request.id)).toEqual([])
  })

  it('a timer on a task decided in time never fires', async () => {
    await withSla({ remindAfterHours: 1, timeoutAfterHours: 2, onTimeout: 'reject' })
    const { request } = await h.submit('zhangsan', 'purchase', purchase)
    await h.approve(request.id, 'lisi')
    const fired = await h.timers.runDueTimers(h.clock + 3 * HOUR)
    expect([...fired.reminders, ...fired.timeouts].filter((t) => t.requestId === request.id)).toEqual([])
  })

  it('out-of-office: tasks created within the dates go to the stand-in, who acts for the approver', async () => {
    await h.publish('purchase', flow([approver({ sources: users('lisi') }), approver({ sources: users('lisi', 'qianqi'), mode: 'countersign' })]))
    await expect(h.delegations.set({ actorId: 'zhaoliu', principalId: 'lisi', delegateId: 'wangwu', from: '2026-11-25', to: '2026-11-27' })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(h.delegations.set({ actorId: 'lisi', principalId: 'lisi', delegateId: 'lisi', from: '2026-11-25', to: '2026-11-27' })).rejects.toMatchObject({ code: 'VALIDATION' })
    await h.delegations.set({ actorId: 'lisi', principalId: 'lisi', delegateId: 'wangwu', from: '2026-11-25', to: '2026-11-27', reason: '年假' })

    const during = await h.submit('zhangsan', 'purchase', purchase)
    expect(await h.pending(during.request.id)).toEqual(['wangwu'])
    const view = await h.view(during.request.id)
    expect(view.tasks[0]!.delegatedFrom).toEqual({ id: 'lisi', name: '李四' })
    expect(view.route[0]!.notes).toContain('李四 休假中（至 2026-11-27），由 王五 代理审批')
    await expect(h.approve(during.request.id, 'lisi')).rejects.toMatchObject({ code: 'NOT_APPROVER' })
    await h.approve(during.request.id, 'wangwu')
    // 李四's second step de-duplicates: his stand-in approved for him.
    expect(await h.pending(during.request.id)).toEqual(['qianqi'])

    const saved = h.clock
    h.clock = Date.parse('2026-11-27T16:00:00Z') // 11-28 00:00 in Shanghai: the leave is over
    const after = await h.submit('zhangsan', 'purchase', purchase)
    expect(await h.pending(after.request.id)).toEqual(['lisi'])
    h.clock = saved
  })

  it('a revoked delegation no longer applies', async () => {
    await h.publish('purchase', flow([approver({ sources: users('zhaoliu') })]))
    const set = await h.delegations.set({ actorId: 'admin', principalId: 'zhaoliu', delegateId: 'wujiu', from: '2026-11-20', to: '2026-12-31' })
    expect((await h.delegations.list('zhaoliu')).map((d) => d.delegateId)).toEqual(['wujiu'])
    await h.delegations.revoke(set.id, 'zhaoliu')
    const { request } = await h.submit('zhangsan', 'purchase', purchase)
    expect(await h.pending(request.id)).toEqual(['zhaoliu'])
    expect(await h.chainIsIntact()).toBe(true)
  })
})
