import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PolicyBlockedError } from '../../workflow/errors.js'
import { checkInvoiceNumber } from '../../workflow/policy/invoice-numbers.js'
import type { PolicyFinding } from '../../workflow/policy/policy-rules.js'
import type { ExpensePayload } from '../../workflow/request-types.js'
import { DB_KINDS } from '../helpers/databases.js'
import { FlowHarness } from './flow-harness.js'

describe('invoice number formats (发票号码)', () => {
  it.each([
    { number: '24312000000012345678', code: undefined, key: '24312000000012345678' },
    { number: '2431 2000 0000 1234 5678', code: undefined, key: '24312000000012345678' },
    { number: '12345678', code: '1100204130', key: '1100204130-12345678' },
    { number: '12345678', code: '011002000111', key: '011002000111-12345678' },
  ])('accepts $number / $code', ({ number, code, key }) => {
    expect(checkInvoiceNumber({ number, code })).toEqual({ ok: true, key })
  })

  it.each([
    { number: '2431200000001234567', code: undefined, problem: /格式不正确/ },
    { number: '24312000000012345678', code: '1100204130', problem: /数电票号码 .* 不应填写发票代码/ },
    { number: '12345678', code: undefined, problem: /需同时填写 10 位或 12 位发票代码/ },
    { number: '12345678', code: '11002041301', problem: /发票代码 11002041301 应为 10 位或 12 位数字/ },
    { number: 'ABCDEFGH', code: '1100204130', problem: /格式不正确/ },
  ])('refuses $number / $code', ({ number, code, problem }) => {
    const checked = checkInvoiceNumber({ number, code })
    expect(checked.ok).toBe(false)
    expect(checked.ok ? '' : checked.problem).toMatch(problem)
  })
})

