import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EXPENSE_CATEGORIES, INTENTS, parsedCommandSchema, slotsSchema, type CommandParser } from '../../bot/nlu/command.js'
import { CONFIDENCE_BAR } from '../../bot/nlu/llm/llm-fallback-parser.js'
import { createParserFromEnv } from '../../bot/nlu/parser-from-env.js'
import { parseWithRules } from '../../bot/nlu/rules/index.js'
import { startFakeOpenAi, toolCall, type FakeOpenAi } from '../fakes/openai/fake-openai.js'

const NOW = new Date('2026-11-25T10:00:00+08:00')
const LAST_WEEK = { from: '2026-11-16', to: '2026-11-22' }
/** Rules make nothing of it (unknown, ~0.2): the model is asked. */
const VAGUE = '上礼拜跑客户那边的车钱能报不，一共120'
/** Rules read the money and the day but not the rest (~0.64): the model is asked. */
const HALF_UNDERSTOOD = '昨天跟客户撸串花了三百二，走招待'
/** Rules understand every character (0.95): the model is not asked. */
const CONFIDENT = '提交本月差旅费 3500元'

let fake: FakeOpenAi
let logged: string[]

function parserFor(env: Record<string, string>): CommandParser {
  return createParserFromEnv({ OPENAI_MODEL: 'test-model', OPENAI_BASE_URL: fake.baseURL, ...env }, (m) => logged.push(m))
}

beforeEach(async () => {
  fake = await startFakeOpenAi()
  logged = []
})
afterEach(async () => {
  await fake.close()
})

describe('the request the model gets', () => {
  it('carries the parse contract as the one forced tool, today in Asia/Shanghai, and the text alone', async () => {
    fake.behave(toolCall({ intent: 'unknown', slots: {} }))
    await parserFor({}).parse(VAGUE, NOW)

    expect(fake.requests).toHaveLength(1)
    const { body, headers } = fake.requests[0]!
    expect(Object.keys(body).sort()).toEqual(['messages', 'model', 'temperature', 'tool_choice', 'tools'])
    expect(body.model).toBe('test-model')
    expect(body.tools).toHaveLength(1)
    const tool = body.tools![0]!
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: tool.function.name } })

    const parameters = tool.function.parameters as { required: string[]; properties: Record<string, any> }
    expect(parameters.required).toEqual(['intent', 'slots'])
    expect(parameters.properties.intent.enum).toEqual([...INTENTS])
    const slots = parameters.properties.slots
    expect(slots.additionalProperties).toBe(false)
    expect(Object.keys(slots.properties)).toEqual(Object.keys(slotsSchema.shape))
    expect(slots.properties.category.enum).toEqual([...EXPENSE_CATEGORIES])
    for (const money of ['amount', 'budget']) expect(slots.properties[money].type).toBe('number')
    expect(slots.properties.quantity.type).toBe('integer')
    for (const day of ['date', 'effectiveDate']) expect(slots.properties[day].pattern).toBe('^\\d{4}-\\d{2}-\\d{2}$')
    expect(slots.properties.period.required).toEqual(['from', 'to'])
    expect(slots.properties.period.properties.from.pattern).toBe('^\\d{4}-\\d{2}-\\d{2}$')
    expect(slots.properties.requestNo.pattern).toBe('^[A-Z]{2}-\\d{6}-\\d{4,}$')

    expect(body.messages.map((m) => m.role)).toEqual(['system', 'user'])
    expect(body.messages[0]!.content).toContain('2026-11-25')
    expect(body.messages[0]!.content).toContain('Asia/Shanghai')
    expect(body.messages[1]!.content).toBe(VAGUE)
    // A keyless server (Ollama, vLLM) gets no Authorization header at all.
    expect(headers.authorization).toBeUndefined()
  })

  it("gives the Shanghai date, not the server's UTC one, just after midnight in Shanghai", async () => {
    fake.behave(toolCall({ intent: 'unknown', slots: {} }))
    await parserFor({}).parse(VAGUE, new Date('2026-11-24T16:30:00Z'))
    const prompt = fake.requests[0]!.body.messages[0]!.content
    expect(prompt).toContain('2026-11-25')
    expect(prompt).not.toContain('2026-11-24')
  })

  it('sends a configured key as a bearer token', async () => {
    await fake.close()
    fake = await startFakeOpenAi({ apiKey: 'sk-test-123' })
    fake.behave(toolCall({ intent: 'expense.submit', slots: { category: 'transport' } }))
    const parsed = await parserFor({ OPENAI_API_KEY: 'sk-test-123' }).parse(VAGUE, NOW)
    expect(fake.requests[0]!.headers.authorization).toBe('Bearer sk-test-123')
    expect(parsed.source).toBe('llm')
  })

  it('is not made when the rules are confident', async () => {
    fake.behave(toolCall({ intent: 'help', slots: {} }))
    const parsed = await parserFor({}).parse(CONFIDENT, NOW)
    expect(parsed).toEqual(parseWithRules(CONFIDENT, NOW))
    expect(parsed.source).toBe('rules')
    expect(fake.requests).toHaveLength(0)
  })

  it('is not made for a blank line', async () => {
    await parserFor({}).parse('   ', NOW)
    expect(fake.requests).toHaveLength(0)
  })

  it('is not made without a model, or with a model but neither key nor base URL', async () => {
    fake.behave(toolCall({ intent: 'expense.submit', slots: {} }))
    for (const env of [{}, { OPENAI_BASE_URL: fake.baseURL }, { OPENAI_MODEL: 'test-model' }, { OPENAI_MODEL: 'test-model', OPENAI_API_KEY: '', OPENAI_BASE_URL: '' }]) {
      const parsed = await createParserFromEnv(env, (m) => logged.push(m)).parse(VAGUE, NOW)
      expect(parsed).toEqual(parseWithRules(VAGUE, NOW))
    }
    expect(fake.requests).toHaveLength(0)
  })
})

