import type { Kysely } from 'kysely'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { DbHandle } from '../../db/connect.js'
import type { Schema } from '../../db/schema.js'
import { seedDemoOrg } from '../../db/seeds/demo-org.js'
import { loadClaimInsight, loadFlaggedClaims } from '../../workflow/receipts/anomalies/claim-insight.js'
import { AppSettings } from '../../workflow/receipts/settings/app-settings.js'
import { DB_KINDS, freshDatabase } from '../helpers/databases.js'
import { COMPANY } from './invoice-fixtures.js'
import { seedAttachment, seedClaim, seedTask, type SeededClaim } from './seeded-claims.js'

const NOW = Date.parse('2026-11-25T10:00:00+08:00')
const MONTHS = ['2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10']

/** Weekdays between the 10th and the 18th: clear of every 2026 holiday. */
function weekday(month: string, n: number): string {
  const days: string[] = []
  for (let d = 10; d <= 18; d++) {
    const iso = `${month}-${String(d).padStart(2, '0')}`
    const dow = new Date(`${iso}T00:00:00Z`).getUTCDay()
    if (dow !== 0 && dow !== 6) days.push(iso)
  }
  return days[n % days.length]!
}

/** Six ordinary months of 研发部: trips every month, weekday meals and taxis. */
async function seedOrdinaryMonths(db: Kysely<Schema>): Promise<void> {
  const trips: Record<string, number[]> = { zhangsan: [2300, 2800, 2100, 3000, 2600, 2450], lisi: [1800, 2200, 2500, 2000, 2700, 2400], wangwu: [3000, 3500, 2800] }
  for (const [by, amounts] of Object.entries(trips)) {
    for (const [i, amount] of amounts.entries()) await seedClaim(db, { by, amount, category: 'travel', period: [`${MONTHS[i]}-03`, `${MONTHS[i]}-05`] })
  }
  const meals = [45, 62.5, 80, 55, 48, 71, 66, 52, 85, 40, 58, 64]
  for (const [i, amount] of meals.entries()) await seedClaim(db, { by: 'zhangsan', amount, category: 'meal', date: weekday(MONTHS[i % 6]!, i) })
  const taxis = [35, 42, 58.3, 47, 60, 39.5, 51, 44, 56, 38]
  for (const [i, amount] of taxis.entries()) await seedClaim(db, { by: 'zhangsan', amount, category: 'transport', date: weekday(MONTHS[i % 6]!, i + 3) })
}

