import { z } from 'zod'
import { isCalendarDay } from '../../bot/nlu/rules/calendar.js'
import { defaultRange, type DashboardFilter } from './dashboard-data.js'

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)

const querySchema = z.object({
  from: day.optional().or(z.literal('')),
  to: day.optional().or(z.literal('')),
  departmentId: z.string().max(64).optional(),
})

/** From a query string to a valid range (defaults: the last 30 days; at most a year; from ≤ to). */
export function dashboardFilter(query: Record<string, string>, now: number): DashboardFilter | { error: string } {
  const parsed = querySchema.safeParse(query)
  if (!parsed.success) return { error: '日期格式应为 YYYY-MM-DD / dates must be YYYY-MM-DD' }
  // The pattern admits 2026-13-45 and 2026-02-31, which would make an empty (or shifted) report look real.
  const impossible = [parsed.data.from, parsed.data.to].find((d) => d && !isCalendarDay(d))
  if (impossible) return { error: `日期不存在：${impossible} / no such date: ${impossible}` }
  const fallback = defaultRange(now)
  const from = parsed.data.from || fallback.from
  const to = parsed.data.to || fallback.to
  const span = (Date.parse(to) - Date.parse(from)) / 86_400_000
  if (span < 0) return { error: '开始日期不能晚于结束日期 / from must not be after to' }
  if (span > 366) return { error: '时间范围最多一年 / the range is at most one year' }
  return { from, to, departmentId: parsed.data.departmentId || undefined }
}
