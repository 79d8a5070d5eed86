import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'

/**
 * 同意并后加签 and 退回 to an earlier step, reached the way an approver reaches them: the desk card's
 * buttons (add-after, return:N) and typed lines (「退回 BX-… 第N步」「退回 BX-… 上一步」).
 */
describe.each(DB_KINDS)('后加签 and 退回 to an earlier step from chat (%s)', (kind) => {
  let t: TestSystem
  beforeAll(async () => {
    t = await TestSystem.start(kind)
  })
  afterAll(async () => {
    await t.close()
  })

  const texts = (userId: string) => t.texts(userId)
  const row = (requestNo: string) => t.request(requestNo)
  const pendingApprovers = (requestNo: string) => t.pendingApprovers(requestNo)
  const cardWith = (userId: string, requestNo: string, actionId: string) => t.cardOffering(userId, requestNo, actionId)
  const deskCard = async (userId: string, requestNo: string) => {
    await t.say(userId, '待我审批')
    return cardWith(userId, requestNo, 'transfer')
  }
  const approve = async (userId: string, requestNo: string) => {
    expect((await t.tap((await cardWith(userId, requestNo, 'approve')).id, 'approve', userId)).body.ok).toBe(true)
  }

  it('同意并后加签: the approver approves now, the added person decides next, then the flow goes on', async () => {
    const requestNo = await t.submitExpense('zhangsan', '提交本月差旅费 1200元')
    const desk = await deskCard('lisi', requestNo)
    expect(desk.actions.find((a) => a.id === 'add-after')?.label).toBe('同意并后加签')

    const nameless = await t.tap(desk.id, 'add-after', 'lisi', '请再看看')
    expect(nameless).toMatchObject({ status: 400, body: { message: expect.stringContaining('请在意见框中写明加签人的姓名') } })
    expect(await pendingApprovers(requestNo)).toEqual(['lisi'])

    const done = await t.tap(desk.id, 'add-after', 'lisi', '王五 预算请总监把关')
    expect(done.body).toMatchObject({ ok: true, message: '已同意并后加签 王五' })
    expect(await pendingApprovers(requestNo)).toEqual(['wangwu'])
    expect((await row(requestNo)).current_step).toBe(1)

    // The added person gets an approver card that says who added him and why; 李四's card goes quiet.
    const added = await cardWith('wangwu', requestNo, 'approve')
    expect(added.notes.join('\n')).toContain('第2步 加签：王五')
    expect(added.notes.join('\n')).toContain('李四 后加签：预算请总监把关')
    for (const card of await t.cards('lisi', requestNo)) expect(card.actions.map((a) => a.id)).not.toContain('approve')
    expect((await t.cards('zhangsan', requestNo))[0]!.notes.join('\n')).toContain('李四 已同意')

    // Finance is not asked before the added signer decided.
    expect(await t.cards('sunba', requestNo)).toEqual([])
    await approve('wangwu', requestNo)
    expect(await pendingApprovers(requestNo)).toEqual(['sunba'])
    await approve('sunba', requestNo)
    expect((await row(requestNo)).status).toBe('approved')
    expect(await texts('zhangsan')).toContain(`你的申请 ${requestNo} 已审批通过，正在入账`)
  })

  it('退回至第N步 from the desk card: that step decides again, and so does every step after it', async () => {
    const requestNo = await t.submitExpense('zhangsan', '提交本月差旅费 6000元')
    await approve('lisi', requestNo)
    await approve('wangwu', requestNo)
    const desk = await deskCard('sunba', requestNo)
    expect(desk.actions.filter((a) => a.id.startsWith('return')).map((a) => [a.id, a.label])).toEqual([
      ['return', '退回发起人'],
      ['return:0', '退回至第1步'],
      ['return:1', '退回至第2步'],
    ])

    const back = await t.tap(desk.id, 'return:0', 'sunba', '请核对行程')
    expect(back.body).toMatchObject({ ok: true, message: `已退回至第1步 ${requestNo}` })
    expect(await row(requestNo)).toMatchObject({ status: 'pending', current_step: 0 })
    expect(await pendingApprovers(requestNo)).toEqual(['lisi'])
    const again = await cardWith('lisi', requestNo, 'approve')
    expect(again.notes.join('\n')).toContain('孙八 从第3步退回至此：请核对行程')
    for (const card of await t.cards('sunba', requestNo)) expect(card.actions.map((a) => a.id)).not.toContain('approve')

    // Nothing auto-passes from before the return: 王五 decides again after 李四.
    await approve('lisi', requestNo)
    expect(await pendingApprovers(requestNo)).toEqual(['wangwu'])
    await approve('wangwu', requestNo)
    expect(await pendingApprovers(requestNo)).toEqual(['sunba'])

    // A tap on a step that is not earlier is refused and nothing changes.
    const later = await deskCard('sunba', requestNo)
    const refused = await t.tap(later.id, 'return:2', 'sunba', '退回本步')
    expect(refused).toMatchObject({ status: 400, body: { ok: false, message: expect.stringContaining('只能退回到之前有审批人的节点，或退回发起人') } })
    expect(await pendingApprovers(requestNo)).toEqual(['sunba'])
  })

  it('「退回 BX-… 第N步」 by text returns to that step; the approver there gets a fresh card', async () => {
    const requestNo = await t.submitExpense('zhangsan', '提交本月差旅费 7000元')
    await approve('lisi', requestNo)
    await approve('wangwu', requestNo)
    expect((await t.say('sunba', `退回 ${requestNo} 第2步 理由：超标部分请总监说明`))[0]?.text).toBe(`已退回至第2步 ${requestNo}`)
    expect(await row(requestNo)).toMatchObject({ status: 'pending', current_step: 1 })
    expect(await pendingApprovers(requestNo)).toEqual(['wangwu'])
    expect((await cardWith('wangwu', requestNo, 'approve')).notes.join('\n')).toContain('孙八 从第3步退回至此：超标部分请总监说明')
    // A step that is not before the current one is refused in words.
    expect((await t.say('wangwu', `退回 ${requestNo} 第2步`))[0]?.text).toBe('只能退回到之前有审批人的节点，或退回发起人')
    expect((await t.say('wangwu', `退回 ${requestNo} 上一步 理由：请李四补充说明`))[0]?.text).toBe(`已退回至第1步 ${requestNo}`)
    expect(await pendingApprovers(requestNo)).toEqual(['lisi'])
  })

  it('「上一步」 skips a step nobody had to decide (the requester approving himself) and returns to the one before', async () => {
    // 王五 is 研发部's head: his own claim above 5,000 skips the department-head step (审批人即发起人).
    const requestNo = await t.submitExpense('wangwu', '提交本月差旅费 6000元')
    await approve('zhouzong', requestNo)
    expect(await row(requestNo)).toMatchObject({ status: 'pending', current_step: 2 })
    const desk = await deskCard('sunba', requestNo)
    // The skipped step is not offered as a target on the card either.
    expect(desk.actions.filter((a) => a.id.startsWith('return:')).map((a) => a.id)).toEqual(['return:0'])

    expect((await t.say('sunba', `退回 ${requestNo} 第2步`))[0]?.text).toBe('只能退回到之前有审批人的节点，或退回发起人')
    expect(await pendingApprovers(requestNo)).toEqual(['sunba'])

    expect((await t.say('sunba', `退回 ${requestNo} 上一步 理由：请周总确认出差事由`))[0]?.text).toBe(`已退回至第1步 ${requestNo}`)
    expect(await row(requestNo)).toMatchObject({ status: 'pending', current_step: 0 })
    expect(await pendingApprovers(requestNo)).toEqual(['zhouzong'])
    expect((await cardWith('zhouzong', requestNo, 'approve')).notes.join('\n')).toContain('孙八 从第3步退回至此：请周总确认出差事由')
  })

  it('「上一步」 on the first step has nothing to go back to: refused in words, nothing changes', async () => {
    const requestNo = await t.submitExpense('zhangsan', '提交本月交通费 80元')
    expect((await t.say('lisi', `退回 ${requestNo} 上一步`))[0]?.text).toBe('只能退回到之前有审批人的节点，或退回发起人')
    expect(await row(requestNo)).toMatchObject({ status: 'pending', current_step: 0 })
    expect(await pendingApprovers(requestNo)).toEqual(['lisi'])
  })
})
