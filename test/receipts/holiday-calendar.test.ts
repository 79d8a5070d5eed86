import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadClaimInsight } from '../../workflow/receipts/anomalies/claim-insight.js'
import { BUILT_IN_CALENDAR, HolidayCalendar, holidayYearSchema } from '../../workflow/receipts/anomalies/china-calendar.js'
import { AdminClient } from '../miniapp/admin-client.js'
import { DB_KINDS } from '../helpers/databases.js'
import { ReceiptsSystem } from './receipts-system.js'
import { seedClaim } from './seeded-claims.js'

const NOW = Date.parse('2026-11-25T10:00:00+08:00')
/** An admin's year, as they would type the notice in: Spring Festival the week of 8 February, Saturday the 20th worked. */
const YEAR_2027 = { holidays: [{ name: '春节', from: '2027-02-06', to: '2027-02-12' }], workdays: ['2027-02-20'] }

describe('holiday calendar', () => {
  it('knows the built-in years and weekends elsewhere; an admin’s year replaces or extends them', () => {
    expect(BUILT_IN_CALENDAR.dayKind('2026-10-03')).toEqual({ kind: 'holiday', label: '国庆节假期' })
    expect(BUILT_IN_CALENDAR.dayKind('2026-10-10')).toEqual({ kind: 'workday' })
    expect(BUILT_IN_CALENDAR.dayKind('2027-02-08')).toEqual({ kind: 'workday' })
    expect(BUILT_IN_CALENDAR.dayKind('2027-02-20')).toEqual({ kind: 'weekend', label: '星期六' })
    const custom = new HolidayCalendar([{ year: 2027, ...YEAR_2027 }, { year: 2026, holidays: [], workdays: [] }])
    expect(custom.dayKind('2027-02-08')).toEqual({ kind: 'holiday', label: '春节假期' })
    expect(custom.dayKind('2027-02-20')).toEqual({ kind: 'workday' })
    // 2026 as the admin saved it (no holidays): 国庆 is an ordinary Saturday, the make-up day an ordinary weekend.
    expect(custom.dayKind('2026-10-03')).toEqual({ kind: 'weekend', label: '星期六' })
    expect(custom.dayKind('2026-10-10')).toEqual({ kind: 'weekend', label: '星期六' })
    expect(custom.years().map((y) => [y.year, y.source])).toEqual([[2025, 'built-in'], [2026, 'custom'], [2027, 'custom']])
  })

  it.each([
    [{ year: 2027, holidays: [{ name: '春节', from: '2028-02-06', to: '2028-02-12' }], workdays: [] }, '日期不在 2027 年内：2028-02-06、2028-02-12'],
    [{ year: 2027, holidays: [{ name: '春节', from: '2027-02-12', to: '2027-02-06' }], workdays: [] }, '春节的开始日期晚于结束日期'],
    [{ year: 2027, holidays: YEAR_2027.holidays, workdays: ['2027-02-07'] }, '调休上班日落在假期内：2027-02-07'],
    [{ year: 2027, holidays: [], workdays: ['2027-02-30'] }, '不是有效的日期'],
  ])('refuses a year that cannot be right: %j', (year, message) => {
    const result = holidayYearSchema.safeParse(year)
    expect(result.success).toBe(false)
    expect(result.error!.issues.map((i) => i.message)).toContain(message)
  })
})

