import type { InvoiceRef } from '../request-types.js'

export type InvoiceCheck = { ok: true; key: string } | { ok: false; problem: string }

/**
 * 发票号码 as the tax bureau issues them: a 数电票 (fully digital invoice) has a 20-digit number and
 * no code; older invoices have an 8-digit number plus a 10- or 12-digit 发票代码. The key is what
 * makes one invoice the same invoice across claims.
 */
export function checkInvoiceNumber(ref: InvoiceRef): InvoiceCheck {
  const number = ref.number.replace(/\s+/g, '')
  const code = ref.code?.replace(/\s+/g, '') ?? ''
  if (/^\d{20}$/.test(number)) {
    return code === '' ? { ok: true, key: number } : { ok: false, problem: `数电票号码 ${number} 不应填写发票代码` }
  }
  if (/^\d{8}$/.test(number)) {
    if (code === '') return { ok: false, problem: `发票号码 ${number} 为 8 位，需同时填写 10 位或 12 位发票代码` }
    if (!/^(\d{10}|\d{12})$/.test(code)) return { ok: false, problem: `发票代码 ${code} 应为 10 位或 12 位数字` }
    return { ok: true, key: `${code}-${number}` }
  }
  return { ok: false, problem: `发票号码 ${ref.number} 格式不正确：数电票为 20 位数字，纸质/电子普票为 8 位号码加 10/12 位代码` }
}
