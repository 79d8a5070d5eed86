import type { ExpenseVoucherAction, PurchaseAction } from '../../erp-adapter.js'
import { categoryLabel, fenToAmount, unitPriceYuan } from '../document-values.js'

/**
 * Our actions as Odoo record values (field names per version as in ERP.md §6: hr.expense takes
 * total_amount_currency from 17 on, unit_amount × quantity before; analytic_distribution from 16 on).
 * Where the key lives: account.move.ref, purchase.order.origin (both plain searchable chars), and
 * the start of hr.expense.name, which has no reference field that exists in every version.
 */

/** One2many "create" command: (0, 0, values). */
const create = (values: Record<string, unknown>) => [0, 0, values]

/** "<key> <text>"; found again by a prefix search and carriesKey. */
export function keyedName(key: string, text: string): string {
  return `${key} ${text}`.trim()
}

export function carriesKey(value: unknown, key: string): boolean {
  return typeof value === 'string' && (value === key || value.startsWith(`${key} `))
}

/** A `=like` pattern for values starting with the key; `_` and `%` in the key are escaped. */
export function keyPrefixPattern(key: string): string {
  return `${key.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

function analytic(analyticId: number | undefined, major: number): Record<string, unknown> {
  if (analyticId === undefined) return {}
  return major >= 16 ? { analytic_distribution: { [String(analyticId)]: 100 } } : { analytic_account_id: analyticId }
}

export interface MoveRefs {
  journalId: number
  expenseAccountId: number
  payableAccountId: number
  analyticId?: number
}

/** A miscellaneous entry: Dr the category's account (on the department's analytic account), Cr the employee payable. */
export function journalEntryValues(action: ExpenseVoucherAction, key: string, refs: MoveRefs, major: number): Record<string, unknown> {
  const amount = fenToAmount(action.amountFen)
  const label = `${categoryLabel(action.category)} ${action.employee.name} ${action.department.name} ${action.memo}`.trim()
  return {
    move_type: 'entry',
    journal_id: refs.journalId,
    date: action.date,
    ref: key,
    line_ids: [
      create({ account_id: refs.expenseAccountId, name: label, debit: amount, credit: 0, ...analytic(refs.analyticId, major) }),
      create({ account_id: refs.payableAccountId, name: label, debit: 0, credit: amount }),
    ],
  }
}

export interface ExpenseRefs {
  employeeId: number
  productId: number
  accountId?: number
  analyticId?: number
}

export function employeeExpenseValues(action: ExpenseVoucherAction, key: string, refs: ExpenseRefs, major: number): Record<string, unknown> {
  const amount = fenToAmount(action.amountFen)
  return {
    name: keyedName(key, `${categoryLabel(action.category)} ${action.memo}`),
    employee_id: refs.employeeId,
    product_id: refs.productId,
    date: action.date,
    payment_mode: 'own_account',
    ...(major >= 17 ? { total_amount_currency: amount } : { unit_amount: amount, quantity: 1 }),
    ...(refs.accountId ? { account_id: refs.accountId } : {}),
    ...analytic(refs.analyticId, major),
  }
}

/** A purchase order with one line priced so that quantity × price is the budget. */
export function purchaseOrderValues(action: PurchaseAction, key: string, refs: { partnerId: number; productId: number }): Record<string, unknown> {
  return {
    partner_id: refs.partnerId,
    origin: key,
    date_order: `${action.date} 00:00:00`,
    notes: [action.requestNo, action.requester.name, action.department.name, action.memo].filter(Boolean).join(' / '),
    order_line: [
      create({
        product_id: refs.productId,
        name: action.item,
        product_qty: action.quantity,
        price_unit: unitPriceYuan(action.budgetFen, action.quantity),
      }),
    ],
  }
}