describe("the model's answer", () => {
  it('is used when valid: source "llm", confidence at the bar', async () => {
    fake.behave(toolCall({ intent: 'expense.submit', slots: { category: 'transport', amount: 120, period: LAST_WEEK } }))
    const parsed = await parserFor({}).parse(VAGUE, NOW)
    expect(parsed).toEqual({ intent: 'expense.submit', slots: { category: 'transport', amount: 120, period: LAST_WEEK }, confidence: 0.8, source: 'llm' })
    expect(logged).toEqual([])
  })

  it("loses to the rules' dates and money where both have one, and keeps its own words", async () => {
    const rules = parseWithRules(HALF_UNDERSTOOD, NOW)
    expect(rules.slots).toMatchObject({ amount: 320, date: '2026-11-24' })
    fake.behave(toolCall({ intent: 'expense.submit', slots: { category: 'entertainment', amount: 3200, date: '2026-11-23', reason: '跟客户撸串' } }))
    const parsed = await parserFor({}).parse(HALF_UNDERSTOOD, NOW)
    expect(parsed).toEqual({
      intent: 'expense.submit',
      slots: { category: 'entertainment', amount: 320, date: '2026-11-24', reason: '跟客户撸串' },
      confidence: 0.8,
      source: 'llm',
    })
  })

  it('loses slot names outside the contract, extra fields, nulls and empty strings', async () => {
    fake.behave(
      toolCall({
        intent: 'expense.submit',
        slots: { category: 'transport', amount: 120, urgency: 'high', employeeId: 'E001', reason: null, item: '' },
        confidence: 1,
        source: 'rules',
      }),
    )
    const parsed = await parserFor({}).parse(VAGUE, NOW)
    expect(parsed).toEqual({ intent: 'expense.submit', slots: { category: 'transport', amount: 120 }, confidence: 0.8, source: 'llm' })
    expect(parsedCommandSchema.strict().parse(parsed)).toEqual(parsed)
  })

  it('keeps a request number written in the text and drops one the model invented', async () => {
    // Wordings the rules do not know (they read 撤了吧 since), so the model is asked.
    const text = '把bx202611-0007那个单子给我弄没了吧谢谢啦'
    fake.behave(toolCall({ intent: 'request.withdraw', slots: { requestNo: 'BX-202611-0007' } }))
    expect(await parserFor({}).parse(text, NOW)).toMatchObject({ intent: 'request.withdraw', slots: { requestNo: 'BX-202611-0007' }, source: 'llm' })

    fake.behave(toolCall({ intent: 'request.withdraw', slots: { requestNo: 'BX-202611-0042' } }))
    expect(await parserFor({}).parse('把我那个单子弄没了吧', NOW)).toEqual({ intent: 'request.withdraw', slots: {}, confidence: 0.8, source: 'llm' })
  })

  it('cannot turn a held-off decision into one, nor a refusal into an approval', async () => {
    // Both lines are below the bar (words the rules do not know), so the model is asked.
    const held = '先别同意，等我周一跟财务对一下账再说'
    const refused = '老板觉得实在没法同意'
    expect(parseWithRules(held, NOW)).toMatchObject({ intent: 'unknown', slots: {} })
    expect(parseWithRules(refused, NOW)).toMatchObject({ intent: 'approval.reject' })
    for (const text of [held, refused]) expect(parseWithRules(text, NOW).confidence).toBeLessThan(CONFIDENCE_BAR)

    for (const intent of ['approval.approve', 'approval.reject'] as const) {
      fake.behave(toolCall({ intent, slots: {} }))
      expect(await parserFor({}).parse(held, NOW)).toEqual(parseWithRules(held, NOW))
    }
    fake.behave(toolCall({ intent: 'approval.approve', slots: {} }))
    expect(await parserFor({}).parse(refused, NOW)).toEqual(parseWithRules(refused, NOW))
    expect(fake.requests).toHaveLength(3)
    expect(logged).toEqual(Array(3).fill('LLM fallback not used, rules answer: the model read a negated decision as a decision'))

    // Reading the refusal as one is the model's to add to.
    fake.behave(toolCall({ intent: 'approval.reject', slots: { reason: '老板觉得不妥' } }))
    expect(await parserFor({}).parse(refused, NOW)).toEqual({ intent: 'approval.reject', slots: { reason: '老板觉得不妥' }, confidence: 0.8, source: 'llm' })
  })

  it('keeps a day ahead where one is expected: a purchase wanted next month, this month as an expense period', async () => {
    fake.behave(toolCall({ intent: 'purchase.request', slots: { item: '打印纸', date: '2026-12-10' } }))
    expect(await parserFor({}).parse(VAGUE, NOW)).toMatchObject({ intent: 'purchase.request', slots: { date: '2026-12-10' }, source: 'llm' })
    fake.behave(toolCall({ intent: 'expense.submit', slots: { period: { from: '2026-11-01', to: '2026-11-30' } } }))
    expect(await parserFor({}).parse(VAGUE, NOW)).toMatchObject({ intent: 'expense.submit', slots: { period: { from: '2026-11-01', to: '2026-11-30' } }, source: 'llm' })
    expect(logged).toEqual([])
  })

  it('is not used when it adds nothing (unknown, no slots): the rules answer', async () => {
    fake.behave(toolCall({ intent: 'unknown', slots: {} }))
    expect(await parserFor({}).parse('今天天气怎么样', NOW)).toEqual(parseWithRules('今天天气怎么样', NOW))
  })
})

