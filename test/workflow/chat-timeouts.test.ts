import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runApprovalTimers } from '../../bot/conversation/request-effects.js'
import type { FlowDefinition } from '../../workflow/templates/flow-definition.js'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'

const HOUR = 3_600_000

/**
 * SLA timeouts reach chat as a person's action would: the new approver gets a card that says why,
 * every copy of the request's cards is redrawn, the requester hears the outcome. The approval clock
 * runs as the worker loop runs it (runApprovalTimers), with the time moved on.
 */
describe.each(DB_KINDS)('SLA timeouts announced in chat (%s)', (kind) => {
  let t: TestSystem
  beforeAll(async () => {
    t = await TestSystem.start(kind)
    // Purchases time out on their own terms here; expenses keep the default flow (escalate after 72 h).
    const purchase: FlowDefinition = {
      name: '采购审批（超时测试）',
      settings: { dedup: true, initiatorIsApprover: 'auto-pass', resignedApprover: 'supervisor' },
      nodes: [
        { kind: 'approver', id: 'supervisor', name: '直属上级审批', reason: '采购需直属上级确认需求', sources: [{ kind: 'supervisor' }], mode: 'or-sign', sla: { timeoutAfterHours: 8, onTimeout: 'approve' } },
        { kind: 'approver', id: 'finance', name: '财务审批', reason: '采购需财务确认预算', sources: [{ kind: 'role', role: 'finance' }], mode: 'or-sign', sla: { timeoutAfterHours: 48, onTimeout: 'reject' } },
      ],
    }
    await t.system.services.requests.templates.publish('purchase', purchase, 'admin')
    const resign: FlowDefinition = {
      name: '离职审批（超时测试）',
      settings: { dedup: true, initiatorIsApprover: 'auto-pass', resignedApprover: 'supervisor' },
      nodes: [{ kind: 'approver', id: 'supervisor', name: '直属上级审批', reason: '离职需直属上级确认', sources: [{ kind: 'supervisor' }], mode: 'or-sign', sla: { remindAfterHours: 2, timeoutAfterHours: 24, onTimeout: 'approve' } }],
    }
    await t.system.services.requests.templates.publish('hr.resign', resign, 'admin')
  })
  afterAll(async () => {
    await t.close()
  })

  const texts = (userId: string) => t.texts(userId)
  const status = async (requestNo: string) => (await t.request(requestNo)).status
  const pendingApprovers = (requestNo: string) => t.pendingApprovers(requestNo)
  const cardWith = (userId: string, requestNo: string, actionId: string) => t.cardOffering(userId, requestNo, actionId)
  const submittedAt = async (requestNo: string) => Number((await t.request(requestNo)).submitted_at)

  it('escalation: the supervisor above gets an approver card saying why; the late approver\'s card goes quiet; the requester sees it on his card', async () => {
    const requestNo = await t.submitExpense('zhangsan', '提交本月差旅费 800元')
    expect(await pendingApprovers(requestNo)).toEqual(['lisi'])
    const before = await t.cards('wangwu', requestNo)
    expect(before).toEqual([])

    const run = await runApprovalTimers(t.system.services, (await submittedAt(requestNo)) + 73 * HOUR)
    expect(run.timeouts.filter((x) => x.result.request.request_no === requestNo).map((x) => x.action)).toEqual(['escalate'])
    expect(await pendingApprovers(requestNo)).toEqual(['wangwu'])

    const escalated = await cardWith('wangwu', requestNo, 'approve')
    expect(escalated.notes.join('\n')).toContain('李四 超时未处理，已升级给 王五')
    for (const card of await t.cards('lisi', requestNo)) {
      expect(card.actions.map((a) => a.id)).not.toContain('approve')
      expect(card.notes.join('\n')).toContain('李四 超时未处理，已升级给 王五')
    }
    const [own] = await t.cards('zhangsan', requestNo)
    expect(own!.notes.join('\n')).toContain('李四 超时未处理，已升级给 王五')

    // The escalated approver decides by chat like anyone else, and the flow goes on to finance.
    expect((await t.say('wangwu', `同意 ${requestNo}`))[0]?.text).toBe(`已同意 ${requestNo}`)
    expect(await pendingApprovers(requestNo)).toEqual(['sunba'])
    // An escalation happens once: the clock running on changes nothing more.
    await runApprovalTimers(t.system.services, (await submittedAt(requestNo)) + 200 * HOUR)
    expect(await pendingApprovers(requestNo)).toEqual(['sunba'])
  })

  it('auto-approve: the next approver gets his card with the reason; the late approver\'s card goes quiet', async () => {
    const requestNo = await t.submitExpense('zhangsan', '采购2台显示器 预算3000元')
    expect(requestNo).toMatch(/^CG-/)
    expect(await pendingApprovers(requestNo)).toEqual(['lisi'])
    const submitted = await submittedAt(requestNo)

    await runApprovalTimers(t.system.services, submitted + 9 * HOUR)
    expect(await pendingApprovers(requestNo)).toEqual(['sunba'])
    const next = await cardWith('sunba', requestNo, 'approve')
    expect(next.notes.join('\n')).toContain('李四 超时自动同意')
    for (const card of await t.cards('lisi', requestNo)) expect(card.actions.map((a) => a.id)).not.toContain('approve')
    expect(await status(requestNo)).toBe('pending')
  })

  it('auto-approve of the last step: the requester hears the request passed, as after a person\'s approval', async () => {
    const requestNo = await t.submitExpense('zhangsan', '我要离职，最后工作日2026年12月31日')
    expect(await pendingApprovers(requestNo)).toEqual(['lisi'])
    const submitted = await submittedAt(requestNo)
    await runApprovalTimers(t.system.services, submitted + 3 * HOUR)
    expect((await texts('lisi')).some((x) => x.startsWith(`⏰ 审批提醒：张三的`) && x.includes(requestNo))).toBe(true)
    expect(await status(requestNo)).toBe('pending')

    await runApprovalTimers(t.system.services, submitted + 25 * HOUR)
    expect(await status(requestNo)).toBe('approved')
    expect((await texts('zhangsan')).filter((x) => x.includes(requestNo))).toEqual([`你的申请 ${requestNo} 已审批通过，正在入账`])
    for (const holder of ['zhangsan', 'lisi']) {
      for (const card of await t.cards(holder, requestNo)) {
        expect(card.actions.map((a) => a.id)).not.toContain('approve')
        expect(card.notes.join('\n')).toContain('李四 超时自动同意')
      }
    }
  })

  it('auto-reject: the requester is told it was the timeout, not a person, and why', async () => {
    const requestNo = await t.submitExpense('wujiu', '采购1台打印机 预算2000元')
    const submitted = await submittedAt(requestNo)
    await runApprovalTimers(t.system.services, submitted + 9 * HOUR)
    expect(await pendingApprovers(requestNo)).toEqual(['sunba'])
    await runApprovalTimers(t.system.services, submitted + 60 * HOUR)
    expect(await status(requestNo)).toBe('rejected')
    expect(await texts('wujiu')).toContain(`你的申请 ${requestNo} 已被自动驳回：孙八 超时自动驳回`)
    for (const card of await t.cards('sunba', requestNo)) expect(card.actions.map((a) => a.id)).not.toContain('approve')
  })
})
