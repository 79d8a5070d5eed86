import type { CompanySettings } from '../settings/app-settings.js'
import type { ParsedInvoice } from './invoice.js'

export type BuyerCheck =
  | { status: 'ours' }
  /** The admin has not said who we are: nothing to compare with. */
  | { status: 'unchecked' }
  | { status: 'missing' | 'other'; message: string }

/** Is the invoice made out to us? Compared by tax id, the one thing on an invoice that identifies a company. */
export function checkBuyer(invoice: Pick<ParsedInvoice, 'buyer'>, company: CompanySettings): BuyerCheck {
  if (company.taxIds.length === 0) return { status: 'unchecked' }
  const { name, taxId } = invoice.buyer
  if (!taxId) return { status: 'missing', message: `发票上没有购买方税号${name ? `（抬头「${name}」）` : ''}，公司报销的发票须开具本公司抬头和税号` }
  if (company.taxIds.includes(taxId)) return { status: 'ours' }
  const ours = company.name ? `${company.name}（${company.taxIds.join('、')}）` : company.taxIds.join('、')
  return { status: 'other', message: `发票购买方为「${name ?? '未知'}」（税号 ${taxId}），不是本公司 ${ours}` }
}
