/**
 * Calendar days in Asia/Shanghai. China has kept UTC+8 without daylight saving since 1991,
 * so fixed-offset arithmetic on UTC dates is exact and needs no time-zone database.
 */
export interface Day {
  y: number
  /** 1–12 */
  m: number
  d: number
}

export interface DayRange {
  from: Day
  to: Day
}

const SHANGHAI_OFFSET_MS = 8 * 3600_000

export function shanghaiToday(now: Date): Day {
  const t = new Date(now.getTime() + SHANGHAI_OFFSET_MS)
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() }
}

function fromUtc(t: Date): Day {
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() }
}

export function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate()
}

export function isValidDay(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m)
}

/** An ISO day (YYYY-MM-DD) that exists: its pattern admits 2026-13-45 and 2026-02-31. */
export function isCalendarDay(iso: string): boolean {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number]
  return isValidDay(y, m, d)
}

export function addDays(day: Day, n: number): Day {
  return fromUtc(new Date(Date.UTC(day.y, day.m - 1, day.d + n)))
}

/** The month `n` months after (y, m); n may be negative. */
export function addMonths(y: number, m: number, n: number): { y: number; m: number } {
  const index = y * 12 + (m - 1) + n
  return { y: Math.floor(index / 12), m: (index % 12) + 1 }
}

/** 1 = Monday … 7 = Sunday: Chinese weeks start on Monday. */
export function isoWeekday(day: Day): number {
  const w = new Date(Date.UTC(day.y, day.m - 1, day.d)).getUTCDay()
  return w === 0 ? 7 : w
}

export function dayNumber(day: Day): number {
  return Date.UTC(day.y, day.m - 1, day.d) / 86_400_000
}

export function monthRange(y: number, m: number): DayRange {
  return { from: { y, m, d: 1 }, to: { y, m, d: daysInMonth(y, m) } }
}

export function weekRange(today: Day, weeksFromNow: number): DayRange {
  const monday = addDays(today, 1 - isoWeekday(today) + 7 * weeksFromNow)
  return { from: monday, to: addDays(monday, 6) }
}

export function quarterRange(y: number, q: number): DayRange {
  const first = (q - 1) * 3 + 1
  return { from: { y, m: first, d: 1 }, to: { y, m: first + 2, d: daysInMonth(y, first + 2) } }
}

export function yearRange(y: number): DayRange {
  return { from: { y, m: 1, d: 1 }, to: { y, m: 12, d: 31 } }
}

export function formatDay(day: Day): string {
  return `${String(day.y).padStart(4, '0')}-${String(day.m).padStart(2, '0')}-${String(day.d).padStart(2, '0')}`
}
