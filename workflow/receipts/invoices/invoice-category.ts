import type { ExpenseCategoryCode } from '../../request-types.js'
import type { ParsedInvoice } from './invoice.js'

/**
 * Item lines carry the tax classification between asterisks and then the item (*运输服务*客运服务费);
 * these words say unambiguously which expense category the claim belongs to.
 */
const BY_SERVICE: Array<[RegExp, ExpenseCategoryCode]> = [
  [/住宿/, 'lodging'],
  [/餐饮/, 'meal'],
  [/电信|通信|通讯|互联网接入/, 'communication'],
  [/培训|教育/, 'training'],
  [/客运|旅客运输|出租|网约车|城市公共交通/, 'transport'],
  [/办公用品|纸制品|文具|计算机|打印|耗材|日用杂品/, 'office'],
]

/** The expense category an invoice implies, or undefined when the employee has to say. */
export function categoryOfInvoice(invoice: Pick<ParsedInvoice, 'kind' | 'items'>): ExpenseCategoryCode | undefined {
  if (invoice.kind === 'railway' || invoice.kind === 'air') return 'travel'
  if (invoice.kind === 'toll') return 'transport'
  const found = new Set(invoice.items.flatMap((item) => BY_SERVICE.filter(([pattern]) => pattern.test(item)).map(([, category]) => category)))
  // Mixed invoices (a hotel bill with meals) are the employee's call.
  return found.size === 1 ? [...found][0] : undefined
}
