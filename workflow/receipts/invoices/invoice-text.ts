import { checkReading, isoDateOf, moneyToFen, normaliseTaxId, type InvoiceKind, type InvoiceReading } from './invoice.js'

/**
 * Reads an e-invoice from the text layer of its PDF: lines top to bottom, and within a line the
 * printed columns separated by a tab (the buyer's block left of the seller's on a 数电票).
 * Labels are matched with optional spaces between their characters ("名 称", "合 计"), both
 * colon widths, and both yuan signs (¥ U+00A5 and ￥ U+FFE5), as issuers print them.
 */
export function readInvoiceText(lines: readonly string[]): InvoiceReading {
  const text = lines.map((l) => l.replace(/\u3000/g, ' ')).join('\n')
  if (text.replace(/\s+/g, '').length < 20) return { ok: false, problem: 'PDF 没有文字层（可能是扫描件或图片）' }
  const number = match(text, /发\s*票\s*号\s*码\s*[:：]?\s*(\d{20}|\d{8})(?!\d)/)
  if (!number) return { ok: false, problem: 'PDF 中找不到发票号码，可能不是电子发票' }
  const issueDate = isoDateOf(match(text, /开\s*票\s*日\s*期\s*[:：]?\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}-\d{1,2}-\d{1,2})/))
  if (!issueDate) return { ok: false, problem: 'PDF 中找不到开票日期' }
  const kind = kindOf(text)
  const totals = totalsOf(lines, text, kind)
  if (totals.totalFen === null) return { ok: false, problem: 'PDF 中找不到价税合计金额' }
  const parties = partiesOf(text)
  const railway = kind === 'railway' ? railwayTrip(text) : { serviceDate: null, trip: null }
  return checkReading({
    source: 'pdf',
    kind,
    title: match(text, /(电子发票[（(][^）)\n]{2,16}[）)]|增值税电子(?:普通|专用)发票|电子普通发票)/),
    number,
    code: match(text, /发\s*票\s*代\s*码\s*[:：]?\s*(\d{12}|\d{10})(?!\d)/),
    issueDate,
    serviceDate: railway.serviceDate,
    amountFen: totals.amountFen,
    taxFen: totals.taxFen,
    totalFen: totals.totalFen,
    seller: parties.seller,
    buyer: parties.buyer,
    items: lines.flatMap((line) => {
      const item = /^\s*(\*[^*\t\n]+\*[^\t\n]*?)(?:\t|\s{2,}|$)/.exec(line)?.[1]?.trim()
      return item ? [item] : []
    }),
    trip: railway.trip,
  })
}

function match(text: string, pattern: RegExp): string | null {
  return pattern.exec(text)?.[1]?.trim() ?? null
}

function kindOf(text: string): InvoiceKind {
  if (/铁路电子客票/.test(text)) return 'railway'
  if (/航空运输电子客票行程单/.test(text)) return 'air'
  if (/通行费/.test(text)) return 'toll'
  if (/专用发票/.test(text)) return 'vat_special'
  if (/普通发票|电子发票/.test(text)) return 'vat_general'
  return 'other'
}

const MONEY = String.raw`-?[¥￥]?\s*-?[\d,]+\.\d{2}`
const moneyIn = (line: string) => [...line.matchAll(new RegExp(MONEY, 'g'))].map((m) => moneyToFen(m[0]))

/**
 * 价税合计 from its （小写） figure (a railway ticket prints 票价 instead); 金额 and 税额 from the
 * 合计 row, where 税额 may be printed as *** (tax-exempt) and is then worked out from the total.
 */
function totalsOf(lines: readonly string[], text: string, kind: InvoiceKind): { amountFen: number | null; taxFen: number | null; totalFen: number | null } {
  const small = match(text, new RegExp(String.raw`[（(]\s*小\s*写\s*[）)]\s*[:：]?\s*(${MONEY})`))
  const fare = kind === 'railway' ? match(text, new RegExp(String.raw`票\s*价\s*[:：]?\s*(${MONEY})`)) : null
  const totalFen = moneyToFen(small ?? fare)
  const sumLine = lines.find((l) => /(^|[^税])合\s*计/.test(l) && !/价\s*税\s*合\s*计/.test(l))
  const [amountFen = null, taxFen = null] = sumLine ? moneyIn(sumLine) : []
  if (totalFen !== null && amountFen !== null && taxFen === null) return { amountFen, taxFen: totalFen - amountFen, totalFen }
  return { amountFen, taxFen, totalFen }
}

const STOP = String.raw`(?=\t|\n|\s{2,}|统一社会信用代码|纳税人识别号|$)`
const TAX_ID = String.raw`(?:统一社会信用代码\s*/\s*纳税人识别号|统一社会信用代码|纳税人识别号)\s*[:：]\s*([0-9A-Za-z]{15,20})`

/**
 * Buyer and seller. Explicit labels (购买方名称, 销售方名称) are taken as they say; otherwise the
 * blocks come in reading order, buyer first: side by side on a 数电票, one above the other on an
 * older e-invoice.
 */
function partiesOf(text: string): { buyer: { name: string | null; taxId: string | null }; seller: { name: string | null; taxId: string | null } } {
  const explicitBuyer = match(text, new RegExp(String.raw`购\s*买\s*方\s*名\s*称\s*[:：]\s*([^\t\n]+?)${STOP}`))
  const explicitSeller = match(text, new RegExp(String.raw`销\s*售\s*方\s*名\s*称\s*[:：]\s*([^\t\n]+?)${STOP}`))
  const names = [...text.matchAll(new RegExp(String.raw`(?<![买售]\s*方\s*)名\s*称\s*[:：]\s*([^\t\n]+?)${STOP}`, 'g'))].map((m) => m[1]!.trim())
  const taxIds = [...text.matchAll(new RegExp(TAX_ID, 'g'))].map((m) => normaliseTaxId(m[1]))
  const buyerName = explicitBuyer ?? names[0] ?? null
  const sellerName = explicitSeller ?? (explicitBuyer ? (names[0] ?? null) : (names[1] ?? null))
  return {
    buyer: { name: buyerName, taxId: taxIds[0] ?? null },
    seller: { name: sellerName, taxId: taxIds[1] ?? null },
  }
}

/** The departure day and train of a railway e-ticket: "2026年11月20日 08:00开 … G1234". */
function railwayTrip(text: string): { serviceDate: string | null; trip: string | null } {
  const departure = match(text, /(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*\d{1,2}:\d{2}\s*开/)
  const trip = match(text, /(?:^|[\s\t])([GCDZTKYS]\d{1,4})(?=[\s\t]|$)/m)
  return { serviceDate: isoDateOf(departure), trip }
}
