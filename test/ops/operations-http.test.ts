import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFeishuIntegration } from '../../bot/platforms/feishu/feishu-integration.js'
import { WebhookAdapter } from '../../erp-bridge/adapters/webhook/webhook-adapter.js'
import { createApp } from '../../server/app.js'
import { Lifecycle } from '../../server/lifecycle.js'
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

    const before = await (await scrape(METRICS_TOKEN)).text()
    expect(sample(before, 'approval_bridge_outbox_rows{status="pending"}')).toBe(2)
    expect(sample(before, 'approval_bridge_outbox_oldest_unposted_age_seconds')).toBeGreaterThanOrEqual(0)

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
  let t: TestSystem
  let tokenServer: Server
  let tokenStatus = 200
  beforeAll(async () => {
    tokenServer = createServer((_req, res) => res.writeHead(tokenStatus).end())
    await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve))
    const tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`
    t = await TestSystem.start('sqlite', {
      integrations: (database) => {
        const settings = { appId: 'cli_0123456789abcdef', appSecret: 'secret', verificationToken: 'token', baseUrl: 'http://127.0.0.1:9', mode: 'http' as const, autoProvision: false }
        const feishu = createFeishuIntegration(settings, database.db, () => {})
        // A platform whose integration offers a token check: asks its (local) token endpoint.
        const checked = Object.assign(createFeishuIntegration(settings, database.db, () => {}), {
          platform: Object.assign(Object.create(feishu.platform) as typeof feishu.platform, { name: 'tokencheck' }),
          async checkToken() {
            const response = await fetch(tokenUrl)
            if (!response.ok) throw new Error(`token endpoint answered ${response.status}`)
          },
        })
        return [feishu, checked]
      },
    })
  })
  afterAll(async () => {
    await t.close()
    await new Promise((resolve) => tokenServer.close(resolve))
  })

  it('reports each check, calls the token check an integration offers and notes the ones it skips', async () => {
    const ready = await t.app.request('/readyz')
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({
      ok: true,
      checks: { database: 'ok', migrations: 'ok', feishu_token: 'skipped: the integration exposes no token check', tokencheck_token: 'ok' },
    })
    tokenStatus = 500
    const failing = await t.app.request('/readyz')
    expect(failing.status).toBe(503)
    expect(await failing.json()).toMatchObject({ ok: false, message: expect.stringMatching(/平台凭证/), checks: { tokencheck_token: 'failed: token endpoint answered 500' } })
    tokenStatus = 200
  })

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
