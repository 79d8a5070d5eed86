import { TZDate } from '@date-fns/tz'
import { format } from 'date-fns'

/** All calendar logic (months, request numbers, voucher dates) is in the company's zone. */
export const COMPANY_TIME_ZONE = 'Asia/Shanghai'

function inCompanyZone(epochMs: number): TZDate {
  return new TZDate(epochMs, COMPANY_TIME_ZONE)
}

/** "2026-11-25" */
export function companyDate(epochMs: number): string {
  return format(inCompanyZone(epochMs), 'yyyy-MM-dd')
}

/** "202611" */
export function companyMonth(epochMs: number): string {
  return format(inCompanyZone(epochMs), 'yyyyMM')
}

/** "2026-11-25 10:00" */
export function companyDateTime(epochMs: number): string {
  return format(inCompanyZone(epochMs), 'yyyy-MM-dd HH:mm')
}

/** Epoch ms of 00:00 in the company's zone on an ISO date ("2026-11-25"). */
export function startOfCompanyDay(isoDate: string): number {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number]
  return new TZDate(y, m - 1, d, COMPANY_TIME_ZONE).getTime()
}

/** "11-25 10:00": short enough for a card line. */
export function companyShortDateTime(epochMs: number): string {
  return format(inCompanyZone(epochMs), 'MM-dd HH:mm')
}
