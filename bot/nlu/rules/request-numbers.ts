import type { Scan } from './scan.js'

// BX-202611-0007: two-letter type, year-month, sequence. People drop or space the dashes.
const REQUEST_NO = /(?<![a-z0-9])(?<type>[a-z]{2})\s*[-_]?\s*(?<ym>20\d{2}(?:0[1-9]|1[0-2]))\s*[-_]?\s*(?<seq>\d{4,})(?!\d)/g

export interface RequestNoMention {
  requestNo: string
  start: number
  end: number
}

/** Request numbers in the text, written the canonical way (upper case, dashes). Claims what it reads. */
export function findRequestNumbers(scan: Scan): RequestNoMention[] {
  const found: RequestNoMention[] = []
  for (const m of scan.matches(REQUEST_NO)) {
    const g = m.groups!
    found.push({ requestNo: `${g.type!.toUpperCase()}-${g.ym}-${g.seq}`, start: m.index, end: m.index + m[0].length })
    scan.claim(m.index, m.index + m[0].length)
  }
  return found
}