describe('when the model fails, the rules answer', () => {
  const rulesAnswer = parseWithRules(HALF_UNDERSTOOD, NOW)

  it.each([
    ['cut-off JSON', { toolArguments: '{"intent": "expense.submit", "slots": {"amount": 3' }],
    ['prose instead of JSON', { toolArguments: '好的，这是一个报销申请' }],
    ['a text answer with no tool call', { content: '{"intent":"expense.submit","slots":{}}' }],
  ])('malformed output: %s', async (_, reply) => {
    fake.behave(reply)
    expect(await parserFor({}).parse(HALF_UNDERSTOOD, NOW)).toEqual(rulesAnswer)
    expect(logged).toHaveLength(1)
  })

  it.each([
    ['an intent outside the contract', { intent: 'approval.approve_all', slots: {} }],
    ['a missing intent', { slots: { amount: 320 } }],
    ['an amount as a string', { intent: 'expense.submit', slots: { amount: '320' } }],
    ['a negative amount', { intent: 'expense.submit', slots: { amount: -320 } }],
    ['a category outside the enum', { intent: 'expense.submit', slots: { category: 'taxi' } }],
    ['a fractional quantity', { intent: 'purchase.request', slots: { quantity: 2.5 } }],
    ['a date in another format', { intent: 'expense.submit', slots: { date: '2026/11/24' } }],
    ['a day that does not exist', { intent: 'expense.submit', slots: { date: '2026-02-30' } }],
    ['a period that ends before it starts', { intent: 'expense.submit', slots: { period: { from: '2026-11-22', to: '2026-11-16' } } }],
    ['a period without an end', { intent: 'expense.submit', slots: { period: { from: '2026-11-16' } } }],
    ['a malformed request number', { intent: 'request.status', slots: { requestNo: 'bx-202611-7' } }],
    ['slots as a list', { intent: 'expense.submit', slots: ['amount', 320] }],
    ['an amount beyond what a request can carry', { intent: 'expense.submit', slots: { amount: 1e12 } }],
    ['a budget beyond what a request can carry', { intent: 'purchase.request', slots: { item: '服务器', budget: 100_000_000.01 } }],
    ['an expense dated after today', { intent: 'expense.submit', slots: { date: '2026-11-26' } }],
    ['an expense over 365 days back', { intent: 'expense.submit', slots: { date: '2025-11-24' } }],
    ['an expense period that has not begun', { intent: 'expense.submit', slots: { period: { from: '2026-12-01', to: '2026-12-31' } } }],
  ])('schema-violating output: %s', async (_, answer) => {
    fake.behave(toolCall(answer))
    expect(await parserFor({}).parse(HALF_UNDERSTOOD, NOW)).toEqual(rulesAnswer)
    expect(logged).toHaveLength(1)
    expect(logged[0]).toMatch(/^LLM fallback not used, rules answer: /)
    // The log says why, never what the person typed.
    expect(logged[0]).not.toContain('撸串')
  })

  it('a slow model is abandoned within the timeout', async () => {
    fake.delayMs = 5000
    fake.behave(toolCall({ intent: 'expense.submit', slots: { category: 'entertainment' } }))
    const started = performance.now()
    const parsed = await parserFor({ OPENAI_TIMEOUT_MS: '300' }).parse(HALF_UNDERSTOOD, NOW)
    const elapsed = performance.now() - started
    expect(parsed).toEqual(rulesAnswer)
    expect(elapsed).toBeGreaterThanOrEqual(290)
    expect(elapsed).toBeLessThan(1000)
    expect(fake.requests).toHaveLength(1)
    expect(logged).toEqual(['LLM fallback not used, rules answer: no answer within 300 ms'])
  })

  it('HTTP 500: one try, no retries', async () => {
    fake.behave({ status: 500 })
    expect(await parserFor({}).parse(HALF_UNDERSTOOD, NOW)).toEqual(rulesAnswer)
    expect(fake.requests).toHaveLength(1)
    expect(logged).toEqual(['LLM fallback not used, rules answer: HTTP 500'])
  })

  it('HTTP 401 from a wrong key', async () => {
    await fake.close()
    fake = await startFakeOpenAi({ apiKey: 'sk-right' })
    fake.behave(toolCall({ intent: 'expense.submit', slots: {} }))
    expect(await parserFor({ OPENAI_API_KEY: 'sk-wrong' }).parse(HALF_UNDERSTOOD, NOW)).toEqual(rulesAnswer)
    expect(fake.requests).toHaveLength(1)
    expect(logged).toEqual(['LLM fallback not used, rules answer: HTTP 401'])
  })

  it('nothing listening at the base URL', async () => {
    const parser = parserFor({})
    await fake.close()
    expect(await parser.parse(HALF_UNDERSTOOD, NOW)).toEqual(rulesAnswer)
    expect(logged).toHaveLength(1)
  })
})

describe('settings', () => {
  it('reject a timeout that is not a sensible number of milliseconds, in Chinese and English', () => {
    for (const bad of ['abc', '50', '3.5', '600000'])
      expect(() => parserFor({ OPENAI_TIMEOUT_MS: bad })).toThrow(/OPENAI_TIMEOUT_MS 必须是 .* must be an integer from 100 to 60000/)
  })
})
