/**
 * Public holidays and the weekend days worked in exchange (调休), from the State Council's yearly
 * notices (国务院办公厅关于部分节假日安排的通知). Years not listed fall back to plain weekends;
 * add each year when its notice is published (usually in November).
 */
const YEARS: Record<number, { holidays: Array<[string, string, string]>; workdays: string[] }> = {
  2025: {
    holidays: [
      ['元旦', '01-01', '01-01'],
      ['春节', '01-28', '02-04'],
      ['清明节', '04-04', '04-06'],
      ['劳动节', '05-01', '05-05'],
      ['端午节', '05-31', '06-02'],
      ['国庆节、中秋节', '10-01', '10-08'],
    ],
    workdays: ['01-26', '02-08', '04-27', '09-28', '10-11'],
  },
  2026: {
    holidays: [
      ['元旦', '01-01', '01-03'],
      ['春节', '02-15', '02-23'],
      ['清明节', '04-04', '04-06'],
      ['劳动节', '05-01', '05-05'],
      ['端午节', '06-19', '06-21'],
      ['中秋节', '09-25', '09-27'],
      ['国庆节', '10-01', '10-07'],
    ],
    workdays: ['01-04', '02-14', '02-28', '05-09', '09-20', '10-10'],
  },
}

const WEEKDAYS = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六']

export type DayKind = { kind: 'workday' } | { kind: 'weekend'; label: string } | { kind: 'holiday'; label: string }

/** Whether a company day (YYYY-MM-DD) is a working day in mainland China. */
export function dayKindOf(isoDate: string): DayKind {
  const year = YEARS[Number(isoDate.slice(0, 4))]
  const monthDay = isoDate.slice(5)
  if (year?.workdays.includes(monthDay)) return { kind: 'workday' }
  const holiday = year?.holidays.find(([, from, to]) => monthDay >= from && monthDay <= to)
  if (holiday) return { kind: 'holiday', label: `${holiday[0]}假期` }
  const weekday = new Date(`${isoDate}T00:00:00Z`).getUTCDay()
  return weekday === 0 || weekday === 6 ? { kind: 'weekend', label: WEEKDAYS[weekday]! } : { kind: 'workday' }
}
