import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectDatabase, type DbHandle } from '../../db/connect.js'
import { ErpConnectionStore } from '../../erp-bridge/connections/erp-connection-store.js'
import { SecretBox } from '../../erp-bridge/connections/secret-box.js'
import { MappingStore } from '../../erp-bridge/mapping/mapping-store.js'
import { deriveKey } from '../../server/secret-key.js'
import { verifyAuditChain } from '../../workflow/audit-chain.js'
import { startWebhookErp, type WebhookErp } from '../fakes/erp-proxy/webhook-erp.js'
import { overHttp, SimulatorDriver } from '../helpers/test-system.js'
import { cardActionEnvelope, FeishuEventPusher, messageEnvelope, type PushResult } from '../fakes/feishu/feishu-event-pusher.js'
import { FakeFeishuOpenPlatform } from '../fakes/feishu/fake-open-platform.js'
import { APP, FEISHU_USERS, OPEN_ID, readCard, type SeenCard } from '../feishu/feishu-harness.js'
import { freePort } from '../../scripts/free-port.js'
import { startServerChild, type ServerChild } from './server-child.js'

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/**
 * The real server in a child process, Feishu (a local fake open platform and Feishu's own
 * delivery behaviour: signed pushes, redelivery of what was not answered 200) in this one. Under
 * load — chat lines acknowledged and still being handled, final approvals posting to the ERP —
 * the server gets SIGTERM, exits, and a new one starts on the same database. Nothing acknowledged
 * may be lost and nothing may be done twice.
 */
