import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectDatabase } from '../../db/connect.js'
import { verifyAuditChain } from '../../workflow/audit-chain.js'
import { cardActionEnvelope, FeishuEventPusher, messageEnvelope, type PushResult } from '../fakes/feishu/feishu-event-pusher.js'
import { FakeFeishuOpenPlatform } from '../fakes/feishu/fake-open-platform.js'
import { APP, FEISHU_USERS, OPEN_ID, readCard, type SeenCard } from '../feishu/feishu-harness.js'
import { freePort, startServerChild, type ServerChild } from './server-child.js'

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
