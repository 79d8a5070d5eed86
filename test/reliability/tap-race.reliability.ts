import { afterEach, describe, expect, it } from 'vitest'
import { verifyAuditChain } from '../../workflow/audit-chain.js'
import { cardActionEnvelope } from '../fakes/feishu/feishu-event-pusher.js'
import { APP as FEISHU_APP, OPEN_ID, readCard, type SeenCard } from '../feishu/feishu-harness.js'
import { DB_KINDS } from '../helpers/databases.js'
import { AdminClient } from '../miniapp/admin-client.js'
import { startChatStack, type ChatStack } from './chat-stack.js'

/**
 * A tap race on one approval: 100 attempts at once on 李四's task for 张三's claim. 60 by 李四
 * himself, through every door (40 Feishu card taps, half approve and half reject; 10 from the
 * admin mini-app; 10 typed to the DingTalk robot), and 40 Feishu taps on his card by people who
 * must not decide it (the requester, two colleagues, someone not in the company). Exactly one
 * decision may come out: one task decided, one audit row, one success told to anyone, every
 * wrong person refused, and the flow moved on (or ended) once.
 */
const RIGHT_FEISHU_TAPS = 40
const MINIAPP_DECISIONS = 10
const DINGTALK_LINES = 10
const WRONG_TAPS = 40
const WRONG_PEOPLE = [OPEN_ID.zhangsan, OPEN_ID.wangwu, OPEN_ID.sunba, OPEN_ID.stranger]

type Outcome = { door: string; who: string; success: boolean; refusal?: string }

const shuffle = <T>(items: T[]): T[] => items.map((item) => [Math.random(), item] as const).sort((a, b) => a[0] - b[0]).map(([, item]) => item)

