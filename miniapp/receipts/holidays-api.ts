import { zValidator } from '@hono/zod-validator'
import { Hono } from 'hono'
import { z } from 'zod'
import { HolidayCalendar } from '../../workflow/receipts/anomalies/china-calendar.js'
import type { AppSettings } from '../../workflow/receipts/settings/app-settings.js'
import { requireRole } from '../auth/require-role.js'
import { viewerOf, type AdminEnv } from '../auth/viewer.js'
import { domainErrorResponse, validationFailed } from '../http/api-errors.js'

const yearParam = z.object({ year: z.coerce.number().int().min(2000).max(2100) })

/** One holiday per line as an admin types it: 「春节 2027-02-06 2027-02-12」, or a single date for one day. */
const HOLIDAY_LINE = /^(\S+)\s+(\d{4}-\d{2}-\d{2})(?:\s*(?:至|到|~|～|–|—|-)?\s*(\d{4}-\d{2}-\d{2}))?$/

/** Lines typed on the settings page become holidays; a line that is not one is named in the error. */
function holidaysFromLines(text: string, ctx: z.RefinementCtx): Array<{ name: string; from: string; to: string }> {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .flatMap((line, i) => {
      if (line === '') return []
      const m = HOLIDAY_LINE.exec(line)
      if (!m) {
        ctx.addIssue({ code: 'custom', message: `第 ${i + 1} 行应为「名称 开始日期 结束日期」，例如「春节 2027-02-06 2027-02-12」/ line ${i + 1}: name, first day, last day` })
        return []
      }
      return [{ name: m[1]!, from: m[2]!, to: m[3] ?? m[2]! }]
    })
}

/** The shape only (lists, or the settings page's text); the settings check every date against the year, ranges and clashes. */
const yearBody = z.object({
  holidays: z
    .union([z.array(z.object({ name: z.string(), from: z.string(), to: z.string() })).max(30), z.string().max(3000)])
    .transform((v, ctx) => (typeof v === 'string' ? holidaysFromLines(v, ctx) : v)),
  workdays: z.union([z.array(z.string()).max(30), z.string().max(1000)]).transform((v) => (typeof v === 'string' ? v.split(/[\s,，;；、]+/).filter(Boolean) : v)),
})

/**
 * The holiday calendar the rest-day flag judges by: the built-in years, and years an admin saves
 * (a new year's State Council notice, or a local correction) in place of or beside them.
 */
export function holidaysApi(settings: AppSettings): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>()
  const calendar = async () => new HolidayCalendar((await settings.read('holidays')).years)

  app.get('/api/admin/settings/holidays', requireRole('admin'), async (c) => c.json({ years: (await calendar()).years() }))

  app.put('/api/admin/settings/holidays/:year', requireRole('admin'), zValidator('param', yearParam, validationFailed), zValidator('json', yearBody, validationFailed), async (c) => {
    const { year } = c.req.valid('param')
    const current = await settings.read('holidays')
    const saved = await settings.write('holidays', { years: [...current.years.filter((y) => y.year !== year), { year, ...c.req.valid('json') }] }, viewerOf(c).id)
    return c.json({ ok: true, message: `已保存 ${year} 年的节假日安排 / saved`, years: new HolidayCalendar(saved.years).years() })
  })

  // Back to the built-in year, or to weekends only for a year the code does not know.
  app.delete('/api/admin/settings/holidays/:year', requireRole('admin'), zValidator('param', yearParam, validationFailed), async (c) => {
    const { year } = c.req.valid('param')
    const current = await settings.read('holidays')
    const saved = await settings.write('holidays', { years: current.years.filter((y) => y.year !== year) }, viewerOf(c).id)
    return c.json({ ok: true, message: `已恢复 ${year} 年的默认安排 / reverted`, years: new HolidayCalendar(saved.years).years() })
  })

  app.onError(domainErrorResponse)
  return app
}
