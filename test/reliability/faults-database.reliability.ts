import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectDatabase } from '../../db/connect.js'
import { migrateToLatest } from '../../db/migrate.js'
import { WebhookAdapter } from '../../erp-bridge/adapters/webhook/webhook-adapter.js'
import { fixedTarget } from '../../erp-bridge/erp-target.js'
import { OutboxWorker } from '../../erp-bridge/outbox-worker.js'
import { verifyAuditChain } from '../../workflow/audit-chain.js'
import { approveExpenseClaims } from '../erp/approvals.js'
import { startWebhookErp, type WebhookErp } from '../fakes/erp-proxy/webhook-erp.js'
import { messageEnvelope } from '../fakes/feishu/feishu-event-pusher.js'
import { APP as FEISHU_APP, OPEN_ID } from '../feishu/feishu-harness.js'
import { AdminClient } from '../miniapp/admin-client.js'
import { startChatStack, type ChatStack } from './chat-stack.js'
import { startDisposableMariadb, type DisposableMariadb } from './disposable-mariadb.js'

/**
 * MariaDB restarted under load: a server of the test's own (never the shared one on :3306) is
 * shut down and started again while chat lines arrive over Feishu and DingTalk, approvers decide in the
 * mini-app and the outbox drains into the ERP. Feishu re-pushes what was not acknowledged; an
 * approver whose tap failed taps again; the outbox reclaims what it held. Afterwards: every line
 * answered exactly once, every decision taken exactly once, every claim posted exactly once,
 * the audit chain intact.
 */
