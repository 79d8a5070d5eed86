import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'
import { DECISION_QUESTION_TEXT, HOLD_TEXT } from '../../bot/conversation/handlers/help.js'

describe.each(DB_KINDS)('who may decide, and only once (%s)', (kind) => {
  let t: TestSystem
  let requestNo: string
  beforeEach(async () => {
    t = await TestSystem.start(kind)
    requestNo = await t.submitExpense('zhangsan', '提交本月差旅费 3500元')
  })
  afterEach(async () => {
    await t.close()
  })

  const snapshot = async () => ({
    tasks: await t.database.db.selectFrom('approval_tasks').select(['approver_id', 'status']).orderBy('approver_id').execute(),
    audit: (await t.database.db.selectFrom('audit_log').select('id').execute()).length,
    request: await t.database.db.selectFrom('requests').select(['status', 'current_step']).where('request_no', '=', requestNo).executeTakeFirst(),
  })

  it("a non-approver tapping someone else's card gets 403 and nothing changes", async () => {
    const card = await t.actionableCard('lisi', requestNo)
    const before = await snapshot()
    const refused = await t.tap(card.id, 'approve', 'wangwu')
    expect(refused.status).toBe(403)
    expect(refused.body.ok).toBe(false)
    expect(refused.body.message).toMatch(/不是发给你的/)
    expect(await snapshot()).toEqual(before)
  })

  it('a later approver cannot act before his step is reached', async () => {
    const before = await snapshot()
    const replies = await t.say('sunba', `同意 ${requestNo}`)
    expect(replies[0]?.text).toContain('不在你的待审批列表中')
    expect(await snapshot()).toEqual(before)
  })

  it('the requester cannot approve his own claim', async () => {
    const [own] = await t.cards('zhangsan', requestNo)
    expect(own!.actions).toEqual([])
    const refused = await t.tap(own!.id, 'approve', 'zhangsan')
    expect(refused.status).toBe(403)
    expect((await snapshot()).request?.status).toBe('pending')
  })

  it('20 concurrent approve taps on one card produce exactly one decision and one audit row', async () => {
    const card = await t.actionableCard('lisi', requestNo)
    const auditBefore = (await snapshot()).audit
    const results = await Promise.all(Array.from({ length: 20 }, () => t.tap(card.id, 'approve', 'lisi')))
    expect(results.filter((r) => r.status === 200)).toHaveLength(1)
    expect(results.filter((r) => r.status === 409)).toHaveLength(19)
    const approvals = await t.database.db.selectFrom('audit_log').select('id').where('action', '=', 'task.approved').execute()
    expect(approvals).toHaveLength(1)
    expect((await snapshot()).audit).toBe(auditBefore + 1)
    const decided = await t.database.db.selectFrom('approval_tasks').select('id').where('status', '=', 'approved').execute()
    expect(decided).toHaveLength(1)
    // exactly one next-step card went out
    expect((await t.cards('sunba', requestNo)).filter((c) => c.actions.length > 0)).toHaveLength(1)
  })

  it('「不能同意」 typed by the approver does not approve: it is his refusal, read like 不同意', async () => {
    const replies = await t.say('lisi', '不能同意')
    expect(replies.map((r) => r.text)).toEqual([`已驳回 ${requestNo}`])
    const after = await snapshot()
    expect(after.request?.status).toBe('rejected')
    expect(after.tasks.find((task) => task.approver_id === 'lisi')?.status).toBe('rejected')
    expect(await t.database.db.selectFrom('audit_log').select('id').where('action', '=', 'task.approved').execute()).toEqual([])
  })

  it('a decision held off or asked about (先别同意, 不要通过, don\'t approve, 可以同意吗, 等我看看再同意…) decides nothing, and says so', async () => {
    const before = await snapshot()
    for (const text of ['先别同意', `别同意 ${requestNo}`, '不要通过', "don't approve", '先不要批', '别驳回', '等我看看再同意', '明天再批']) {
      const replies = await t.say('lisi', text)
      expect(replies.map((r) => r.text)).toEqual([HOLD_TEXT])
    }
    // A question is answered with how to decide, not with 「好的，先不处理」.
    for (const text of ['可以同意吗', '同意？', '能不能批', '可不可以同意', '为什么同意了']) {
      const replies = await t.say('lisi', text)
      expect(replies.map((r) => r.text), text).toEqual([DECISION_QUESTION_TEXT])
    }
    expect(DECISION_QUESTION_TEXT).toContain('要同意请回复「同意 单号」或点卡片上的「同意」；要先放一放，不用回复。')
    expect(await snapshot()).toEqual(before)
  })

  it('a decision from a half-understood line is not taken: the bot says what it missed and how to confirm', async () => {
    const before = await snapshot()
    const replies = await t.say('lisi', '同意张三的报销')
    expect(replies[0]?.text).toBe(
      [`我不确定你的意思，所以还没有同意 ${requestNo}。`, '没看懂的部分：「张三的」', `确认请回复「同意 ${requestNo}」，或点下面卡片上的「同意」。`].join('\n'),
    )
    // The card to confirm with: its 同意 is an ordinary, verified tap.
    expect(replies[1]?.card?.requestNo).toBe(requestNo)
    expect(replies[1]?.card?.actions.map((a) => a.id)).toContain('approve')
    expect(await snapshot()).toEqual(before)

    const rejecting = await t.say('lisi', '打回去重新填')
    expect(rejecting[0]?.text).toContain(`所以还没有退回 ${requestNo}`)
    expect(rejecting[0]?.text).toContain('没看懂的部分：「去重新填」')
    // Sending the suggested words, or tapping the named button, returns it where this line meant: to the requester.
    expect(rejecting[0]?.text).toContain(`确认请回复「退回 ${requestNo}」，或点下面卡片上的「退回发起人」。`)
    expect(await snapshot()).toEqual(before)

    // The exact words it asked for act at once.
    expect((await t.say('lisi', `同意 ${requestNo}`))[0]?.text).toBe(`已同意 ${requestNo}`)
    expect((await snapshot()).tasks.find((task) => task.approver_id === 'lisi')?.status).toBe('approved')
  })

  it('approval by text is authorised exactly like a tap', async () => {
    const replies = await t.say('lisi', `同意 ${requestNo}`)
    expect(replies[0]?.text).toBe(`已同意 ${requestNo}`)
    const [card] = await t.cards('lisi', requestNo)
    expect(card!.status).toContain('已同意 by 李四')
  })
})