describe.each(DB_KINDS)('tap race on one card (%s)', (kind) => {
  let stack: ChatStack | undefined
  afterEach(async () => {
    await stack?.close()
    stack = undefined
  })

  it(`${RIGHT_FEISHU_TAPS + MINIAPP_DECISIONS + DINGTALK_LINES + WRONG_TAPS} concurrent approve/reject attempts → one decision, wrong people refused, one audit row`, async () => {
    stack = await startChatStack(kind)
    const s = stack
    const { t, pusher } = s.instances[0]!
    const requestNo = await t.submitExpense('zhangsan', '提交本月差旅费 3500元')
    await s.settle()
    const request = await s.database.db.selectFrom('requests').select(['id']).where('request_no', '=', requestNo).executeTakeFirstOrThrow()
    const card: SeenCard = s.feishu
      .messagesTo(OPEN_ID.lisi)
      .filter((m) => m.msg_type === 'interactive')
      .map(readCard)
      .find((c) => c.text.includes(requestNo) && c.buttons.some((b) => b.value.action === 'approve'))!
    expect(card).toBeDefined()
    const auditBefore = await s.database.db.selectFrom('audit_log').select('id').execute()

    const feishuTap = async (openId: string, action: 'approve' | 'reject'): Promise<Outcome> => {
      const button = card.buttons.find((b) => b.value.action === action)!
      const envelope = cardActionEnvelope({
        appId: FEISHU_APP.appId,
        token: FEISHU_APP.verificationToken,
        openId,
        messageId: card.message.message_id,
        cardToken: s.feishu.issueCardToken(card.message.message_id),
        value: button.value,
        ...(button.inForm ? { formValue: { comment: '赛跑' }, buttonName: `${action}_button` } : {}),
      })
      const answer = (await pusher.pushCardAction(envelope)) as { status: number | string; body: { toast?: { type: string; content: string } } }
      expect(answer.status).toBe(200)
      return { door: 'feishu', who: openId, success: answer.body.toast?.type === 'success', refusal: answer.body.toast?.type === 'success' ? undefined : answer.body.toast?.content }
    }
    const lisi = await AdminClient.signIn(t.app, 'lisi')
    const miniapp = async (decision: 'approve' | 'reject'): Promise<Outcome> => {
      const response = await lisi.post(`/api/admin/my/tasks/${request.id}/decision`, { decision, comment: '赛跑' })
      return { door: 'miniapp', who: 'lisi', success: response.status === 200, refusal: response.status === 200 ? undefined : String(response.status) }
    }
    const dingtalkLine = async (decision: 'approve' | 'reject'): Promise<Outcome> => {
      const { status } = await s.dingtalk.say('dt-lisi', decision === 'approve' ? `同意 ${requestNo}` : `驳回 ${requestNo} 理由：赛跑`)
      expect(status).toBe(200)
      // The answer comes later in the chat; counted once everything has settled.
      return { door: 'dingtalk', who: 'lisi', success: false }
    }

    const attempts = shuffle([
      ...Array.from({ length: RIGHT_FEISHU_TAPS }, (_, i) => () => feishuTap(OPEN_ID.lisi, i % 2 ? 'reject' : 'approve')),
      ...Array.from({ length: MINIAPP_DECISIONS }, (_, i) => () => miniapp(i % 2 ? 'reject' : 'approve')),
      ...Array.from({ length: DINGTALK_LINES }, (_, i) => () => dingtalkLine(i % 2 ? 'reject' : 'approve')),
      ...Array.from({ length: WRONG_TAPS }, (_, i) => () => feishuTap(WRONG_PEOPLE[i % WRONG_PEOPLE.length]!, i % 3 ? 'approve' : 'reject')),
    ])
    const outcomes = await Promise.all(attempts.map((attempt) => attempt()))
    await s.settle()

    // One decision on 李四's task, one audit row for it.
    const tasks = await s.database.db.selectFrom('approval_tasks').select(['approver_id', 'status', 'step']).where('request_id', '=', request.id).orderBy('step').execute()
    const lisiTasks = tasks.filter((task) => task.approver_id === 'lisi')
    expect(lisiTasks).toHaveLength(1)
    const decided = lisiTasks[0]!.status
    expect(['approved', 'rejected']).toContain(decided)
    const decisions = await s.database.db.selectFrom('audit_log').select(['actor_id', 'action']).where('entity_id', '=', request.id).where('action', 'in', ['task.approved', 'task.rejected']).execute()
    expect(decisions).toEqual([{ actor_id: 'lisi', action: decided === 'approved' ? 'task.approved' : 'task.rejected' }])

    // The flow moved once: on to the next step with one pending task, or ended rejected.
    const after = await s.database.db.selectFrom('requests').select(['status', 'current_step']).where('id', '=', request.id).executeTakeFirstOrThrow()
    if (decided === 'approved') {
      expect(after).toEqual({ status: 'pending', current_step: 1 })
      expect(tasks.filter((task) => task.status === 'pending')).toHaveLength(1)
    } else {
      expect(after.status).toBe('rejected')
      expect(tasks.filter((task) => task.status === 'pending')).toEqual([])
    }

    // One success told, whichever door won; every wrong person refused with a reason.
    const dingtalkSuccesses = s.dingtalk.texts('dt-lisi').filter((text) => new RegExp(`^已(同意|驳回) ${requestNo}`).test(text)).length
    expect(outcomes.filter((o) => o.success).length + dingtalkSuccesses).toBe(1)
    const wrong = outcomes.filter((o) => o.who !== OPEN_ID.lisi && o.who !== 'lisi')
    expect(wrong).toHaveLength(WRONG_TAPS)
    expect(wrong.filter((o) => o.success || !o.refusal)).toEqual([])

    const auditAfter = await s.database.db.selectFrom('audit_log').select('action').where('id', 'not in', auditBefore.map((a) => a.id)).execute()
    expect(auditAfter.filter((a) => a.action.startsWith('task.'))).toHaveLength(1)
    expect((await verifyAuditChain(s.database.db)).ok).toBe(true)
  })
})