describe.each(DB_KINDS)('anomaly flags and context on seeded history (%s)', (kind) => {
  let database: DbHandle
  let db: Kysely<Schema>
  let added: string[] = []

  beforeAll(async () => {
    database = await freshDatabase(kind)
    db = database.db
    await seedDemoOrg(db)
    await seedOrdinaryMonths(db)
  })
  afterAll(async () => {
    await database.close()
  })
  afterEach(async () => {
    if (added.length > 0) {
      await db.deleteFrom('approval_tasks').where('request_id', 'in', added).execute()
      await db.deleteFrom('attachments').where('request_id', 'in', added).execute()
      await db.deleteFrom('requests').where('id', 'in', added).execute()
    }
    await db.deleteFrom('app_settings').execute()
    added = []
  })

  const claim = async (c: SeededClaim) => {
    const seeded = await seedClaim(db, c)
    added.push(seeded.id)
    return seeded
  }
  const insight = async (id: string) => (await loadClaimInsight(db, id, NOW))!
  const codes = async (id: string) => (await insight(id)).flags.map((f) => f.code)

  it('raises nothing on a normal month', async () => {
    const normal = [
      await claim({ by: 'zhangsan', amount: 2600, category: 'travel', period: ['2026-11-02', '2026-11-04'] }),
      await claim({ by: 'zhangsan', amount: 62, category: 'meal', date: '2026-11-11' }),
      await claim({ by: 'zhangsan', amount: 48, category: 'transport', date: '2026-11-12' }),
      await claim({ by: 'lisi', amount: 260, category: 'office', date: '2026-11-16' }),
      await claim({ by: 'wangwu', amount: 3100, category: 'travel', period: ['2026-11-07', '2026-11-08'] }),
    ]
    for (const c of normal) expect(await insight(c.id), c.requestNo).toMatchObject({ flags: [] })
    expect(await loadFlaggedClaims(db, { from: '2026-05-01', to: '2026-11-25' })).toEqual([])
  })

  it('says where a claim stands in the month against the department', async () => {
    await claim({ by: 'zhangsan', amount: 2000, category: 'travel', period: ['2026-11-02', '2026-11-03'], submittedAt: NOW - 3 * 86_400_000 })
    await claim({ by: 'zhangsan', amount: 1500, category: 'travel', period: ['2026-11-09', '2026-11-10'], submittedAt: NOW - 2 * 86_400_000 })
    const third = await claim({ by: 'zhangsan', amount: 2100, category: 'travel', period: ['2026-11-16', '2026-11-17'], submittedAt: NOW - 86_400_000 })
    // May–Oct: 15 person-months of travel averaging ¥2,543.33; ¥5,600 is 120 % above.
    expect((await insight(third.id)).context).toBe('张三本月第3笔差旅费报销，累计 ¥5,600，高于部门月均 120%')
    const low = await claim({ by: 'lisi', amount: 1000, category: 'travel', period: ['2026-11-02', '2026-11-03'] })
    expect((await insight(low.id)).context).toBe('李四本月第1笔差旅费报销，累计 ¥1,000，低于部门月均 61%')
    // Another month is named; the department's meals (April–September, ¥118.30 a person-month) still compare.
    const october = await claim({ by: 'lisi', amount: 99.5, category: 'meal', date: '2026-10-15' })
    expect((await insight(october.id)).context).toBe('李四2026年10月第1笔餐费报销，累计 ¥99.50，低于部门月均 16%')
    // Without enough department history there is nothing to compare with.
    const sales = await claim({ by: 'zhaoliu', amount: 880, category: 'office', date: '2026-11-16' })
    expect((await insight(sales.id)).context).toBe('赵六本月第1笔办公费报销，累计 ¥880')
  })

  it('flags an amount far outside the requester’s own range, else the department’s', async () => {
    // 王五 has three trips of his own: too few, so the department's 15 are the yardstick.
    const wangwu = await claim({ by: 'wangwu', amount: 15000, category: 'travel', period: ['2026-11-16', '2026-11-20'] })
    expect((await insight(wangwu.id)).flags).toEqual([{ code: 'amount_outlier', reason: '金额 ¥15,000 远高于研发部的差旅费（中位数 ¥2,500，共 15 笔）' }])
    const big = await claim({ by: 'zhangsan', amount: 12000, category: 'travel', period: ['2026-11-16', '2026-11-20'] })
    expect((await insight(big.id)).flags).toEqual([{ code: 'amount_outlier', reason: '金额 ¥12,000 远高于张三以往的差旅费（中位数 ¥2,525，共 6 笔）' }])
    const usual = await claim({ by: 'zhangsan', amount: 3300, category: 'travel', period: ['2026-11-23', '2026-11-24'] })
    expect(await codes(usual.id)).toEqual([])
  })

  it('flags weekend and holiday dates only where the category makes them unusual', async () => {
    const sunday = await claim({ by: 'lisi', amount: 300, category: 'office', date: '2026-11-22' })
    expect((await insight(sunday.id)).flags).toEqual([{ code: 'rest_day', reason: '发生日期 2026-11-22 是星期日，办公费通常在工作日发生' }])
    const holiday = await claim({ by: 'lisi', amount: 300, category: 'office', date: '2026-10-03' })
    expect((await insight(holiday.id)).flags[0]?.reason).toBe('发生日期 2026-10-03 是国庆节假期，办公费通常在工作日发生')
    // 张三's twelve meals were all on weekdays: his department's habit, not a fixed list, decides.
    const saturdayMeal = await claim({ by: 'zhangsan', amount: 60, category: 'meal', date: '2026-11-21' })
    expect((await insight(saturdayMeal.id)).flags).toEqual([{ code: 'rest_day', reason: '发生日期 2026-11-21 是星期六，研发部的餐费很少发生在休息日' }])
    // A trip over a weekend, a make-up working Saturday (2026-10-10), a weekend taxi: nothing.
    expect(await codes((await claim({ by: 'zhangsan', amount: 2500, category: 'travel', period: ['2026-11-20', '2026-11-22'] })).id)).toEqual([])
    expect(await codes((await claim({ by: 'lisi', amount: 200, category: 'office', date: '2026-10-10' })).id)).toEqual([])
    expect(await codes((await claim({ by: 'wujiu', amount: 45, category: 'transport', date: '2026-11-22' })).id)).toEqual([])
  })

  it('flags the third round amount in 90 days, not the first two, and not one an invoice explains', async () => {
    const first = await claim({ by: 'wujiu', amount: 500, category: 'other', date: '2026-10-13' })
    const second = await claim({ by: 'wujiu', amount: 800, category: 'other', date: '2026-11-03' })
    const invoiced = await claim({ by: 'wujiu', amount: 600, category: 'other', date: '2026-11-05' })
    await seedAttachment(db, invoiced.id, 'wujiu', { sha256: 'b'.repeat(64), invoice: { number: '1', totalFen: 600_00, buyer: {}, items: [] } })
    const third = await claim({ by: 'wujiu', amount: 1000, category: 'other', date: '2026-11-17' })
    expect(await codes(first.id)).toEqual([])
    expect(await codes(second.id)).toEqual([])
    expect((await insight(third.id)).flags).toEqual([{ code: 'round_amounts', reason: `90 天内第 3 笔整百金额报销（${first.requestNo} ¥500、${second.requestNo} ¥800，本次 ¥1,000）` }])
  })

  it('flags claims of one kind within days that each stay under ¥5,000 but together pass it', async () => {
    const a = await claim({ by: 'wujiu', amount: 1836, category: 'entertainment', date: '2026-11-18' })
    const b = await claim({ by: 'wujiu', amount: 1912.5, category: 'entertainment', date: '2026-11-19' })
    expect(await codes(b.id)).toEqual([])
    const c = await claim({ by: 'wujiu', amount: 1744, category: 'entertainment', date: '2026-11-20' })
    expect((await insight(c.id)).flags).toEqual([
      { code: 'split_claim', reason: `前后 3 天内共 3 笔业务招待费（${a.requestNo} 2026-11-18 ¥1,836、${b.requestNo} 2026-11-19 ¥1,912.50，本次 ¥1,744），每笔低于 ¥5,000，合计 ¥5,492.50，可能是拆分报销` },
    ])
  })

  it('flags a receipt file or invoice another employee already used, whatever became of that claim', async () => {
    const rejected = await claim({ by: 'zhangsan', amount: 68, category: 'meal', date: '2026-11-10', status: 'rejected' })
    await seedAttachment(db, rejected.id, 'zhangsan', { sha256: 'a'.repeat(64) })
    const reuse = await claim({ by: 'lisi', amount: 68, category: 'meal', date: '2026-11-10' })
    await seedAttachment(db, reuse.id, 'lisi', { sha256: 'a'.repeat(64) })
    expect((await insight(reuse.id)).flags).toEqual([{ code: 'duplicate_receipt', reason: `同一个票据文件也出现在张三的 ${rejected.requestNo}（已驳回）中` }])
    const invoice = { number: '26112000000099998888' }
    const first = await claim({ by: 'wujiu', amount: 1200, category: 'entertainment', date: '2026-11-12', invoices: [invoice] })
    const second = await claim({ by: 'zhaoliu', amount: 1200, category: 'entertainment', date: '2026-11-12', invoices: [invoice] })
    expect((await insight(second.id)).flags).toEqual([{ code: 'duplicate_receipt', reason: `同一张发票也出现在吴九的 ${first.requestNo}（已通过）中` }])
  })

  it('flags a large amount approved within seconds without a comment', async () => {
    const quick = await claim({ by: 'zhaoliu', amount: 8000, category: 'entertainment', date: '2026-11-16', status: 'approved' })
    await seedTask(db, quick.id, { approver: 'zhouzong', createdAt: NOW - 3_600_000, decidedAfterMs: 5_000 })
    const commented = await claim({ by: 'zhaoliu', amount: 8000, category: 'entertainment', date: '2026-11-17' })
    await seedTask(db, commented.id, { approver: 'zhouzong', createdAt: NOW - 3_600_000, decidedAfterMs: 5_000, comment: '客户年会，已电话核实' })
    const small = await claim({ by: 'zhaoliu', amount: 1234, category: 'entertainment', date: '2026-11-18' })
    await seedTask(db, small.id, { approver: 'zhouzong', createdAt: NOW - 3_600_000, decidedAfterMs: 3_000 })
    expect((await insight(quick.id)).flags).toEqual([{ code: 'quick_approval', reason: '周总 收到后 5 秒即同意了这笔 ¥8,000 的业务招待费，未填写意见' }])
    expect(await codes(commented.id)).toEqual([])
    expect(await codes(small.id)).toEqual([])
    const listed = await loadFlaggedClaims(db, { from: '2026-11-01', to: '2026-11-25' })
    expect(listed.map((f) => [f.requestNo, f.flags.map((x) => x.code)])).toEqual([[quick.requestNo, ['quick_approval']]])
    // A department covers those below it (赵六 is in 销售部, under 总经办), as in flow conditions and the rest of the dashboard.
    for (const departmentId of ['d-sales', 'd-ceo']) {
      expect((await loadFlaggedClaims(db, { from: '2026-11-01', to: '2026-11-25', departmentId })).map((f) => f.requestNo)).toEqual([quick.requestNo])
    }
    expect(await loadFlaggedClaims(db, { from: '2026-11-01', to: '2026-11-25', departmentId: 'd-rd' })).toEqual([])
  })

  it('flags an invoice not made out to the company once the admin has set its tax id', async () => {
    const c = await claim({ by: 'zhangsan', amount: 530, category: 'office', date: '2026-11-18' })
    await seedAttachment(db, c.id, 'zhangsan', { sha256: 'c'.repeat(64), invoiceKey: '26112000000012345678', invoice: { number: '26112000000012345678', totalFen: 530_00, items: [], buyer: { name: '某某个人工作室', taxId: '92110105MA00000001' } } })
    expect(await codes(c.id)).toEqual([])
    await new AppSettings(db).write('company', { name: COMPANY.name, taxIds: [COMPANY.taxId] }, 'admin')
    expect((await insight(c.id)).flags).toEqual([
      { code: 'buyer_not_ours', reason: `发票 26112000000012345678：发票购买方为「某某个人工作室」（税号 92110105MA00000001），不是本公司 ${COMPANY.name}（${COMPANY.taxId}）` },
    ])
  })
})
