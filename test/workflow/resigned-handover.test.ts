import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { handOverFromDeactivated } from '../../workflow/actions/resigned-handover.js'
import type { FlowNode } from '../../workflow/templates/flow-definition.js'
import { DB_KINDS } from '../helpers/databases.js'
import { approver, flow, FlowHarness, T0, users } from './flow-harness.js'

const purchase = { item: '服务器', quantity: 1, amountFen: 9000_00 }

/**
 * 离职交接, as Feishu and DingTalk do it: the pending tasks of someone deactivated while a request
 * waits on him move to a successor (his nearest active supervisor, or the admins as one shared seat),
 * never to the requester nor to someone already on the step; a stand-in who leaves gives the task
 * back; the leaver's old card can no longer act.
 */
describe.each(DB_KINDS)('hand-over from approvers who left (%s)', (kind) => {
  let h: FlowHarness
  beforeAll(async () => {
    h = await FlowHarness.open(kind)
    // A second admin, so the admins' seat has more than one person in it.
    await h.db
      .insertInto('users')
      .values({ id: 'admin2', employee_no: 'E0002', name: '运维管理员', department_id: 'd-ceo', manager_id: 'zhouzong', title: 'IT 管理员', level: 3, roles: JSON.stringify(['employee', 'admin']), mobile: null, email: null, active: 0, created_at: T0 })
      .execute()
  })
  afterAll(async () => {
    await h.close()
  })
  afterEach(async () => {
    for (const id of ['lisi', 'wangwu', 'zhangsan', 'admin']) await h.setActive(id, true)
    await h.setActive('admin2', false)
  })

  const handOver = () => handOverFromDeactivated(h.ctx, 'admin')

  it('goes to the leaver’s supervisor, once; the leaver’s old card can no longer act', async () => {
    await h.publish('purchase', flow([approver({ sources: users('lisi') }), approver({ sources: users('zhaoliu') })]))
    const { request } = await h.submit('zhangsan', 'purchase', purchase)
    await h.setActive('lisi', false)

    const [result, ...more] = await handOver()
    expect(more).toEqual([])
    expect(result).toMatchObject({ outcome: 'transferred', openedTasks: [{ approver_id: 'wangwu', step: 0 }] })
    expect(await h.pending(request.id)).toEqual(['wangwu'])
    const view = await h.view(request.id)
    expect(view.route[0]!.notes).toContain('原审批人 李四 已离职，转给 王五')
    expect(view.tasks.find((t) => t.approverId === 'lisi')).toMatchObject({ status: 'transferred', autoReason: '原审批人已离职，系统转交' })

    const before = await h.snapshot()
    await expect(h.approve(request.id, 'lisi')).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('已停用') })
    expect(await h.snapshot()).toEqual(before)
    expect(await handOver()).toEqual([])

    const audit = await h.db.selectFrom('audit_log').select(['actor_id', 'after_state']).where('action', '=', 'task.resigned_handover').where('entity_id', '=', request.id).execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]!.actor_id).toBeNull()
    expect(JSON.parse(audit[0]!.after_state!)).toMatchObject({ from: 'lisi', to: ['wangwu'], deactivatedBy: 'admin', outcome: 'transferred' })

    await h.approve(request.id, 'wangwu')
    expect(await h.pending(request.id)).toEqual(['zhaoliu'])
    expect(await h.chainIsIntact()).toBe(true)
  })

  it('never goes to the requester, nor to someone already on the step: the admins take it', async () => {
    // 张三's supervisor is 李四, who asked for it.
    await h.publish('purchase', flow([approver({ sources: users('zhangsan') })]))
    const own = await h.submit('lisi', 'purchase', purchase)
    // 李四's supervisor 王五 already approves in this 会签.
    await h.publish('purchase', flow([approver({ sources: users('lisi', 'wangwu'), mode: 'countersign' })]))
    const shared = await h.submit('zhaoliu', 'purchase', purchase)
    await h.setActive('zhangsan', false)
    expect(await handOver()).toHaveLength(1)
    expect(await h.pending(own.request.id)).toEqual(['admin'])
    await h.setActive('lisi', false)
    expect(await handOver()).toHaveLength(1)
    expect(await h.pending(shared.request.id)).toEqual(['admin', 'wangwu'])
    await h.approve(shared.request.id, 'wangwu')
    expect(await h.status(shared.request.id)).toBe('pending')
    await h.approve(shared.request.id, 'admin')
    expect(await h.status(shared.request.id)).toBe('approved')
  })

  /**
   * Whenever the approver is found gone (at submit, when his step opens, while his task waits), one
   * rule picks his successor: never the requester, never someone already on the step.
   */
  describe('one rule for the successor, whenever the approver left', () => {
    const moments = ['before submit', 'before his step opens', 'while his task waits'] as const

    /** 钱七 approves a first step, then `step` opens; `leaver` leaves at `moment`. */
    async function leaveAt(moment: (typeof moments)[number], leaver: string, requester: string, step: FlowNode): Promise<string> {
      await h.publish('purchase', flow([approver({ sources: users('qianqi') }), step]))
      if (moment === 'before submit') await h.setActive(leaver, false)
      const { request } = await h.submit(requester, 'purchase', purchase)
      if (moment === 'before his step opens') await h.setActive(leaver, false)
      await h.approve(request.id, 'qianqi')
      if (moment === 'while his task waits') {
        await h.setActive(leaver, false)
        await handOver()
      }
      return request.id
    }

    it.each(moments)('%s: not the requester, whose own request would pass unseen; the admins take it', async (moment) => {
      // 张三 reports to 李四, who asks.
      const id = await leaveAt(moment, 'zhangsan', 'lisi', approver({ sources: users('zhangsan') }))
      expect(await h.pending(id)).toEqual(['admin'])
      expect((await h.view(id)).route[1]!.skippedBecause).toBeUndefined()
      await h.approve(id, 'admin')
      expect(await h.status(id)).toBe('approved')
    })

    it.each(moments)('%s: not someone already on the 会签 step, which would lose a seat; the admins take it', async (moment) => {
      // 李四 reports to 王五, who is on the step too.
      const id = await leaveAt(moment, 'lisi', 'zhaoliu', approver({ sources: users('lisi', 'wangwu'), mode: 'countersign' }))
      expect(await h.pending(id)).toEqual(['admin', 'wangwu'])
      await h.approve(id, 'wangwu')
      expect(await h.status(id)).toBe('pending')
      await h.approve(id, 'admin')
      expect(await h.status(id)).toBe('approved')
    })
  })

  it('several admins share the leaver’s seat as 或签, even on a 会签 step', async () => {
    await h.setActive('admin2', true)
    await h.publish('purchase', flow([approver({ sources: users('lisi', 'zhaoliu'), mode: 'countersign' })], { resignedApprover: 'admin' }))
    const { request } = await h.submit('zhangsan', 'purchase', purchase)
    await h.setActive('lisi', false)

    await handOver()
    expect(await h.pending(request.id)).toEqual(['admin', 'admin2', 'zhaoliu'])
    expect((await h.view(request.id)).route[0]!.notes).toContain('原审批人 李四 已离职，转给 系统管理员、运维管理员（或签，一人处理即可）')
    await h.approve(request.id, 'admin2')
    expect(await h.pending(request.id)).toEqual(['zhaoliu'])
    await h.approve(request.id, 'zhaoliu')
    expect(await h.status(request.id)).toBe('approved')
  })

  it('admins standing in at submit share one seat too; one of them leaving leaves it to the other', async () => {
    await h.setActive('admin2', true)
    // Published while 李四 was still there: a flow naming someone who already left is refused.
    await h.publish('purchase', flow([approver({ sources: users('lisi', 'zhaoliu'), mode: 'countersign' })], { resignedApprover: 'admin' }))
    await h.setActive('lisi', false)
    const { request } = await h.submit('zhangsan', 'purchase', purchase)
    expect(await h.pending(request.id)).toEqual(['admin', 'admin2', 'zhaoliu'])

    await h.setActive('admin', false)
    await handOver()
    expect(await h.pending(request.id)).toEqual(['admin2', 'zhaoliu'])
    expect((await h.view(request.id)).route[0]!.notes).toContain('原审批人 系统管理员 已离职，由同组其他人处理')
    await h.approve(request.id, 'zhaoliu')
    expect(await h.status(request.id)).toBe('pending')
    await h.approve(request.id, 'admin2')
    expect(await h.status(request.id)).toBe('approved')
  })

  it('a stand-in (代理) who leaves gives the task back to the approver himself', async () => {
    await h.delegations.set({ actorId: 'lisi', principalId: 'lisi', delegateId: 'wangwu', from: '2026-11-25', to: '2026-11-27' })
    await h.publish('purchase', flow([approver({ sources: users('lisi') })]))
    const { request } = await h.submit('zhangsan', 'purchase', purchase)
    expect(await h.pending(request.id)).toEqual(['wangwu'])
    await h.setActive('wangwu', false)

    await handOver()
    expect(await h.pending(request.id)).toEqual(['lisi'])
    expect((await h.view(request.id)).route[0]!.notes).toContain('代理人 王五 已离职，交回 李四 本人审批')
    await h.approve(request.id, 'lisi')
    expect(await h.status(request.id)).toBe('approved')
    await h.db.deleteFrom('delegations').execute()
  })

  it('with nobody left to take it, the step stops waiting for the leaver', async () => {
    await h.publish('purchase', flow([approver({ sources: users('lisi', 'zhaoliu'), mode: 'countersign' })], { resignedApprover: 'admin' }))
    const { request } = await h.submit('zhangsan', 'purchase', purchase)
    await h.setActive('admin', false)
    await h.setActive('lisi', false)

    const [result] = await handOver()
    expect(result!.openedTasks).toEqual([])
    expect(await h.pending(request.id)).toEqual(['zhaoliu'])
    expect((await h.view(request.id)).tasks.find((t) => t.approverId === 'lisi')!.status).toBe('cancelled')
    await h.approve(request.id, 'zhaoliu')
    expect(await h.status(request.id)).toBe('approved')
  })
})