const RESTARTS = 2
const POSTINGS = 120
const DECISIONS = 12
const SECRET = 'restart-test-signing-secret'
const PEOPLE = [OPEN_ID.zhangsan, OPEN_ID.lisi, OPEN_ID.wangwu, OPEN_ID.sunba]
const DINGTALK_PEOPLE = ['dt-zhangsan', 'dt-lisi', 'dt-wangwu', 'dt-sunba']
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('MariaDB restarted under load', () => {
  let server: DisposableMariadb
  let stack: ChatStack
  let erp: WebhookErp
  let worker: OutboxWorker

  beforeAll(async () => {
    server = await startDisposableMariadb()
    const database = connectDatabase(await server.createDatabase('restart'))
    await migrateToLatest(database.db)
    stack = await startChatStack('mysql', { database, redeliveryScheduleMs: [200, 400, 800, 1600, 3200, 6400] })
    erp = await startWebhookErp({ secret: SECRET, dedupe: false, latencyMs: 40 })
    const adapter = new WebhookAdapter({ url: erp.url, secret: SECRET, timeoutMs: 1000, employeeNoIsErpCode: true, requiredMappings: { 'expense.voucher': ['employee', 'department'] } })
    worker = new OutboxWorker({
      db: database.db,
      dialect: 'mysql',
      erp: fixedTarget(adapter, adapter.mappingPolicy, { reconcileAfterMs: 500 }),
      listener: { posted: async () => {}, failed: async () => {} },
      batchSize: 10,
      concurrency: 4,
      pollMs: 50,
      leaseMs: 1500,
      baseBackoffMs: 50,
      maxBackoffMs: 500,
      maxAttempts: 1000,
    })
  }, 120_000)
  afterAll(async () => {
    await worker?.stop()
    await stack?.close()
    await erp?.close()
    await server?.destroy()
  })

  it('a line acknowledged just before the database goes down is answered once it is back', async () => {
    const { pusher } = stack.instances[0]!
    // 张三 writes for the first time: the bot looks him up in Feishu's directory (slow today),
    // and by the time the answer comes back to be linked, the database is down.
    stack.feishu.slowDown({ method: 'GET', path: /^\/open-apis\/contact\/v3\/users\// }, 1_500)
    const line = messageEnvelope({ appId: FEISHU_APP.appId, token: FEISHU_APP.verificationToken, openId: OPEN_ID.zhangsan, text: '查询 BX-209912-0001' })
    expect((await pusher.pushEvent(line)).status).toBe(200)
    await sleep(300)
    await server.stop()
    await sleep(1_700)
    await server.start()
    await stack.settle()
    const answers = stack.feishu.messagesTo(OPEN_ID.zhangsan).map((m) => m.content)
    expect(answers.filter((text) => text.includes('BX-209912-0001'))).toHaveLength(1)
    expect(answers.filter((text) => /稍后再试|try again/.test(text))).toEqual([])
  })

  it(`${RESTARTS} restarts while lines, decisions and postings are in flight: nothing lost, nothing twice`, async () => {
    const { t, pusher } = stack.instances[0]!
    const db = stack.database.db
    // Before the load: claims approved and waiting to be posted, and claims waiting for 李四.
    const toPost = await approveExpenseClaims(t.system, POSTINGS, { parallel: 4 })
    const toDecide: string[] = []
    for (let i = 0; i < DECISIONS; i++) toDecide.push(await t.submitExpense('zhangsan', `提交本月差旅费 ${300 + i}元`))
    const requestIds = new Map((await db.selectFrom('requests').select(['id', 'request_no']).where('request_no', 'in', toDecide).execute()).map((r) => [r.request_no!, r.id]))

    let loadRunning = true
    const lines: string[] = []
    const eventOf = new Map<string, string>()
    const statuses: Record<string, number> = {}
    const count = (status: number | string) => (statuses[String(status)] = (statuses[String(status)] ?? 0) + 1)
    const feishuLines = (async () => {
      for (let i = 0; loadRunning; i++) {
        const requestNo = `BX-209901-${String(i).padStart(4, '0')}`
        lines.push(requestNo)
        const envelope = messageEnvelope({ appId: FEISHU_APP.appId, token: FEISHU_APP.verificationToken, openId: PEOPLE[i % PEOPLE.length]!, text: `查询 ${requestNo}` })
        eventOf.set(requestNo, envelope.header.event_id)
        count((await pusher.pushEvent(envelope)).status)
        await sleep(15)
      }
    })()
    const dingtalkLines = (async () => {
      for (let i = 0; loadRunning; i++) {
        const requestNo = `BX-209902-${String(i).padStart(4, '0')}`
        lines.push(requestNo)
        // DingTalk's HTTP robot does not redeliver: the person sends the line again until it is taken.
        const message = stack.dingtalk.robotMessage(DINGTALK_PEOPLE[i % DINGTALK_PEOPLE.length]!, `查询 ${requestNo}`)
        for (;;) {
          const status = await stack.dingtalk.postRobotCallback(message).then((r) => r.status, () => 0)
          count(status)
          if (status === 200) break
          await sleep(100)
        }
        await sleep(40)
      }
    })()
    const chat = Promise.all([feishuLines, dingtalkLines])
    // 李四 decides each claim in the mini-app, tapping again (a fresh page, a fresh session) until he sees an answer.
    let taps = 0
    const decide = (async () => {
      for (const requestNo of toDecide) {
        for (;;) {
          taps++
          const answer = await AdminClient.signIn(t.app, 'lisi')
            .then((lisi) => lisi.post(`/api/admin/my/tasks/${requestIds.get(requestNo)}/decision`, { decision: 'approve' }))
            .then((r) => r.status)
            .catch(() => 0)
          if (answer === 200 || answer === 409 || answer === 403) break
          await sleep(100)
        }
        await sleep(200)
      }
    })()
    worker.start()

    for (let i = 0; i < RESTARTS; i++) {
      await sleep(1_200)
      await server.restart({ downMs: 800 })
    }
    await decide
    await sleep(1_000)
    loadRunning = false
    await chat
    await stack.settle()
    const deadline = Date.now() + 60_000
    while ((await db.selectFrom('outbox').select('id').where('status', '=', 'posted').execute()).length < POSTINGS && Date.now() < deadline) await sleep(200)

    // Every line: acknowledged in the end (Feishu re-pushed what failed) and answered exactly once.
    const answers = new Map<string, number>()
    const texts = [...PEOPLE.flatMap((openId) => stack.feishu.messagesTo(openId).map((m) => m.content)), ...DINGTALK_PEOPLE.flatMap((id) => stack.dingtalk.texts(id))]
    for (const text of texts) for (const no of text.match(/BX-20990[12]-\d{4}/g) ?? []) answers.set(no, (answers.get(no) ?? 0) + 1)
    // Each line not answered once, with how Feishu delivered it and what the app logged about trouble.
    const unanswered = lines.filter((no) => answers.get(no) !== 1)
    const history = (no: string) => pusher.deliveries.filter((d) => d.eventId === eventOf.get(no)).map((d) => `${d.attempt}:${d.status}`)
    const troubles = stack.logs.filter((l) => /fail|lost|closed|ECONN|refused/i.test(l)).map((l) => l.split('\n')[0]!.slice(0, 200))
    expect(unanswered.map((no) => ({ no, answers: answers.get(no) ?? 0, deliveries: history(no) })), troubles.join('\n')).toEqual([])
    expect(pusher.deliveries.filter((d) => d.attempt > 1).length).toBeGreaterThan(0)

    // Every decision taken once: one approval by 李四 per claim, each claim one step further.
    const approvals = await db.selectFrom('audit_log').select('entity_id').where('action', '=', 'task.approved').where('actor_id', '=', 'lisi').where('entity_id', 'in', [...requestIds.values()]).execute()
    expect(approvals.map((a) => a.entity_id).sort()).toEqual([...requestIds.values()].sort())
    const steps = await db.selectFrom('requests').select(['status', 'current_step']).where('request_no', 'in', toDecide).execute()
    expect(steps.every((s) => s.status === 'pending' && Number(s.current_step) === 1)).toBe(true)

    // Every claim posted once.
    expect(erp.duplicates()).toEqual([])
    expect(erp.documents.map((d) => d.idempotencyKey).sort()).toEqual([...toPost].sort())
    expect((await verifyAuditChain(db)).ok).toBe(true)
    console.log(`MariaDB restarts: ${RESTARTS}; chat lines ${lines.length} (answers ${JSON.stringify(statuses)}, re-pushes ${pusher.deliveries.filter((d) => d.attempt > 1).length}); decision taps ${taps} for ${DECISIONS}; postings ${erp.documents.length}/${POSTINGS}`)
  })
})