describe('SIGTERM under load, then a restart: nothing is lost, nothing is done twice', () => {
  const dir = mkdtempSync(join(tmpdir(), 'restart-'))
  const dbUrl = `sqlite:${join(dir, 'app.db')}`
  let fake: FakeFeishuOpenPlatform
  let pusher: FeishuEventPusher
  let port: number
  let settings: Record<string, string>
  let server: ServerChild | undefined

  beforeAll(async () => {
    fake = await FakeFeishuOpenPlatform.start({ appId: APP.appId, appSecret: APP.appSecret, users: FEISHU_USERS })
    port = await freePort()
    settings = {
      DATABASE_URL: dbUrl,
      DEV_MODE: '1',
      APP_SECRET_KEY: 'restart-test-secret-key-0123456789abcdef',
      FEISHU_APP_ID: APP.appId,
      FEISHU_APP_SECRET: APP.appSecret,
      FEISHU_VERIFICATION_TOKEN: APP.verificationToken,
      FEISHU_ENCRYPT_KEY: APP.encryptKey,
      FEISHU_DOMAIN: fake.url,
      FEISHU_MODE: 'http',
      FEISHU_AUTO_PROVISION: '0',
      RATE_LIMIT_CHAT_PER_MINUTE: '1000',
      OUTBOX_POLL_MS: '200',
      SHUTDOWN_TIMEOUT_MS: '15000',
    }
    // Feishu re-pushes what was not answered 200, compressed: 0.3 s, 0.6 s, ... 9.6 s.
    pusher = new FeishuEventPusher({ target: `http://127.0.0.1:${port}`, appId: APP.appId, verificationToken: APP.verificationToken, encryptKey: APP.encryptKey, redeliveryScheduleMs: [300, 600, 1200, 2400, 4800, 9600] })
    server = await startServerChild(port, settings)
  })
  afterAll(async () => {
    pusher.stop()
    if (server) {
      server.signal('SIGKILL')
      await server.exited
    }
    await fake.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const cards = (openId: string): SeenCard[] => fake.messagesTo(openId).filter((m) => m.msg_type === 'interactive').map(readCard)
  const say = (openId: string, text: string) => pusher.pushEvent(messageEnvelope({ appId: APP.appId, token: APP.verificationToken, openId, text }))
  const offering = (openId: string, action: string, text: string) => cards(openId).find((c) => c.buttons.some((b) => b.value.action === action) && (c.text.includes(text) || c.title.includes(text)))
  const tap = async (openId: string, card: SeenCard, action: string): Promise<PushResult & { body: { toast?: { type: string; content: string } } }> => {
    const button = card.buttons.find((b) => b.value.action === action)!
    const envelope = cardActionEnvelope({
      appId: APP.appId,
      token: APP.verificationToken,
      openId,
      messageId: card.message.message_id,
      cardToken: fake.issueCardToken(card.message.message_id),
      value: button.value,
      ...(button.inForm ? { formValue: { comment: '' }, buttonName: `${action}_button` } : {}),
    })
    return (await pusher.pushCardAction(envelope)) as never
  }
  /** Like a person whose tap got an error: taps again until the bot answers. */
  const tapUntilAnswered = async (openId: string, card: SeenCard, action: string) =>
    waitFor(`${action} answered`, async () => {
      const result = await tap(openId, card, action)
      return result.status === 200 && result.body.toast?.type !== 'error' ? result : undefined
    })
  const confirmCards = (openId: string, amounts: number[]) => amounts.filter((a) => offering(openId, 'confirm', `¥${a}.00`))

  it('drains acknowledged chat work and postings on SIGTERM; the next instance takes the redeliveries', async () => {
    // Five claims approved by 李四, each waiting for 孙八's final approval.
    const waiting: string[] = []
    for (const amount of [101, 102, 103, 104, 105]) {
      expect((await say(OPEN_ID.zhangsan, `提交本月差旅费 ${amount}元`)).status).toBe(200)
      const confirm = await waitFor('confirmation card', () => offering(OPEN_ID.zhangsan, 'confirm', `¥${amount}.00`))
      const confirmed = await tap(OPEN_ID.zhangsan, confirm, 'confirm')
      const requestNo = /BX-\d{6}-\d{4}/.exec(confirmed.body.toast?.content ?? '')![0]
      await tapUntilAnswered(OPEN_ID.lisi, await waitFor('approval card', () => offering(OPEN_ID.lisi, 'approve', requestNo)), 'approve')
      waiting.push(requestNo)
    }
    const sunbaCards = await Promise.all(waiting.map((no) => waitFor('final approval card', () => offering(OPEN_ID.sunba, 'approve', no))))

    // Load: every message the bot sends now takes Feishu 250 ms, so acknowledged lines queue up.
    fake.slowDown({ method: 'POST', path: /^\/open-apis\/im\/v1\/messages$/ }, 250, 10_000)
    const zhangsanAmounts = [201, 202, 203, 204, 205, 206, 207, 208]
    const wangwuAmounts = [301, 302, 303, 304, 305, 306, 307, 308]
    const [lines, finals] = await Promise.all([
      Promise.all([...zhangsanAmounts.map((a) => say(OPEN_ID.zhangsan, `提交本月交通费 ${a}元`)), ...wangwuAmounts.map((a) => say(OPEN_ID.wangwu, `提交本月交通费 ${a}元`))]),
      Promise.all(sunbaCards.slice(0, 3).map((card) => tap(OPEN_ID.sunba, card, 'approve'))),
    ])
    expect(lines.every((r) => r.status === 200)).toBe(true)
    expect(finals.map((r) => r.status)).toEqual([200, 200, 200])
    const answeredBeforeSigterm = confirmCards(OPEN_ID.zhangsan, zhangsanAmounts).length + confirmCards(OPEN_ID.wangwu, wangwuAmounts).length
    // The point of the test: acknowledged work is still in the queue when the signal comes.
    expect(answeredBeforeSigterm).toBeLessThan(16)

    const first = server!
    first.signal('SIGTERM')
    // The load balancer's view: readiness goes 503 at once.
    await waitFor('readiness to drop', async () => (await fetch(`${first.baseUrl}/readyz`)).status === 503 || undefined, 5_000)
    // While it drains: new lines and taps are refused (503 or no connection), so Feishu redelivers / the person taps again.
    const lateLines = await Promise.all([say(OPEN_ID.zhangsan, '提交本月交通费 209元'), say(OPEN_ID.wangwu, '提交本月交通费 309元')])
    expect(lateLines.map((r) => r.status).every((s) => s !== 200)).toBe(true)
    const lateTap = await tap(OPEN_ID.sunba, sunbaCards[3]!, 'approve')
    expect(lateTap.status).not.toBe(200)

    expect(await first.exited).toBe(0)
    const log = first.output().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { msg: string; clean?: boolean })
    expect(log.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutdown: chat platforms stopped, acknowledged work done', 'shutdown: outbox worker stopped']))
    // The Node entry ran the maintenance job (retention) when it started.
    expect(log.some((l) => l.msg.startsWith('maintenance: retention enforced'))).toBe(true)
    expect(log.find((l) => l.msg.startsWith('shutdown: done'))?.clean).toBe(true)
    // Every line Feishu got a 200 for was fully handled before the process left.
    expect(confirmCards(OPEN_ID.zhangsan, zhangsanAmounts)).toEqual(zhangsanAmounts)
    expect(confirmCards(OPEN_ID.wangwu, wangwuAmounts)).toEqual(wangwuAmounts)

    server = await startServerChild(port, settings)
    await tapUntilAnswered(OPEN_ID.sunba, sunbaCards[3]!, 'approve')
    await tapUntilAnswered(OPEN_ID.sunba, sunbaCards[4]!, 'approve')
    await pusher.settle()
    await waitFor('the redelivered lines handled', () => offering(OPEN_ID.zhangsan, 'confirm', '¥209.00') && offering(OPEN_ID.wangwu, 'confirm', '¥309.00'))
    const vouchers = await waitFor('five vouchers', async () => {
      const list = (await (await fetch(`${server!.baseUrl}/api/dev/erp/vouchers`)).json()) as { requestNo: string }[]
      return list.length >= 5 ? list : undefined
    })

    const database = connectDatabase(dbUrl)
    try {
      // Each line became exactly one draft: none lost, none doubled by a redelivery.
      const drafts = await database.db.selectFrom('requests').select(['requester_id', 'amount_fen']).where('status', '=', 'draft').execute()
      const amounts = (who: string) => drafts.filter((d) => d.requester_id === who).map((d) => Number(d.amount_fen) / 100).sort((a, b) => a - b)
      expect(amounts('zhangsan')).toEqual([...zhangsanAmounts, 209])
      expect(amounts('wangwu')).toEqual([...wangwuAmounts, 309])
      // Each final approval posted exactly once, and no outbox row is left claimed.
      expect(vouchers.map((v) => v.requestNo).sort()).toEqual([...waiting].sort())
      const outbox = await database.db.selectFrom('outbox').select(['status']).execute()
      expect(outbox.map((r) => r.status)).toEqual(['posted', 'posted', 'posted', 'posted', 'posted'])
      expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true })
    } finally {
      await database.close()
    }

    server.signal('SIGTERM')
    expect(await server.exited).toBe(0)
    server = undefined
  }, 90_000)
})