describe.each(DB_KINDS)('holiday calendar in the admin app and the rest-day flag (%s)', (kind) => {
  let t: ReceiptsSystem
  beforeAll(async () => {
    t = await ReceiptsSystem.start(kind, () => NOW)
  })
  afterAll(async () => {
    await t.close()
  })

  it('lets an admin add a year, refuses others and bad years, and reverts to the default', async () => {
    for (const user of ['zhangsan', 'sunba']) {
      const client = await AdminClient.signIn(t.app, user)
      expect((await client.get('/api/admin/settings/holidays')).status).toBe(403)
      expect((await client.request('/api/admin/settings/holidays/2027', { method: 'PUT', body: YEAR_2027 })).status).toBe(403)
    }
    const admin = await AdminClient.signIn(t.app, 'admin')
    const before = (await (await admin.get('/api/admin/settings/holidays')).json()) as { years: Array<{ year: number; source: string }> }
    expect(before.years.map((y) => [y.year, y.source])).toEqual([[2025, 'built-in'], [2026, 'built-in']])

    const bad = await admin.request('/api/admin/settings/holidays/2027', { method: 'PUT', body: { ...YEAR_2027, workdays: ['2027-02-07'] } })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { message: string }).message).toContain('调休上班日落在假期内：2027-02-07')
    expect((await admin.request('/api/admin/settings/holidays/1999', { method: 'PUT', body: YEAR_2027 })).status).toBe(400)
    expect((await admin.request('/api/admin/settings/holidays/2027', { method: 'PUT', body: { holidays: 'none' } })).status).toBe(400)

    const saved = await admin.request('/api/admin/settings/holidays/2027', { method: 'PUT', body: YEAR_2027 })
    expect(saved.status).toBe(200)
    const after = (await (await admin.get('/api/admin/settings/holidays')).json()) as { years: Array<{ year: number; source: string; workdays: string[] }> }
    expect(after.years.map((y) => [y.year, y.source])).toEqual([[2025, 'built-in'], [2026, 'built-in'], [2027, 'custom']])
    expect(after.years[2]!.workdays).toEqual(['2027-02-20'])
    const audit = await t.database.db.selectFrom('audit_log').select(['action', 'entity_id', 'actor_id']).where('entity_id', '=', 'holidays').execute()
    expect(audit).toEqual([{ action: 'setting.saved', entity_id: 'holidays', actor_id: 'admin' }])

    const reverted = await admin.request('/api/admin/settings/holidays/2027', { method: 'DELETE' })
    expect(reverted.status).toBe(200)
    expect(((await reverted.json()) as { years: Array<{ year: number }> }).years.map((y) => y.year)).toEqual([2025, 2026])
  })

  it('shows admins one form per year and the next on the settings page, taking holidays as typed lines', async () => {
    const finance = await AdminClient.signIn(t.app, 'sunba')
    expect(await (await finance.get('/miniapp/settings')).text()).not.toContain('id="holiday-settings"')
    const admin = await AdminClient.signIn(t.app, 'admin')
    const page = await (await admin.get('/miniapp/settings')).text()
    expect(page).toContain('id="holiday-settings"')
    expect([...page.matchAll(/data-post="\/api\/admin\/settings\/holidays\/(\d{4})"/g)].map((m) => m[1])).toEqual(['2025', '2026', '2027'])
    expect(page).toContain('国庆节 2026-10-01 2026-10-07')
    expect(page).toContain('value="2026-01-04 2026-02-14 2026-02-28 2026-05-09 2026-09-20 2026-10-10"')

    const typed = await admin.request('/api/admin/settings/holidays/2028', { method: 'PUT', body: { holidays: '元旦 2028-01-01\n春节 2028-01-25 至 2028-02-01\n', workdays: '2028-02-05, 2028-02-06' } })
    expect(typed.status).toBe(200)
    const saved = ((await typed.json()) as { years: Array<{ year: number; holidays: unknown; workdays: string[] }> }).years.find((y) => y.year === 2028)!
    expect(saved).toMatchObject({ holidays: [{ name: '元旦', from: '2028-01-01', to: '2028-01-01' }, { name: '春节', from: '2028-01-25', to: '2028-02-01' }], workdays: ['2028-02-05', '2028-02-06'] })
    const badLine = await admin.request('/api/admin/settings/holidays/2028', { method: 'PUT', body: { holidays: '元旦 2028-01-01\n春节放七天', workdays: '' } })
    expect(badLine.status).toBe(400)
    expect(((await badLine.json()) as { message: string }).message).toContain('第 2 行应为「名称 开始日期 结束日期」')
    const after = await (await admin.get('/miniapp/settings')).text()
    expect([...after.matchAll(/data-post="\/api\/admin\/settings\/holidays\/(\d{4})"/g)].map((m) => m[1])).toEqual(['2025', '2026', '2028', '2029'])
    expect(after).toContain('data-call="/api/admin/settings/holidays/2028" data-method="DELETE"')
    expect((await admin.request('/api/admin/settings/holidays/2028', { method: 'DELETE' })).status).toBe(200)
  })

  it('flags a claim on a holiday the admin added, and not one on the make-up Saturday', async () => {
    const db = t.database.db
    const onHoliday = await seedClaim(db, { by: 'lisi', amount: 300, category: 'office', date: '2027-02-08', status: 'pending' })
    const onMakeUpDay = await seedClaim(db, { by: 'lisi', amount: 200, category: 'office', date: '2027-02-20', status: 'pending' })
    const flags = async (id: string) => (await loadClaimInsight(db, id, NOW))!.flags.filter((f) => f.code === 'rest_day')
    // The code does not know 2027: a Monday is a workday and a Saturday a weekend.
    expect(await flags(onHoliday.id)).toEqual([])
    expect((await flags(onMakeUpDay.id))[0]?.reason).toBe('发生日期 2027-02-20 是星期六，办公费通常在工作日发生')

    const admin = await AdminClient.signIn(t.app, 'admin')
    expect((await admin.request('/api/admin/settings/holidays/2027', { method: 'PUT', body: YEAR_2027 })).status).toBe(200)
    expect(await flags(onHoliday.id)).toEqual([{ code: 'rest_day', reason: '发生日期 2027-02-08 是春节假期，办公费通常在工作日发生' }])
    expect(await flags(onMakeUpDay.id)).toEqual([])
  })
})
