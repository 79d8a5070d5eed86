import { formatYuan } from '../../money.js'
import { checkInvoiceNumber } from '../../policy/invoice-numbers.js'

/**
 * vat_special 增值税专用发票, vat_general 普通发票, railway 铁路电子客票, air 航空运输电子客票行程单,
 * toll 通行费; other: an invoice whose kind the file does not say.
 */
export type InvoiceKind = 'vat_special' | 'vat_general' | 'railway' | 'air' | 'toll' | 'other'

export interface InvoiceParty {
  name: string | null
  /** 统一社会信用代码/纳税人识别号. */
  taxId: string | null
}

/** The fields of a Chinese e-invoice, as read from its XML or the text layer of its PDF. */
export interface ParsedInvoice {
  source: 'xml' | 'pdf'
  kind: InvoiceKind
  /** The printed title, e.g. 电子发票（普通发票）. */
  title: string | null
  /** 20 digits for a 数电票; 8 digits (with a code) for older e-invoices. */
  number: string
  /** 发票代码: older invoices only. */
  code: string | null
  /** 开票日期, YYYY-MM-DD. */
  issueDate: string
  /** When the service was used, if the invoice says (a train's departure day). */
  serviceDate: string | null
  /** 金额 (without tax); railway tickets print none. */
  amountFen: number | null
  /** 税额. */
  taxFen: number | null
  /** 价税合计 (what was paid). */
  totalFen: number
  seller: InvoiceParty
  buyer: InvoiceParty
  /** 项目名称 lines, e.g. *餐饮服务*餐饮服务. */
  items: string[]
  /** Train or flight number, when printed. */
  trip: string | null
}

export type InvoiceReading = { ok: true; invoice: ParsedInvoice } | { ok: false; problem: string }

/** The key the duplicate-invoice policy and the anomaly rules compare (see policy/invoice-numbers.ts). */
export function invoiceKeyOf(invoice: Pick<ParsedInvoice, 'number' | 'code'>): string | null {
  const checked = checkInvoiceNumber({ number: invoice.number, ...(invoice.code ? { code: invoice.code } : {}) })
  return checked.ok ? checked.key : null
}

/** What an employee calls it: 高铁票, 机票, 专票, or the service on the first line (餐饮服务). */
export function invoiceLabel(invoice: Pick<ParsedInvoice, 'kind' | 'items' | 'trip'>): string {
  switch (invoice.kind) {
    case 'railway': {
      const train = invoice.trip?.charAt(0).toUpperCase()
      return train === 'G' || train === 'C' ? '高铁票' : train === 'D' ? '动车票' : '火车票'
    }
    case 'air':
      return '机票'
    case 'toll':
      return '通行费发票'
    default: {
      const service = /^\*([^*]+)\*/.exec(invoice.items[0] ?? '')?.[1]
      if (service) return service
      return invoice.kind === 'vat_special' ? '增值税专用发票' : '电子发票'
    }
  }
}

/** "¥553.00，2026-11-20，高铁票": the line the bot answers a recognised invoice with. */
export function invoiceSummary(invoice: ParsedInvoice): string {
  return `¥${formatYuan(invoice.totalFen)}，${invoice.serviceDate ?? invoice.issueDate}，${invoiceLabel(invoice)}`
}

/**
 * "553", "1,234.5", "¥553.00", "￥ 553.00" → fen, exactly (no floating point on the way).
 * Negative amounts (红字发票, a cancellation) are returned as such for the caller to refuse.
 */
export function moneyToFen(text: string | null | undefined): number | null {
  if (!text) return null
  const cleaned = text.replace(/[¥￥,，\s]/g, '')
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(cleaned)
  if (!match) return null
  const fen = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'))
  return match[1] ? -fen : fen
}

/** "2026年11月20日", "2026-11-20 10:00:00", "20261120", "2026/11/20" → "2026-11-20". */
export function isoDateOf(text: string | null | undefined): string | null {
  if (!text) return null
  const match = /(\d{4})\s*[年\-/.]?\s*(\d{1,2})\s*[月\-/.]?\s*(\d{1,2})/.exec(text)
  if (!match) return null
  const [, y, m, d] = match
  const iso = `${y}-${m!.padStart(2, '0')}-${d!.padStart(2, '0')}`
  const parsed = new Date(`${iso}T00:00:00Z`)
  return Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== iso ? null : iso
}

/** Tax ids are printed in upper case; some issuers' files use lower case or spaces. */
export function normaliseTaxId(text: string | null | undefined): string | null {
  const id = text?.replace(/\s+/g, '').toUpperCase()
  return id && /^[0-9A-Z]{15,20}$/.test(id) ? id : null
}

/**
 * The checks every reading passes before it is believed: a number the tax bureau could have
 * issued, a date, a positive total, and parts that add up when all three are printed.
 */
export function checkReading(invoice: ParsedInvoice): InvoiceReading {
  if (invoiceKeyOf(invoice) === null) return { ok: false, problem: `发票号码 ${invoice.number} 不是有效的发票号码` }
  if (invoice.totalFen <= 0) return { ok: false, problem: '这是一张红字（负数）发票，不能用于报销' }
  const { amountFen, taxFen, totalFen } = invoice
  if (amountFen !== null && taxFen !== null && amountFen + taxFen !== totalFen) {
    return { ok: false, problem: `金额 ¥${formatYuan(amountFen)} 加税额 ¥${formatYuan(taxFen)} 不等于价税合计 ¥${formatYuan(totalFen)}，请核对票面` }
  }
  return { ok: true, invoice }
}
