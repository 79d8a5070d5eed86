import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Card } from '../../bot/cards/card.js'
import { runApprovalTimers } from '../../bot/conversation/request-effects.js'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'
import { approver, flow, users } from './flow-harness.js'

/**
 * Every engine action reached the way a person reaches it: typing in the simulator and tapping
 * cards. One system per database; each test works on its own requests.
 */
describe.each(DB_KINDS)('the approval engine from chat (%s)', (kind) => {
  let t: TestSystem
  beforeAll(async () => {
    t = await TestSystem.start(kind)
  })
  afterAll(async () => {
    await t.close()
  })

  const texts = (userId: string) => t.texts(userId)
  const ids = (card: Card | undefined) => card?.actions.map((a) => a.id) ?? []
  const requestId = async (requestNo: string) => (await t.request(requestNo)).id
  const status = async (requestNo: string) => (await t.request(requestNo)).status
  const cardWith = (userId: string, requestNo: string, actionId: string) => t.cardOffering(userId, requestNo, actionId)
  const deskCard = async (userId: string, requestNo: string) => {
    await t.say(userId, '待我审批')
    return cardWith(userId, requestNo, 'transfer')
  }

  it('「待我审批」 shows every action; 转交 names the person in the comment', async () => {
    const requestNo = await t.submitExpense('zhangsan', '提交本月差旅费 1200元')
    const desk = await deskCard('lisi', requestNo)
    expect(desk.actions.map((a) => a.label)).toEqual(['同意', '驳回', '退回发起人', '转交', '前加签', '同意并后加签', '评论'])
    const missing = await t.tap(desk.id, 'transfer', 'lisi')
    expect(missing).toMatchObject({ status: 400, body: { message: expect.stringContaining('请在意见框中写明转交对象的姓名') } })
    const done = await t.tap(desk.id, 'transfer', 'lisi', '赵六 我在出差')
    expect(done.body).toMatchObject({ ok: true, message: '已转交给 赵六' })
    expect(ids(await cardWith('zhaoliu', requestNo, 'approve'))).toEqual(['approve', 'reject'])
    const [own] = await t.cards('zhangsan', requestNo)
    expect(own!.notes.join('\n')).toContain('李四 转交给 赵六：我在出差')
    expect((await t.tap((await cardWith('zhaoliu', requestNo, 'approve')).id, 'approve', 'zhaoliu')).body.ok).toBe(true)
    expect(await t.cards('sunba', requestNo)).toHaveLength(1)
  })

  it('前加签 from the desk card: the added person first, then back to the approver', async () => {
    const requestNo = await t.submitExpense('wujiu', '提交本月交通费 300元')
    await t.say('zhaoliu', '待我审批')
    const desk = await cardWith('zhaoliu', requestNo, 'add-before')
    expect((await t.tap(desk.id, 'add-before', 'zhaoliu', '请钱七先看预算')).body.message).toBe('已前加签 钱七，待其审批后回到你')
    await t.tap((await cardWith('qianqi', requestNo, 'approve')).id, 'approve', 'qianqi')
    const back = await cardWith('zhaoliu', requestNo, 'approve')
    expect(back.notes.join('\n')).toMatch(/第1步 加签：钱七：钱七 已同意（赵六 前加签：先看预算）/)
    await t.tap(back.id, 'reject', 'zhaoliu', '不报了')
    expect(await status(requestNo)).toBe('rejected')
  })

  it('退回 by text, then 重新提交 with a changed amount from the requester card', async () => {
    const requestNo = await t.submitExpense('zhangsan', '提交本月差旅费 3000元')
    expect((await t.say('lisi', `退回 ${requestNo} 理由：请补充行程单`))[0]?.text).toBe(`已退回发起人 ${requestNo}`)
    expect(await texts('zhangsan')).toContain(`你的申请 ${requestNo} 被 李四 退回。理由：请补充行程单。请在卡片上修改后点「重新提交」，或「撤回」`)
    const own = await cardWith('zhangsan', requestNo, 'resubmit')
    expect(own.status).toBe('已退回 by 李四 · 待修改后重新提交')
    expect(ids(own)).toEqual(['resubmit', 'withdraw'])
    const again = await t.tap(own.id, 'resubmit', 'zhangsan', '金额改为8000元')
    expect(again.body.message).toBe(`已重新提交 ${requestNo}`)
    const fresh = await cardWith('lisi', requestNo, 'approve')
    expect(fresh.fields).toContainEqual({ label: '金额', value: '¥8,000.00' })
    await t.tap(fresh.id, 'approve', 'lisi')
    expect((await cardWith('wangwu', requestNo, 'approve')).notes.join('\n')).toContain('金额 8,000.00 > 5,000.00，增加部门负责人审批')
    await t.say('zhangsan', `撤回 ${requestNo}`)
  })

  it.each([
    ['金额改成1,200', '¥1,200.00', '请补充行程单'],
    ['金额改为1万2，事由：补开发票', '¥12,000.00', '补开发票'],
    ['金额改为3.5k', '¥3,500.00', '请补充行程单'],
    ['金额改成三千五', '¥3,500.00', '请补充行程单'],
    ['改成 ¥980.50', '¥980.50', '请补充行程单'],
  ])('重新提交 with 「%s」 changes the amount to %s', async (comment, amount, reason) => {
    const requestNo = await t.submitExpense('zhangsan', '提交本月差旅费 800元 事由：请补充行程单')
    await t.say('lisi', `退回 ${requestNo} 理由：行程单呢`)
    const again = await t.tap((await cardWith('zhangsan', requestNo, 'resubmit')).id, 'resubmit', 'zhangsan', comment)
    expect(again.body.message).toBe(`已重新提交 ${requestNo}`)
    const fresh = await cardWith('lisi', requestNo, 'approve')
    expect(fresh.fields).toContainEqual({ label: '金额', value: amount })
    expect(fresh.fields).toContainEqual({ label: '事由', value: reason })
    await t.say('zhangsan', `撤回 ${requestNo}`)
  })

  it('撤回 by text while nobody has decided; the approver is told and his card goes quiet', async () => {
    const requestNo = await t.submitExpense('zhangsan', '提交本月餐费 200元')
    expect((await t.say('zhangsan', `撤回 ${requestNo}`))[0]?.text).toBe(`已撤回 ${requestNo}`)
    expect(await texts('lisi')).toContain(`张三 撤回了申请 ${requestNo}，无需再审批`)
    for (const card of await t.cards('lisi', requestNo)) {
      expect(card.status).toBe('已撤回')
      expect(card.actions).toEqual([])
    }
    expect((await t.say('zhangsan', `撤回 ${requestNo}`))[0]?.text).toBe('该申请已结束，不能撤回')
  })

  it('a bare 「撤回」 lists open requests with 撤回 / 催办 / 评论; 催办 is rate-limited', async () => {
    const requestNo = await t.submitExpense('wujiu', '提交本月通讯费 100元')
    await t.say('wujiu', '撤回')
    const desk = await cardWith('wujiu', requestNo, 'urge')
    expect(ids(desk)).toEqual(['urge', 'withdraw', 'comment'])
    expect((await t.tap(desk.id, 'urge', 'wujiu')).body.message).toBe('已催办 赵六')
    expect((await texts('zhaoliu')).some((x) => x.startsWith(`⏰ 吴九 催办：请尽快审批 ${requestNo}`))).toBe(true)
    const again = await t.tap(desk.id, 'urge', 'wujiu')
    expect(again).toMatchObject({ status: 409, body: { message: expect.stringContaining('催办过于频繁') } })
    expect((await t.tap(desk.id, 'comment', 'wujiu', '客户那边在等'))).toMatchObject({ status: 200, body: { message: '已评论' } })
    expect(await texts('zhaoliu')).toContain(`💬 吴九 评论了 ${requestNo}：客户那边在等`)
    expect((await t.tap(desk.id, 'withdraw', 'wujiu', '重复提交了')).body.message).toBe(`已撤回 ${requestNo}`)
  })

  it('「全部同意」 approves everything waiting for the person, one by one', async () => {
    const first = await t.submitExpense('zhangsan', '提交本月交通费 50元')
    const second = await t.submitExpense('zhangsan', '提交本月交通费 60元')
    const reply = (await t.say('lisi', '全部同意'))[0]?.text ?? ''
    expect(reply).toMatch(/^已批量同意 \d+ 个：/)
    expect(reply).toContain(first)
    expect(reply).toContain(second)
    expect(await cardWith('sunba', first, 'approve')).toBeDefined()
    expect(await cardWith('sunba', second, 'approve')).toBeDefined()
  })

  it('policy warnings reach the approver card; a blocking finding leaves 修改 and 取消 with the fix', async () => {
    const requestNo = await t.submitExpense('zhangsan', '报销业务招待费3600元')
    const card = await cardWith('lisi', requestNo, 'approve')
    expect(card.notes.join('\n')).toContain('⚠️ 规则 ENTERTAINMENT_CAP：业务招待费单笔不超过 ¥3,000.00，本次 ¥3,600.00')
    await t.tap(card.id, 'reject', 'lisi')

    await t.submitExpense('wujiu', '报销通讯费250元')
    const replies = await t.say('wujiu', '报销通讯费200元')
    const draft = replies.find((m) => m.card)?.card
    expect(ids(draft)).toEqual(['edit', 'cancel'])
    expect(draft?.status).toBe('未通过规则检查')
    expect(draft?.notes.join('\n')).toMatch(/⛔ 规则 COMMUNICATION_MONTHLY：.*超过每月上限 ¥300.00。建议：本月最多还可报 ¥50.00/)
    expect((await t.tap(draft!.id, 'confirm', 'wujiu')).body.message).toContain('【COMMUNICATION_MONTHLY】')
  })

  it('other request types: a purchase ends with a CC card; a project asks the requester to choose reviewers', async () => {
    const { services } = t.system
    const purchase = await services.requests.createDraft('purchase', 'zhangsan', { item: '显示器', quantity: 2, amountFen: 3000_00 })
    await services.cards.deliver(purchase.id, 'zhangsan', 'requester')
    const confirm = (await t.cards('zhangsan')).reverse().find((c) => c.actions.some((a) => a.id === 'confirm'))!
    expect(confirm.notes.join('\n')).toContain('第1步 直属上级审批：李四（采购需直属上级确认需求）')
    const requestNo = /CG-\d{6}-\d{4}/.exec((await t.tap(confirm.id, 'confirm', 'zhangsan')).body.message)![0]
    await t.tap((await cardWith('lisi', requestNo, 'approve')).id, 'approve', 'lisi')
    await t.tap((await cardWith('sunba', requestNo, 'approve')).id, 'approve', 'sunba')
    const cc = (await t.cards('admin', requestNo))[0]
    expect(cc?.title).toBe('张三的采购申请（抄送）')
    expect(cc?.status).toBe('已同意 by 孙八 · 审批通过，入账中')
    expect(ids(cc)).toEqual(['comment'])

    const project = await services.requests.createDraft('project', 'zhangsan', { title: '新官网', budgetFen: 50_000_00 })
    await services.cards.deliver(project.id, 'zhangsan', 'requester')
    const ask = (await t.cards('zhangsan')).reverse().find((c) => c.actions.some((a) => a.id === 'confirm-select'))!
    expect(ids(ask)).toEqual(['confirm-select', 'edit', 'cancel'])
    expect(ask.notes.join('\n')).toContain('第2步 立项评审：请在备注中填写审批人姓名后确认提交')
    expect((await t.tap(ask.id, 'confirm-select', 'zhangsan')).body.message).toContain('请在意见框中写明「立项评审」的审批人姓名')
    const submitted = await t.tap(ask.id, 'confirm-select', 'zhangsan', '赵六、钱七')
    const projectNo = /LX-\d{6}-\d{4}/.exec(submitted.body.message)![0]
    await t.tap((await cardWith('lisi', projectNo, 'approve')).id, 'approve', 'lisi')
    expect(await cardWith('zhaoliu', projectNo, 'approve')).toBeDefined()
    expect(await cardWith('qianqi', projectNo, 'approve')).toBeDefined()
  })

  it('the timer pass reminds a waiting approver in chat', async () => {
    const requestNo = await t.submitExpense('zhangsan', '提交本月办公费 99元')
    const run = await runApprovalTimers(t.system.services, Date.now() + 25 * 3_600_000)
    expect(run.reminders.map((r) => r.requestId)).toContain(await requestId(requestNo))
    expect((await texts('lisi')).some((x) => x.startsWith(`⏰ 审批提醒：张三的费用报销 ${requestNo} 已等待你 25 小时`))).toBe(true)
  })

  it('an 或签 step that 去重 passes as it opens sends its other member no card', async () => {
    await t.system.services.requests.templates.publish('expense', flow([approver({ sources: users('lisi') }), approver({ sources: users('lisi', 'zhaoliu'), mode: 'or-sign' }), approver({ sources: users('qianqi') })]), 'admin')
    const requestNo = await t.submitExpense('zhangsan', '提交本月交通费 120元')
    await t.tap((await cardWith('lisi', requestNo, 'approve')).id, 'approve', 'lisi')
    expect(await t.cards('zhaoliu', requestNo)).toEqual([])
    expect(ids(await cardWith('qianqi', requestNo, 'approve'))).toEqual(['approve', 'reject'])
    expect(await t.pendingApprovers(requestNo)).toEqual(['qianqi'])
  })
})
