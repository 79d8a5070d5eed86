import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Card } from '../../bot/cards/card.js'
import type { SimulatorItem } from '../../bot/platforms/dev/dev-platform.js'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'

/** Wednesday 25 November 2026, 10:00 in Shanghai. */
const NOW = Date.parse('2026-11-25T10:00:00+08:00')

const texts = (items: SimulatorItem[]) => items.flatMap((m) => (m.text ? [m.text] : []))
const cardIn = (items: SimulatorItem[]) => items.find((m) => m.card)?.card
const field = (card: Card | undefined, label: string) => card?.fields.find((f) => f.label === label)?.value
const ids = (card: Card | undefined) => card?.actions.map((a) => a.id)

describe.each(DB_KINDS)('the confirmation card: confirm, edit a field, or cancel (%s)', (kind) => {
  let t: TestSystem
  beforeEach(async () => {
    t = await TestSystem.start(kind, { now: () => NOW })
  })
  afterEach(async () => {
    await t.close()
  })

  it('typed edits change the draft, re-run the policy checks, and 确认 submits the changed claim', async () => {
    const first = cardIn(await t.say('zhangsan', '报销业务招待费800元'))
    expect(ids(first)).toEqual(['confirm', 'edit', 'cancel'])

    const raised = await t.say('zhangsan', '金额改成3600')
    expect(texts(raised)).toEqual(['已修改金额，请核对后确认：'])
    const warned = cardIn(raised)
    expect(field(warned, '金额')).toBe('¥3,600.00')
    expect(warned?.notes.join('\n')).toContain('⚠️ 规则 ENTERTAINMENT_CAP')
    // The card shown first is updated in place too: no stale amount to confirm by mistake.
    const original = (await t.cards('zhangsan')).find((c) => c.id === first!.id)
    expect(field(original, '金额')).toBe('¥3,600.00')

    expect(field(cardIn(await t.say('zhangsan', '日期改为昨天')), '发生日期')).toBe('2026-11-24')
    const recategorised = cardIn(await t.say('zhangsan', '把类别改成交通'))
    expect(field(recategorised, '费用类型')).toBe('交通费')
    expect(recategorised?.notes.join('\n')).not.toContain('ENTERTAINMENT_CAP')

    const submitted = texts(await t.say('zhangsan', '确认'))[0] ?? ''
    expect(submitted).toMatch(/^已提交，单号 BX-\d{6}-\d{4}，等待 李四 审批$/)
    const requestNo = /BX-\d{6}-\d{4}/.exec(submitted)![0]
    const row = await t.database.db.selectFrom('requests').select(['amount_fen', 'payload', 'status']).where('request_no', '=', requestNo).executeTakeFirstOrThrow()
    expect(row.status).toBe('pending')
    expect(Number(row.amount_fen)).toBe(360000)
    expect(JSON.parse(row.payload)).toMatchObject({ category: 'transport', date: '2026-11-24' })
    // Nothing is waiting any more: a later 「取消」 is not taken for this request.
    expect(texts(await t.say('zhangsan', '金额改成1'))[0]).toContain('没有理解')
  })

  it('the 修改 button asks which field, a tap asks for the value, and the answer updates the card', async () => {
    const card = cardIn(await t.say('zhangsan', '报销打车费58元'))
    const tapped = await t.tap(card!.id, 'edit', 'zhangsan')
    expect(tapped.body).toMatchObject({ ok: true, message: '请选择要修改的项目' })
    const choice = (await t.cards('zhangsan')).at(-1)!
    expect(choice.title).toBe('要修改哪一项？')
    expect(choice.actions.map((a) => a.label)).toEqual(['费用类型', '金额', '发生日期', '费用期间', '事由'])

    expect((await t.tap(choice.id, 'say:修改金额', 'zhangsan')).body.ok).toBe(true)
    expect(texts(await t.inbox('zhangsan')).at(-1)).toBe('请问金额改成什么？')
    expect(texts(await t.say('zhangsan', '不知道'))).toEqual(['没有看懂「不知道」。请问金额改成什么？'])
    // Another command meanwhile is that command; the question still waits.
    expect(texts(await t.say('zhangsan', '待我审批'))).toEqual(['你目前没有待审批的申请'])
    const updated = cardIn(await t.say('zhangsan', '一百二'))
    expect(field(updated, '金额')).toBe('¥120.00')

    expect(texts(await t.say('zhangsan', '修改一下事由 去机场接客户'))).toEqual(['已修改事由，请核对后确认：'])
    const latest = (await t.cards('zhangsan')).at(-1)!
    expect(field(latest, '事由')).toBe('去机场接客户')
    const { body } = await t.tap(latest.id, 'confirm', 'zhangsan')
    expect(body.message).toMatch(/^已提交，单号 BX-/)
    // Someone else cannot open the edit choices on this person's card.
    const other = await t.tap(card!.id, 'edit', 'lisi')
    expect(other.body.ok).toBe(false)
  })

  it('asked for one field, a line that changes another changes that one, and the first is no longer awaited', async () => {
    cardIn(await t.say('zhangsan', '报销打车费58元'))
    expect(texts(await t.say('zhangsan', '修改金额'))).toEqual(['请问金额改成什么？'])
    const dated = await t.say('zhangsan', '日期改成昨天')
    expect(texts(dated)).toEqual(['已修改发生日期，请核对后确认：'])
    expect(field(cardIn(dated), '发生日期')).toBe('2026-11-24')
    expect(field(cardIn(dated), '金额')).toBe('¥58.00')

    expect(texts(await t.say('zhangsan', '修改事由'))).toEqual(['请问事由改成什么？'])
    const raised = await t.say('zhangsan', '金额改成60')
    expect(texts(raised)).toEqual(['已修改金额，请核对后确认：'])
    expect(field(cardIn(raised), '金额')).toBe('¥60.00')
    expect(field(cardIn(raised), '事由')).toBeUndefined()
    // Asked for the reason again, 「修改金额」 asks for the amount instead.
    expect(texts(await t.say('zhangsan', '修改事由'))).toEqual(['请问事由改成什么？'])
    expect(texts(await t.say('zhangsan', '修改金额'))).toEqual(['请问金额改成什么？'])
    expect(field(cardIn(await t.say('zhangsan', '改成66')), '金额')).toBe('¥66.00')
    // Words that name no field are the reason asked for, 改成 or not.
    expect(texts(await t.say('zhangsan', '修改事由'))).toEqual(['请问事由改成什么？'])
    expect(field(cardIn(await t.say('zhangsan', '行程改成了去机场接客户')), '事由')).toBe('行程改成了去机场接客户')
  })

  it.each(['不改了', '算了', '算了吧。'])('「%s」 to the question for a new value keeps the card as it is', async (words) => {
    const card = cardIn(await t.say('zhangsan', '报销打车费58元'))
    expect(texts(await t.say('zhangsan', '修改金额'))).toEqual(['请问金额改成什么？'])
    const kept = await t.say('zhangsan', words)
    expect(texts(kept)).toEqual(['好的，不改了，请核对后确认：'])
    expect(field(cardIn(kept), '金额')).toBe('¥58.00')
    expect((await t.cards('zhangsan')).find((c) => c.id === card!.id)?.status).toBe('待确认')
    // Nothing is awaited any more: a number is no amount, and 确认 submits the claim as it was.
    expect(cardIn(await t.say('zhangsan', '66'))).toBeUndefined()
    expect(texts(await t.say('zhangsan', '确认'))[0]).toMatch(/^已提交，单号 BX-/)
  })

  it('a claim blocked by a policy offers 修改, and fixing the amount makes it submittable', async () => {
    const blocked = cardIn(await t.say('zhangsan', '报销差旅费6万'))
    expect(ids(blocked)).toEqual(['edit', 'cancel'])
    expect(blocked?.notes.join('\n')).toContain('⛔ 规则 CLAIM_CAP')
    const fixed = cardIn(await t.say('zhangsan', '改成5000'))
    expect(field(fixed, '金额')).toBe('¥5,000.00')
    expect(ids(fixed)).toEqual(['confirm', 'edit', 'cancel'])
    expect(fixed?.status).toBe('待确认')
  })

  it('取消 while the card waits cancels the draft; a new command while it waits is a new command', async () => {
    const card = cardIn(await t.say('zhangsan', '报销打车费58元'))
    expect(texts(await t.say('zhangsan', '待我审批'))).toEqual(['你目前没有待审批的申请'])
    // The card still works after the detour, by button and by text.
    expect(texts(await t.say('zhangsan', '金额改成66'))).toEqual(['已修改金额，请核对后确认：'])
    expect(texts(await t.say('zhangsan', '取消'))).toEqual(['好的，已取消正在填写的申请'])
    expect((await t.cards('zhangsan')).find((c) => c.id === card!.id)?.status).toBe('已取消')

    // A fresh claim does not inherit the slots of the one shown before it.
    cardIn(await t.say('zhangsan', '报销打车费58元 昨天'))
    const second = cardIn(await t.say('zhangsan', '报销话费 99'))
    expect(field(second, '费用类型')).toBe('通讯费')
    expect(field(second, '发生日期')).toBeUndefined()
  })

  it.each(['取消。', '取消吧', '算了，不用了', '先不提交了', '不要了谢谢', 'Cancel!'])('「%s」 cancels, at the card and while a question waits', async (words) => {
    const card = cardIn(await t.say('wangwu', '报销打车费58元'))
    expect(texts(await t.say('wangwu', words))).toEqual(['好的，已取消正在填写的申请'])
    expect((await t.cards('wangwu')).find((c) => c.id === card!.id)?.status).toBe('已取消')
    expect(texts(await t.say('wangwu', '确认'))).not.toContainEqual(expect.stringMatching(/已提交/))

    expect(texts(await t.say('wangwu', '提交本月差旅费'))).toEqual(['请问金额是多少？'])
    expect(texts(await t.say('wangwu', words))).toEqual(['好的，已取消正在填写的申请'])
    expect(cardIn(await t.say('wangwu', '3500'))).toBeUndefined()
  })

  it('a line that only starts like a cancel is not one', async () => {
    cardIn(await t.say('wangwu', '报销打车费58元'))
    expect(texts(await t.say('wangwu', '不用了，金额改成60'))).not.toContain('好的，已取消正在填写的申请')
    expect(texts(await t.say('wangwu', '取消'))).toEqual(['好的，已取消正在填写的申请'])
  })

  it('purchase, transfer, resignation and project drafts take edits of their own fields', async () => {
    const purchase = cardIn(await t.say('zhangsan', '申请采购10台笔记本电脑，预算8万'))
    expect(ids(purchase)).toEqual(['confirm', 'edit', 'cancel'])
    expect(field(cardIn(await t.say('zhangsan', '数量改成12台')), '数量')).toBe('12')
    expect(field(cardIn(await t.say('zhangsan', '预算改为9万')), '预算')).toBe('¥90,000.00')
    expect(field(cardIn(await t.say('zhangsan', '物品改成「台式电脑」')), '物品')).toBe('台式电脑')
    // A bare number could be the quantity or the budget: asked, not guessed; a unit decides.
    const ambiguous = await t.say('zhangsan', '改成8000')
    expect(ambiguous.map((r) => r.card?.title ?? r.text)).toEqual(['要修改哪一项？'])
    expect(field(cardIn(await t.say('zhangsan', '改成8000元')), '预算')).toBe('¥8,000.00')
    expect(field(cardIn(await t.say('zhangsan', '改成11台')), '数量')).toBe('11')
    expect(texts(await t.say('zhangsan', '城市改成上海'))).toEqual(['这份申请可以修改：物品、数量、预算、事由。例如「物品改成…」'])
    expect(texts(await t.say('zhangsan', '确认'))[0]).toMatch(/^已提交，单号 CG-/)

    cardIn(await t.say('zhangsan', '下月1号调岗到销售部'))
    const [unknown] = texts(await t.say('zhangsan', '部门改成市场部'))
    expect(unknown).toMatch(/^没有找到部门「市场部」。现有部门：.*财务部.*。请问调入部门改成什么？$/)
    expect(field(cardIn(await t.say('zhangsan', '财务部')), '调入部门')).toBe('财务部')
    expect(field(cardIn(await t.say('zhangsan', '生效日期改为12月15日')), '生效日期')).toBe('2026-12-15')

    cardIn(await t.say('wujiu', '我要离职，最后工作日12月31日'))
    expect(field(cardIn(await t.say('wujiu', '日期改成12月20日')), '最后工作日')).toBe('2026-12-20')

    const project = cardIn(await t.say('zhangsan', '发起立项：双十一营销活动，预算5万'))
    expect(ids(project)).toEqual(['confirm-select', 'edit', 'cancel'])
    expect(field(cardIn(await t.say('zhangsan', '项目名称改成年货节营销')), '项目名称')).toBe('年货节营销')
    // The project route lets the initiator choose reviewers: named with the typed confirmation.
    expect(texts(await t.say('zhangsan', '确认'))[0]).toContain('审批人姓名')
    expect(texts(await t.say('zhangsan', '确认 赵六、钱七'))[0]).toMatch(/^已提交，单号 LX-/)
  })
})
