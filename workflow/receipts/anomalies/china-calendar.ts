import { z } from 'zod'

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), '不是有效的日期')

/** One year's public holidays and the weekend days worked in exchange (调休), as the State Council publishes them. */
export const holidayYearSchema = z
  .object({
    year: z.number().int().min(2000).max(2100),
    holidays: z.array(z.object({ name: z.string().trim().min(1).max(30), from: isoDate, to: isoDate })).max(30),
    workdays: z.array(isoDate).max(30),
  })
  .superRefine((y, ctx) => {
    const outside = [...y.holidays.flatMap((h) => [h.from, h.to]), ...y.workdays].filter((d) => Number(d.slice(0, 4)) !== y.year)
    if (outside.length > 0) ctx.addIssue({ code: 'custom', message: `日期不在 ${y.year} 年内：${outside.join('、')}` })
    for (const h of y.holidays) if (h.from > h.to) ctx.addIssue({ code: 'custom', message: `${h.name}的开始日期晚于结束日期` })
    const clashing = y.workdays.filter((d) => y.holidays.some((h) => d >= h.from && d <= h.to))
    if (clashing.length > 0) ctx.addIssue({ code: 'custom', message: `调休上班日落在假期内：${clashing.join('、')}` })
  })
export type HolidayYear = z.infer<typeof holidayYearSchema>

/**
 * From the State Council's yearly notices (国务院办公厅关于部分节假日安排的通知). Admins add later
 * years (the notice comes out in November) or correct these in the holiday setting.
 */
export const BUILT_IN_YEARS: readonly HolidayYear[] = [
  {
    year: 2025,
    holidays: [
      { name: '元旦', from: '2025-01-01', to: '2025-01-01' },
      { name: '春节', from: '2025-01-28', to: '2025-02-04' },
      { name: '清明节', from: '2025-04-04', to: '2025-04-06' },
      { name: '劳动节', from: '2025-05-01', to: '2025-05-05' },
      { name: '端午节', from: '2025-05-31', to: '2025-06-02' },
      { name: '国庆节、中秋节', from: '2025-10-01', to: '2025-10-08' },
    ],
    workdays: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
  },
  {
    year: 2026,
    holidays: [
      { name: '元旦', from: '2026-01-01', to: '2026-01-03' },
      { name: '春节', from: '2026-02-15', to: '2026-02-23' },
      { name: '清明节', from: '2026-04-04', to: '2026-04-06' },
      { name: '劳动节', from: '2026-05-01', to: '2026-05-05' },
      { name: '端午节', from: '2026-06-19', to: '2026-06-21' },
      { name: '中秋节', from: '2026-09-25', to: '2026-09-27' },
      { name: '国庆节', from: '2026-10-01', to: '2026-10-07' },
    ],
    workdays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  },
]

const WEEKDAYS = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六']

export type DayKind = { kind: 'workday' } | { kind: 'weekend'; label: string } | { kind: 'holiday'; label: string }

export interface CalendarYear extends HolidayYear {
  /** built-in: shipped with the code; custom: saved by an admin, replacing the built-in year if any. */
  source: 'built-in' | 'custom'
}

/** Mainland China's working days: the built-in years, with an admin's years in place of or beside them. */
export class HolidayCalendar {
  private readonly byYear = new Map<number, CalendarYear>()

  constructor(custom: readonly HolidayYear[] = []) {
    for (const y of BUILT_IN_YEARS) this.byYear.set(y.year, { ...y, source: 'built-in' })
    for (const y of custom) this.byYear.set(y.year, { ...y, source: 'custom' })
  }

  /** Every year the calendar knows, oldest first; other years count weekends only. */
  years(): CalendarYear[] {
    return [...this.byYear.values()].sort((a, b) => a.year - b.year)
  }

  /** Whether a company day (YYYY-MM-DD) is a working day. */
  dayKind(isoDate: string): DayKind {
    const year = this.byYear.get(Number(isoDate.slice(0, 4)))
    if (year?.workdays.includes(isoDate)) return { kind: 'workday' }
    const holiday = year?.holidays.find((h) => isoDate >= h.from && isoDate <= h.to)
    if (holiday) return { kind: 'holiday', label: `${holiday.name}假期` }
    const weekday = new Date(`${isoDate}T00:00:00Z`).getUTCDay()
    return weekday === 0 || weekday === 6 ? { kind: 'weekend', label: WEEKDAYS[weekday]! } : { kind: 'workday' }
  }
}

export const BUILT_IN_CALENDAR = new HolidayCalendar()
