import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DomainError } from '../../workflow/errors.js'
import { ExpenseDateError, type ExpensePayload } from '../../workflow/request-types.js'
import { DB_KINDS } from '../helpers/databases.js'
import { FlowHarness } from './flow-harness.js'

/** The harness's clock reads 2026-11-25 in Shanghai. */
describe.each(DB_KINDS)('the day an expense happened (%s)', (kind) => {
  let h: FlowHarness
  beforeAll(async () => {
    h = await FlowHarness.open(kind)
  })
  afterAll(async () => {
    await h.close()
  })

  const draft = (days: Partial<ExpensePayload>) => h.draft('zhangsan', 'expense', { category: 'communication', amountFen: 120_00, ...days })
  const refusal = (attempt: Promise<unknown>) => attempt.then(() => undefined, (error: unknown) => error)

  it.each([
    ['a day after today', { date: '2026-11-26' }, 'future', '发生日期不能晚于今天', /later than today \(2026-11-25\)/],
    ['a period that has not begun', { period: { from: '2026-12-01', to: '2026-12-31' } }, 'future', '发生日期不能晚于今天', /later than today/],
    ['a day more than 365 days back', { date: '2025-11-24' }, 'too_old', '发生日期不能早于 2025-11-25（超过 365 天的费用不能报销）', /earlier than 2025-11-25/],
    ['a period that began more than 365 days back', { period: { from: '2025-11-01', to: '2025-11-30' } }, 'too_old', '发生日期不能早于 2025-11-25（超过 365 天的费用不能报销）', /more than 365 days ago/],
  ] as const)('refuses %s when the draft is made, in Chinese and English', async (_, days, problem, zh, en) => {
    const error = await refusal(draft(days))
    expect(error).toBeInstanceOf(ExpenseDateError)
    expect(error).toMatchObject({ code: 'VALIDATION', problem, zh })
    expect((error as DomainError).en).toMatch(en)
  })

  it('takes today, the day 365 days back, and this month as a period', async () => {
    for (const days of [{ date: '2026-11-25' }, { date: '2025-11-25' }, { period: { from: '2026-11-01', to: '2026-11-30' } }]) {
      expect((await draft(days)).status).toBe('draft')
    }
  })

  it('refuses a change to such a day, and keeps the draft as it was', async () => {
    const made = await draft({ date: '2026-11-20' })
    expect(await refusal(h.requests.reviseDraft(made.id, 'zhangsan', { date: '2027-03-01' }))).toMatchObject({ problem: 'future' })
    const row = await h.db.selectFrom('requests').select(['payload', 'occurred_on']).where('id', '=', made.id).executeTakeFirstOrThrow()
    expect(JSON.parse(row.payload)).toMatchObject({ date: '2026-11-20' })
    expect(row.occurred_on).toBe('2026-11-20')
  })
})