describe.each(DB_KINDS)('expense policy checks (%s)', (kind) => {
  let h: FlowHarness
  beforeAll(async () => {
    h = await FlowHarness.open(kind)
  })
  afterAll(async () => {
    await h.close()
  })

  const findings = async (requesterId: string, payload: ExpensePayload): Promise<PolicyFinding[]> => {
    const draft = await h.draft(requesterId, 'expense', payload)
    return (await h.view(draft.id)).policyFindings
  }
  const codes = (list: PolicyFinding[]) => list.map((f) => `${f.code}:${f.severity}`)

  /** The demo policies, one scenario each; the claim is previewed as a draft (what the requester sees first). */
  const cases: Array<{ name: string; requester: string; payload: ExpensePayload; expected: string[]; message?: RegExp; fix?: RegExp }> = [
    { name: 'a plain claim passes', requester: 'zhangsan', payload: { category: 'travel', amountFen: 3500_00 }, expected: [] },
    {
      name: 'lodging per night × level × city tier',
      requester: 'zhangsan',
      payload: { category: 'lodging', amountFen: 1300_00, city: '上海', nights: 2, invoices: [{ number: '24312000000000000001' }] },
      expected: ['LODGING_PER_NIGHT:warn'],
      message: /住宿费标准：职级 2 在一线城市（上海）每晚不超过 ¥500.00，本次 2 晚共 ¥1,300.00，超出 ¥300.00/,
      fix: /请在事由中说明原因/,
    },
    { name: 'a higher level has a higher standard', requester: 'wangwu', payload: { category: 'lodging', amountFen: 1300_00, city: '上海', nights: 2, invoices: [{ number: '24312000000000000002' }] }, expected: [] },
    // ¥450 a night passes in a tier-1 city (¥500 for level 2) but not in a tier-2 one (¥400); ¥350 not in a tier-3 one (¥300).
    { name: 'the same night in a tier-1 city is within the standard', requester: 'zhangsan', payload: { category: 'lodging', amountFen: 900_00, city: '上海', nights: 2 }, expected: [] },
    {
      name: 'a lower tier city has a lower standard',
      requester: 'zhangsan',
      payload: { category: 'lodging', amountFen: 900_00, city: '杭州', nights: 2 },
      expected: ['LODGING_PER_NIGHT:warn'],
      message: /^住宿费标准：职级 2 在二线城市（杭州）每晚不超过 ¥400.00，本次 2 晚共 ¥900.00，超出 ¥100.00$/,
    },
    {
      name: 'a tier-3 city has the lowest standard',
      requester: 'zhangsan',
      payload: { category: 'lodging', amountFen: 700_00, city: '洛阳', nights: 2 },
      expected: ['LODGING_PER_NIGHT:warn'],
      message: /^住宿费标准：职级 2 在三线及以下城市（洛阳）每晚不超过 ¥300.00，本次 2 晚共 ¥700.00，超出 ¥100.00$/,
    },
    { name: 'a city the policy does not list is held to the most lenient tier', requester: 'zhangsan', payload: { category: 'lodging', amountFen: 900_00, city: '拉萨', nights: 2 }, expected: [] },
    { name: 'per-claim cap (block)', requester: 'zhangsan', payload: { category: 'travel', amountFen: 60_000_00, attachments: 3 }, expected: ['CLAIM_CAP:block'], message: /报销单笔不超过 ¥50,000.00/, fix: /最多可报 ¥50,000.00/ },
    { name: 'category cap (warn)', requester: 'zhangsan', payload: { category: 'entertainment', amountFen: 3500_00 }, expected: ['ENTERTAINMENT_CAP:warn'] },
    { name: 'receipts above an amount', requester: 'zhangsan', payload: { category: 'office', amountFen: 6000_00 }, expected: ['RECEIPT_REQUIRED:warn'], fix: /请补充发票号码或上传票据照片/ },
    { name: 'invoice format', requester: 'zhangsan', payload: { category: 'office', amountFen: 100_00, invoices: [{ number: '123' }] }, expected: ['INVOICE_FORMAT:block'], fix: /对照发票票面/ },
    { name: 'the same invoice twice in one claim', requester: 'zhangsan', payload: { category: 'office', amountFen: 100_00, invoices: [{ number: '24312000000000000009' }, { number: '24312000000000000009' }] }, expected: ['INVOICE_DUPLICATE:block'] },
    { name: 'files that prove no cost are no receipt', requester: 'zhangsan', payload: { category: 'office', amountFen: 6000_00, attachments: 2, receipts: 0 }, expected: ['RECEIPT_REQUIRED:warn'] },
    { name: 'a photo among the files is one', requester: 'zhangsan', payload: { category: 'office', amountFen: 6000_00, attachments: 2, receipts: 1 }, expected: [] },
    {
      name: "an amount that is not its read invoices' total (warn, built in)",
      requester: 'zhangsan',
      payload: { category: 'office', amountFen: 530_00, invoices: [{ number: '24312000000000000011', totalFen: 530_00 }, { number: '24312000000000000012', totalFen: 200_00 }] },
      expected: ['INVOICE_TOTAL_MISMATCH:warn'],
      message: /^金额 ¥530.00 与发票合计 ¥730.00 不一致 \/ the amount ¥530.00 differs from the invoices' total ¥730.00$/,
      fix: /事由中说明/,
    },
    { name: "an amount that is its read invoices' total", requester: 'zhangsan', payload: { category: 'office', amountFen: 730_00, invoices: [{ number: '24312000000000000013', totalFen: 530_00 }, { number: '24312000000000000014', totalFen: 200_00 }] }, expected: [] },
    { name: 'typed invoice numbers say no total to compare', requester: 'zhangsan', payload: { category: 'office', amountFen: 999_00, invoices: [{ number: '24312000000000000015', totalFen: 530_00 }, { number: '24312000000000000016' }] }, expected: [] },
  ]

  it.each(cases)('$name', async ({ requester, payload, expected, message, fix }) => {
    const list = await findings(requester, payload)
    expect(codes(list)).toEqual(expected)
    if (message) expect(list[0]!.message).toMatch(message)
    if (fix) expect(list[0]!.fix).toMatch(fix)
  })

  it('a blocking finding stops the submission with every reason and fix; the draft stays', async () => {
    const draft = await h.draft('zhangsan', 'expense', { category: 'travel', amountFen: 60_000_00, invoices: [{ number: '1' }] })
    const error = await h.requests.submit(draft.id, 'zhangsan').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PolicyBlockedError)
    expect((error as PolicyBlockedError).findings.map((f) => f.code)).toEqual(['CLAIM_CAP', 'INVOICE_FORMAT'])
    expect((error as Error).message).toMatch(/未通过报销规则检查，暂不能提交：\n【CLAIM_CAP】/)
    expect(await h.status(draft.id)).toBe('draft')
  })

  it('warnings travel with the request to the approvers', async () => {
    const { request } = await h.expense('zhangsan', 3600, { category: 'entertainment' })
    expect(codes((await h.view(request.id)).policyFindings)).toEqual(['ENTERTAINMENT_CAP:warn'])
  })

  it('a duplicate invoice across claims is blocked until the first claim is rejected', async () => {
    const invoice = { number: '12345678', code: '1100204130' }
    const first = await h.expense('zhangsan', 200, { category: 'office', invoices: [invoice] })
    const dupe = await findings('wujiu', { category: 'office', amountFen: 200_00, invoices: [invoice] })
    expect(dupe).toEqual([expect.objectContaining({ code: 'INVOICE_DUPLICATE', message: `发票 1100204130-12345678 已在 ${first.request.request_no}（张三）中报销过` })])
    await h.reject(first.request.id, 'lisi', '发票抬头不对')
    expect(await findings('wujiu', { category: 'office', amountFen: 200_00, invoices: [invoice] })).toEqual([])
  })

  it('per-month cap counts the month the cost belongs to', async () => {
    await h.expense('zhaoliu', 200, { category: 'communication', date: '2026-10-05' })
    await h.expense('zhaoliu', 200, { category: 'communication', date: '2026-11-05' })
    const list = await findings('zhaoliu', { category: 'communication', amountFen: 150_00, date: '2026-11-20' })
    expect(codes(list)).toEqual(['COMMUNICATION_MONTHLY:block'])
    expect(list[0]!.message).toBe('2026-11 月通讯费已报 ¥200.00，加上本次 ¥150.00 共 ¥350.00，超过每月上限 ¥300.00')
    expect(list[0]!.fix).toBe('本月最多还可报 ¥100.00')
    // A month with nothing claimed yet (a past one: a day after today is refused before any policy runs).
    expect(await findings('zhaoliu', { category: 'communication', amountFen: 150_00, date: '2026-09-20' })).toEqual([])
  })

  it('split claims: several just under the limit within the window', async () => {
    const a = await h.expense('wujiu', 4800, { attachments: 1 })
    expect((await h.view(a.request.id)).policyFindings).toEqual([])
    await h.expense('wujiu', 4900, { attachments: 1 })
    const list = await findings('wujiu', { category: 'travel', amountFen: 4500_00, attachments: 1 })
    expect(codes(list)).toEqual(['SPLIT_CLAIM:warn'])
    expect(list[0]!.message).toMatch(/^7 天内已有 2 笔略低于 ¥5,000.00 的报销（BX-\d{6}-\d{4} ¥4,800.00、BX-\d{6}-\d{4} ¥4,900.00），加上本次共 3 笔，合计 ¥14,200.00，疑似拆分报销$/)
    h.clock += 8 * 24 * 3_600_000
    expect(await findings('wujiu', { category: 'travel', amountFen: 4500_00, attachments: 1 })).toEqual([])
  })

  it('policies are configurable: validated when saved, switched off when disabled', async () => {
    await expect(h.policies.save({ code: 'BAD', kind: 'claim_cap', severity: 'block', params: { maxFen: -1 } }, 'admin')).rejects.toThrow(/规则 BAD 的参数不正确/)
    await expect(h.policies.save({ code: 'X', kind: 'nope', severity: 'warn', params: {} }, 'admin')).rejects.toThrow(/规则代码|未知的规则类型/)
    await h.policies.save({ code: 'MEAL_CAP', kind: 'claim_cap', severity: 'warn', params: { category: 'meal', maxFen: 100_00 } }, 'admin')
    expect(codes(await findings('zhangsan', { category: 'meal', amountFen: 150_00 }))).toEqual(['MEAL_CAP:warn'])
    await h.policies.disable('MEAL_CAP', 'admin')
    expect(await findings('zhangsan', { category: 'meal', amountFen: 150_00 })).toEqual([])
  })
})