/**
 * The bound itself: a posting hangs in a slow ERP when SIGTERM comes with a short
 * SHUTDOWN_TIMEOUT_MS. The process must leave within the bound, say so with exit code 1, and hand
 * the row back so the next start settles it — by asking the ERP, which meanwhile made the document
 * from the abandoned call. The fake ERP keeps no idempotency of its own: a second post of the key
 * would be a second document, so only the bridge can keep it to one.
 */
describe('SIGTERM while a posting hangs in a slow ERP, with a short SHUTDOWN_TIMEOUT_MS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shutdown-bound-'))
  const dbUrl = `sqlite:${join(dir, 'app.db')}`
  const secretKey = 'shutdown-bound-secret-key-0123456789abcdef'
  const erpSecret = 'shutdown-bound-signing-secret'
  /** The ERP takes this long over every call made while it is slow: far past the bound, and past the next start. */
  const slowMs = 8_000
  /** The adapter's own timeout: the call is still waiting when the bound runs out. */
  const erpTimeoutMs = 9_000
  const boundMs = 1_000
  let erp: WebhookErp
  let server: ServerChild | undefined
  let settings: Record<string, string>
  /** The test's own connection to the server's database. */
  let watcher: DbHandle | undefined

  beforeAll(async () => {
    erp = await startWebhookErp({ secret: erpSecret, dedupe: false, latencyMs: slowMs })
    settings = { DATABASE_URL: dbUrl, DEV_MODE: '1', APP_SECRET_KEY: secretKey, OUTBOX_POLL_MS: '100', SHUTDOWN_TIMEOUT_MS: String(boundMs) }
  })
  afterAll(async () => {
    if (server) {
      server.signal('SIGKILL')
      await server.exited
    }
    await watcher?.close()
    await erp.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('exits within the bound with code 1; the row is handed back, and the next start posts it exactly once', async () => {
    server = await startServerChild(await freePort(), settings)
    // The ERP the admin connected (sealed with the key the server derives from APP_SECRET_KEY).
    watcher = connectDatabase(dbUrl)
    const connections = new ErpConnectionStore(watcher.db, await SecretBox.fromKey(await deriveKey(secretKey, 'erp-secrets')))
    const connection = await connections.save({ name: '慢 ERP', adapter: 'webhook', settings: { url: erp.url, secret: erpSecret, timeoutMs: erpTimeoutMs, employeeNoIsErpCode: true } })
    await connections.activate(connection.id)
    await new MappingStore(watcher.db).save([{ kind: 'expense_category', localKey: 'travel', erpCode: '6602.01', erpName: null }])

    const first = server
    const app = new SimulatorDriver(overHttp(first.baseUrl))
    const [zhangsan, lisi, sunba] = [await app.user('张三'), await app.user('李四'), await app.user('孙八')]
    const requestNo = await app.submitExpense(zhangsan.id, '提交本月差旅费 900元')
    for (const approver of [lisi, sunba]) expect((await app.tap((await app.actionableCard(approver.id, requestNo)).id, 'approve', approver.id)).status).toBe(200)
    const outboxRow = () => watcher!.db.selectFrom('outbox').selectAll().where('idempotency_key', '=', requestNo).executeTakeFirstOrThrow()
    // The worker has claimed the row and sent the posting (a few ms after the claim); the ERP sits on it for seconds.
    await waitFor('the worker to claim the posting', async () => (await outboxRow()).status === 'sending' || undefined)
    const sentBy = Date.now()
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(erp.documents).toHaveLength(0)

    const signalled = Date.now()
    first.signal('SIGTERM')
    expect(await first.exited).toBe(1)
    const took = Date.now() - signalled
    // The bound, plus handing the row back, closing the database and the process ending.
    expect(took).toBeGreaterThanOrEqual(boundMs)
    expect(took).toBeLessThan(boundMs + 2_000)
    server = undefined
    const log = first.output().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { msg: string; clean?: boolean; released?: number })
    expect(log.find((l) => l.msg.startsWith('shutdown: bound of'))).toMatchObject({ msg: `shutdown: bound of ${boundMs} ms reached; 1 outbox row(s) handed back for reconciliation`, released: 1 })
    expect(log.find((l) => l.msg.startsWith('shutdown: done'))?.clean).toBe(false)
    // The worker had not stopped when the bound came; handing the row back drops its call, so it may stop after.
    const boundAt = log.findIndex((l) => l.msg.startsWith('shutdown: bound of'))
    const workerStoppedAt = log.findIndex((l) => l.msg === 'shutdown: outbox worker stopped')
    expect(workerStoppedAt === -1 || workerStoppedAt > boundAt).toBe(true)

    // Handed back, not lost: `unknown` (look it up before any resend), unclaimed, and due only once the
    // abandoned call must have landed (twice the adapter's timeout), as after a timeout.
    const row = await outboxRow()
    expect(row).toMatchObject({ status: 'unknown', locked_until: null, document_no: null, attempts: 1 })
    expect(row.last_error).toContain('the process stopped mid-call')
    expect(Number(row.next_attempt_at)).toBeGreaterThanOrEqual(signalled + 2 * erpTimeoutMs)
    expect(Number(row.next_attempt_at)).toBeLessThanOrEqual(Date.now() + 2 * erpTimeoutMs)

    // The next start comes at once; the ERP is fast again for new calls, but the abandoned call is
    // still being worked on there and makes its document only after the new process is up: a
    // lookup as soon as it starts would find nothing and send the posting a second time.
    erp.setLatency(0)
    server = await startServerChild(await freePort(), settings)
    const restarted = server
    const posted = await waitFor('the handed-back row to settle', async () => ((await outboxRow()).status === 'posted' ? outboxRow() : undefined), 2 * erpTimeoutMs + 15_000)
    // Whatever the ERP was still doing for the abandoned call is over by now.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, sentBy + slowMs + 1_000 - Date.now())))
    // Looked up, found, never sent again: one document, the one the abandoned call made.
    expect(posted.document_no).toBe(erp.documents[0]!.documentNo)
    expect(erp.postsByKey.get(requestNo)).toBe(1)
    expect(erp.documents).toHaveLength(1)
    expect(erp.duplicates()).toEqual([])
    expect(erp.lookups).toBeGreaterThanOrEqual(1)

    restarted.signal('SIGTERM')
    expect(await restarted.exited).toBe(0)
    server = undefined
  }, 90_000)
})
