import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Hono } from 'hono'
import { DingtalkClient } from '../../bot/platforms/dingtalk/dingtalk-client.js'
import type { SimulatorItem } from '../../bot/platforms/dev/dev-platform.js'
import type { DbHandle } from '../../db/connect.js'
import { seedDemoOrg } from '../../db/seeds/demo-org.js'
import { AppMetrics } from '../../ops/metrics/app-metrics.js'
import { RateLimits } from '../../ops/rate-limit.js'
import { createApp } from '../../server/app.js'
import { composeSystem, type System } from '../../server/compose.js'
import { LLM_LIMIT_NOTICE } from '../../server/observe/operated-conversation.js'
import { installDefaultFetchTimeout, withDefaultTimeout } from '../../server/outbound-timeout.js'
import { createServerParser } from '../../server/parser.js'
import { startFakeOpenAi, toolCall, type FakeOpenAi } from '../fakes/openai/fake-openai.js'
import { freshDatabase } from '../helpers/databases.js'

/** A line the rules only half understand, so the model is asked. */
const VAGUE = '上礼拜跑客户那边的车钱能报不，一共120'
const MINUTE = 60_000

describe('per-user and per-tenant limits on chat lines and LLM calls', () => {
  let fake: FakeOpenAi
  let database: DbHandle
  let system: System
  let app: Hono
  const metrics = new AppMetrics()

  beforeAll(async () => {
    fake = await startFakeOpenAi()
    fake.behave(toolCall({ intent: 'expense.submit', slots: { category: 'transport', amount: 120 } }))
    database = await freshDatabase('sqlite')
    await seedDemoOrg(database.db)
    const limits = new RateLimits({
      chatPerUser: { limit: 3, windowMs: MINUTE },
      chatPerTenant: { limit: 100, windowMs: MINUTE },
      llmPerUser: { limit: 1, windowMs: 60 * MINUTE },
      llmPerTenant: { limit: 2, windowMs: 60 * MINUTE },
    })
    const parser = createServerParser({ OPENAI_MODEL: 'test-model', OPENAI_BASE_URL: fake.baseURL }, { metrics, limits, log: () => {} })
    system = await composeSystem({ database, parser, metrics, limits })
    app = createApp(system, { devMode: true })
  })
  afterAll(async () => {
    await system.outbox.stop()
    await database.close()
    await fake.close()
  })

  const say = async (userId: string, text: string): Promise<string[]> => {
    const response = await app.request('/api/dev/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId, text }) })
    expect(response.status).toBe(200)
    const { messages } = (await response.json()) as { messages: SimulatorItem[] }
    return messages.map((m) => m.text ?? m.card?.title ?? '')
  }

  it('a person over the chat limit is asked to wait, in words, and nothing is handled', async () => {
    for (let i = 0; i < 3; i++) expect((await say('wujiu', '帮助')).join('')).not.toContain('太频繁')
    const refused = await say('wujiu', '提交本月差旅费 3500元')
    expect(refused).toEqual([expect.stringMatching(/^你发送得太频繁了，请 \d+ 秒后再发。\/ Too many messages; please try again in \d+ s\.$/)])
    const drafts = await database.db.selectFrom('requests').select('id').where('requester_id', '=', 'wujiu').execute()
    expect(drafts).toEqual([])
    // Someone else is not held up by it.
    expect((await say('zhaoliu', '帮助')).join('')).not.toContain('太频繁')
    expect(metrics.rateLimited.value({ what: 'chat', scope: 'user' })).toBe(1)
    expect(metrics.chatEvents.value({ platform: 'dev', kind: 'message', outcome: 'rate_limited' })).toBe(1)
  })

  it('LLM calls are counted and timed; over the budget the rules answer alone and the sender is told why', async () => {
    await say('zhangsan', VAGUE)
    expect(fake.requests).toHaveLength(1)
    expect(metrics.parses.value({ source: 'llm', intent: 'expense.submit' })).toBe(1)

    const second = await say('zhangsan', VAGUE)
    expect(fake.requests).toHaveLength(1)
    expect(second).toContain(LLM_LIMIT_NOTICE)
    expect(metrics.rateLimited.value({ what: 'llm', scope: 'user' })).toBe(1)

    // The tenant's budget (2 an hour) covers one more person, then no one.
    await say('lisi', VAGUE)
    expect(fake.requests).toHaveLength(2)
    expect(await say('wangwu', VAGUE)).toContain(LLM_LIMIT_NOTICE)
    expect(fake.requests).toHaveLength(2)
    expect(metrics.rateLimited.value({ what: 'llm', scope: 'tenant' })).toBe(1)

    expect(metrics.llmCalls.value({ result: 'ok' })).toBe(2)
    expect(metrics.llmCalls.value({ result: 'rate_limited' })).toBe(2)
    expect(metrics.llmSeconds.count()).toBe(2)
  })

  it('a failing model is counted as a failure', async () => {
    fake.behave({ status: 500 })
    const parser = createServerParser({ OPENAI_MODEL: 'test-model', OPENAI_BASE_URL: fake.baseURL }, { metrics, log: () => {} })
    await parser.parse(VAGUE, new Date())
    expect(metrics.llmCalls.value({ result: 'failed' })).toBe(1)
  })
})

describe('a default deadline on outbound calls that set none', () => {
  let hanging: Server
  let url: string
  const realFetch = globalThis.fetch
  beforeAll(async () => {
    // Accepts the connection, never answers.
    hanging = createServer(() => {})
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`
  })
  afterEach(() => {
    globalThis.fetch = realFetch
  })
  afterAll(async () => {
    hanging.closeAllConnections()
    await new Promise((resolve) => hanging.close(resolve))
  })

  it('cuts a call with no signal at the deadline, and leaves a caller’s own signal in charge', async () => {
    const bounded = withDefaultTimeout(realFetch, 300)
    let started = performance.now()
    await expect(bounded(`${url}/slow`)).rejects.toMatchObject({ name: 'TimeoutError' })
    expect(performance.now() - started).toBeLessThan(2_000)

    started = performance.now()
    await expect(bounded(`${url}/slow`, { signal: AbortSignal.timeout(900) })).rejects.toMatchObject({ name: 'TimeoutError' })
    expect(performance.now() - started).toBeGreaterThanOrEqual(850)
  })

  it('bounds the calls of a client that sets no timeout of its own (DingTalk session webhook)', async () => {
    installDefaultFetchTimeout(300)
    const client = new DingtalkClient({ clientId: 'id', clientSecret: 'secret', apiBase: url, oapiBase: url })
    const started = performance.now()
    await expect(client.postSessionWebhook(`${url}/robot/send`, { msgtype: 'text', text: { content: 'hi' } })).rejects.toThrow()
    expect(performance.now() - started).toBeLessThan(2_000)
  })
})
