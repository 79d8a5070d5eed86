import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChatIntegration } from '../../bot/chat-integration.js'
import { createDingtalkIntegration } from '../../bot/platforms/dingtalk/dingtalk-integration.js'
import { createFeishuIntegration } from '../../bot/platforms/feishu/feishu-integration.js'
import type { DbHandle } from '../../db/connect.js'
import { WebhookAdapter } from '../../erp-bridge/adapters/webhook/webhook-adapter.js'
import { createApp } from '../../server/app.js'
import { loadConfig } from '../../server/config.js'
import { Lifecycle } from '../../server/lifecycle.js'
import { FakeDingtalk } from '../fakes/dingtalk/fake-dingtalk.js'
import { FakeFeishuOpenPlatform } from '../fakes/feishu/fake-open-platform.js'
import { startWebhookErp, type WebhookErp } from '../fakes/erp-proxy/webhook-erp.js'
import { TestSystem } from '../helpers/test-system.js'

const METRICS_TOKEN = 'metrics-token-for-tests-0123'
const SECRET = 'webhook-secret-for-tests-0123'

/** Value of one series in a Prometheus text body, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

describe('GET /metrics', () => {
  let t: TestSystem
  let erp: WebhookErp
  beforeAll(async () => {
    // The ERP refuses the 1,234-yuan claim (a closed period, say) and takes the others.
    erp = await startWebhookErp({ secret: SECRET, reject: (action) => (action.amountFen === 123_400 ? '会计期间已关闭' : null) })
    t = await TestSystem.start('sqlite', { erp: new WebhookAdapter({ url: erp.url, secret: SECRET, requiredMappings: { 'expense.voucher': [] }, employeeNoIsErpCode: true }) })
  })
  afterAll(async () => {
    await t.close()
    await erp.close()
  })

  const scrape = (token?: string) => createApp(t.system, { devMode: true, metricsToken: METRICS_TOKEN }).request('/metrics', token ? { headers: { authorization: `Bearer ${token}` } } : {})

  it('is off without METRICS_TOKEN and refuses a missing or wrong token', async () => {
    expect((await t.app.request('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(404)
    const missing = await scrape()
    expect(missing.status).toBe(401)
    expect(missing.headers.get('www-authenticate')).toContain('Bearer')
    expect((await scrape('wrong-token-wrong-token-0000')).status).toBe(401)
  })

  it('counts callbacks, parse sources, approvals by outcome, time to decision, outbox depth and ERP errors by adapter', async () => {
    const zhangsan = await t.user('张三')
    const lisi = await t.user('李四')
    const sunba = await t.user('孙八')
    const approveAll = async (requestNo: string) => {
      await t.tap((await t.actionableCard(lisi.id, requestNo)).id, 'approve', lisi.id)
      await t.tap((await t.actionableCard(sunba.id, requestNo)).id, 'approve', sunba.id)
    }
    const posted = await t.submitExpense(zhangsan.id, '提交本月差旅费 800元')
    const refused = await t.submitExpense(zhangsan.id, '提交本月差旅费 1234元')
    const rejected = await t.submitExpense(zhangsan.id, '提交本月交通费 66元')
    await approveAll(posted)
    await approveAll(refused)
    await t.tap((await t.actionableCard(lisi.id, rejected)).id, 'reject', lisi.id, '不合规')

    // A notice a platform outage held back a minute ago.
    const minuteAgo = Date.now() - 60_000
    await t.database.db
      .insertInto('chat_deliveries')
      .values({ id: 'held-back', kind: 'text', platform: 'feishu', recipient_id: zhangsan.id, card_id: null, message_id: null, body: '已入账', idempotency_key: 'k-held-back', coalesce_key: null, generation: 0, status: 'pending', attempts: 1, next_attempt_at: Date.now(), locked_until: null, last_error: 'HTTP 503', created_at: minuteAgo, updated_at: minuteAgo })
      .execute()

    const before = await (await scrape(METRICS_TOKEN)).text()
    expect(sample(before, 'approval_bridge_outbox_rows{status="pending"}')).toBe(2)
    expect(sample(before, 'approval_bridge_outbox_oldest_unposted_age_seconds')).toBeGreaterThanOrEqual(0)
    expect(sample(before, 'approval_bridge_chat_deliveries_rows{status="pending"}')).toBe(1)
    expect(sample(before, 'approval_bridge_chat_deliveries_rows{status="dead"}')).toBe(0)
    expect(sample(before, 'approval_bridge_chat_deliveries_oldest_waiting_age_seconds')).toBeGreaterThanOrEqual(60)

    await t.system.outbox.drainOnce()
    const response = await scrape(METRICS_TOKEN)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    const text = await response.text()
    expect(sample(text, 'approval_bridge_callbacks_total{platform="dev",route="messages",status="200"}')).toBe(3)
    expect(sample(text, 'approval_bridge_callback_duration_seconds_count{platform="dev",route="cards"}')).toBe(8)
    expect(sample(text, 'approval_bridge_parses_total{source="rules",intent="expense.submit"}')).toBe(3)
    expect(sample(text, 'approval_bridge_approvals_total{decision="approve",outcome="approved"}')).toBe(2)
    expect(sample(text, 'approval_bridge_approvals_total{decision="approve",outcome="advanced"}')).toBe(2)
    expect(sample(text, 'approval_bridge_approvals_total{decision="reject",outcome="rejected"}')).toBe(1)
    expect(sample(text, 'approval_bridge_time_to_decision_seconds_count{type="expense",outcome="approved"}')).toBe(2)
    expect(sample(text, 'approval_bridge_time_to_decision_seconds_count{type="expense",outcome="rejected"}')).toBe(1)
    expect(sample(text, 'approval_bridge_erp_calls_total{adapter="webhook",operation="post",result="ok"}')).toBe(1)
    expect(sample(text, 'approval_bridge_erp_calls_total{adapter="webhook",operation="post",result="permanent"}')).toBe(1)
    expect(sample(text, 'approval_bridge_erp_postings_total{adapter="webhook",result="posted"}')).toBe(1)
    expect(sample(text, 'approval_bridge_erp_postings_total{adapter="webhook",result="failed"}')).toBe(1)
    expect(sample(text, 'approval_bridge_erp_call_duration_seconds_count{adapter="webhook",operation="post"}')).toBe(2)
    expect(sample(text, 'approval_bridge_outbox_rows{status="pending"}')).toBe(0)
    expect(sample(text, 'approval_bridge_outbox_rows{status="failed"}')).toBe(1)
    expect(sample(text, 'approval_bridge_outbound_messages_total{platform="dev",kind="card",result="ok"}')).toBeGreaterThan(0)
    expect(erp.documents).toHaveLength(1)
  })
})

describe('GET /readyz', () => {
  const FEISHU = { appId: 'cli_0123456789abcdef', appSecret: 'feishu-secret-for-readyz' }
  const DINGTALK = { clientId: 'dingreadyz0001', clientSecret: 'dingtalk-secret-for-readyz' }
  const TOKEN_PATH = /^\/open-apis\/auth\/v3\/tenant_access_token\/internal$/
  let feishu: FakeFeishuOpenPlatform
  let dingtalk: FakeDingtalk
  let t: TestSystem
  const others: TestSystem[] = []

  const feishuWith = (database: DbHandle, settings: { appSecret?: string; baseUrl?: string } = {}) =>
    createFeishuIntegration({ appId: FEISHU.appId, appSecret: settings.appSecret ?? FEISHU.appSecret, verificationToken: 'token', baseUrl: settings.baseUrl ?? feishu.url, mode: 'http', autoProvision: false }, database.db, () => {})
  const dingtalkWith = (database: DbHandle, settings: { clientSecret?: string; baseUrl?: string } = {}) => {
    const base = settings.baseUrl ?? dingtalk.url
    const config = loadConfig({ DINGTALK_CLIENT_ID: DINGTALK.clientId, DINGTALK_CLIENT_SECRET: settings.clientSecret ?? DINGTALK.clientSecret, DINGTALK_MODE: 'http', DINGTALK_API_BASE: base, DINGTALK_OAPI_BASE: base })
    return createDingtalkIntegration(config, database, () => {}, { backoffMs: 5 })
  }
  const systemWith = async (integrations: (database: DbHandle) => ChatIntegration[]) => {
    const system = await TestSystem.start('sqlite', { integrations })
    others.push(system)
    return system
  }
  const tokenRequests = () => feishu.requests.filter((r) => TOKEN_PATH.test(r.path)).length
  /** An address nothing listens on: a platform that is down. */
  const deadUrl = async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    await new Promise((resolve) => server.close(resolve))
    return url
  }

  beforeAll(async () => {
    feishu = await FakeFeishuOpenPlatform.start({ ...FEISHU, users: [] })
    dingtalk = await FakeDingtalk.start({ ...DINGTALK, users: [] })
    t = await TestSystem.start('sqlite', { integrations: (database) => [feishuWith(database), dingtalkWith(database)] })
  })
  afterAll(async () => {
    await Promise.all([t, ...others].map((system) => system.close()))
    await feishu.close()
    await dingtalk.close()
  })

  it('is 200 when the Feishu and DingTalk tokens are obtainable, and does not ask the platforms again on every probe', async () => {
    const feishuBefore = tokenRequests()
    const dingtalkBefore = dingtalk.tokensIssued
    const ready = await t.app.request('/readyz')
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ ok: true, checks: { database: 'ok', migrations: 'ok', feishu_token: 'ok', dingtalk_token: 'ok' } })
    expect(tokenRequests()).toBe(feishuBefore + 1)
    // Both DingTalk hosts: api.dingtalk.com (v1.0) and oapi.dingtalk.com (topapi) have their own token.
    expect(dingtalk.tokensIssued).toBe(dingtalkBefore + 2)
    expect(dingtalk.calls).toEqual(expect.arrayContaining(['POST /v1.0/oauth2/accessToken', 'GET /gettoken']))

    const probes = await Promise.all(Array.from({ length: 20 }, () => t.app.request('/readyz')))
    expect(probes.map((p) => p.status)).toEqual(Array(20).fill(200))
    expect(tokenRequests()).toBe(feishuBefore + 1)
    expect(dingtalk.tokensIssued).toBe(dingtalkBefore + 2)
  })

  it('is 503 naming Feishu when its app secret is wrong, and DingTalk when its secret is', async () => {
    const badFeishu = await systemWith((database) => [feishuWith(database, { appSecret: 'not-the-secret' }), dingtalkWith(database)])
    const feishuDown = await badFeishu.app.request('/readyz')
    expect(feishuDown.status).toBe(503)
    const feishuBody = (await feishuDown.json()) as { message: string; checks: Record<string, string> }
    expect(feishuBody.message).toBe('平台凭证不可用 / platform token not obtainable: feishu')
    expect(feishuBody.checks).toMatchObject({ database: 'ok', migrations: 'ok', dingtalk_token: 'ok' })
    expect(feishuBody.checks.feishu_token).toMatch(/^failed: .*10014.*app secret invalid/)

    const badDingtalk = await systemWith((database) => [feishuWith(database), dingtalkWith(database, { clientSecret: 'not-the-secret' })])
    const dingtalkDown = await badDingtalk.app.request('/readyz')
    expect(dingtalkDown.status).toBe(503)
    const dingtalkBody = (await dingtalkDown.json()) as { message: string; checks: Record<string, string> }
    expect(dingtalkBody.message).toBe('平台凭证不可用 / platform token not obtainable: dingtalk')
    expect(dingtalkBody.checks).toMatchObject({ feishu_token: 'ok' })
    // Whichever host answers first: api.dingtalk.com says invalidClientIdOrSecret, oapi errcode 40089.
    expect(dingtalkBody.checks.dingtalk_token).toMatch(/^failed: .*(invalidClientIdOrSecret|40089)/)
  })

  it('is 503 naming the platform when it is down: refused connections, then a platform that does not answer', async () => {
    const url = await deadUrl()
    const unreachable = await systemWith((database) => [feishuWith(database, { baseUrl: url }), dingtalkWith(database, { baseUrl: url })])
    const refused = await unreachable.app.request('/readyz')
    expect(refused.status).toBe(503)
    const body = (await refused.json()) as { message: string; checks: Record<string, string> }
    expect(body.message).toBe('平台凭证不可用 / platform token not obtainable: feishu, dingtalk')
    expect(body.checks.feishu_token).toMatch(/^failed: .*ECONNREFUSED/)
    expect(body.checks.dingtalk_token).toMatch(/^failed: .*ECONNREFUSED/)

    // A hung token endpoint: the probe answers within its deadline instead of hanging with it.
    feishu.slowDown({ method: 'POST', path: TOKEN_PATH }, 6_000)
    const hung = await systemWith((database) => [feishuWith(database)])
    const started = Date.now()
    const slow = await hung.app.request('/readyz')
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(slow.status).toBe(503)
    expect(await slow.json()).toMatchObject({ message: '平台凭证不可用 / platform token not obtainable: feishu', checks: { feishu_token: 'failed: no answer within 3000 ms' } })
  }, 15_000)

  it('answers 503 while draining; callbacks are refused so the platform redelivers, probes still answer', async () => {
    const lifecycle = new Lifecycle()
    const app = createApp(t.system, { devMode: true, lifecycle })
    lifecycle.startDraining()
    expect((await app.request('/healthz')).status).toBe(200)
    const ready = await app.request('/readyz')
    expect(ready.status).toBe(503)
    expect(await ready.json()).toMatchObject({ checks: { lifecycle: 'shutting down' } })
    const callback = await app.request('/api/dev/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'zhangsan', text: '帮助' }) })
    expect(callback.status).toBe(503)
    expect(callback.headers.get('retry-after')).toBe('5')
    expect(await callback.json()).toMatchObject({ code: 'SHUTTING_DOWN', message: expect.stringMatching(/[\u4e00-\u9fa5]/) })
    expect(await t.inbox('zhangsan')).toEqual([])
  })

  it('answers 503 when the database is gone', async () => {
    const other = await TestSystem.start('sqlite')
    await other.database.close()
    const response = await other.app.request('/readyz')
    expect(response.status).toBe(503)
    expect(await response.json()).toMatchObject({ ok: false, message: '数据库不可用 / database unreachable', checks: { database: 'unreachable' } })
  })
})

describe('the HTTP edge limits', () => {
  let t: TestSystem
  beforeAll(async () => {
    t = await TestSystem.start('sqlite')
  })
  afterAll(async () => {
    await t.close()
  })

  it('serves the mini-app with a strict CSP and the security headers', async () => {
    const page = await t.app.request('/miniapp/login')
    expect(page.status).toBe(200)
    const csp = page.headers.get('content-security-policy') ?? ''
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]))
    expect(directives['default-src']).toEqual(["'self'"])
    expect(directives['script-src']).toContain("'self'")
    expect(directives['script-src']).not.toContain("'unsafe-inline'")
    expect(directives['script-src']).not.toContain("'unsafe-eval'")
    expect(directives['base-uri']).toEqual(["'none'"])
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    expect(page.headers.get('referrer-policy')).toBe('no-referrer')
    expect(page.headers.get('strict-transport-security')).toMatch(/max-age=\d+/)
  })

  it('refuses a callback body over 1 MB before reading it', async () => {
    const response = await t.app.request('/feishu/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(1_100_000) })
    expect(response.status).toBe(413)
  })
})
