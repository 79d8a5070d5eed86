import { fenToYuan } from '../../workflow/money.js'
import { EXPENSE_CATEGORY_LABELS } from '../../workflow/request-types.js'
import { ErpError, type ExpenseVoucherAction, type PurchaseAction } from '../erp-adapter.js'

/** How the adapters write an action's values into ERP documents: amounts, category names, codes that must be mapped. */

/** Yuan as a JSON number for ERPs whose currency fields are floats on the wire; fen / 100 is exact to the cent. */
export function fenToAmount(fen: number): number {
  if (!Number.isInteger(fen)) throw new TypeError(`amount in fen must be an integer: ${fen}`)
  return fen / 100
}

/** 12850 → "128.50" without going through floats, for ERPs that take decimals as strings. */
export function fenToDecimal(fen: number): string {
  if (!Number.isInteger(fen)) throw new TypeError(`amount in fen must be an integer: ${fen}`)
  const abs = Math.abs(fen)
  return `${fen < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

/** Yuan for a document that refuses zero or negative amounts; refused here, in words, before the ERP is asked. */
export function positiveAmount(fen: number): number {
  if (!Number.isInteger(fen) || fen <= 0) throw new ErpError('permanent', `金额必须大于零（${fen} 分）。The amount must be positive.`)
  return fenToYuan(fen)
}

/** A claim of nothing or less: refused here, in words, before the ERP is asked. */
export function checkClaimAmount(action: ExpenseVoucherAction): void {
  if (!Number.isInteger(action.amountFen) || action.amountFen <= 0) {
    throw new ErpError('permanent', `报销金额必须大于零（${action.amountFen} 分）。The amount must be positive.`)
  }
}

/**
 * The unit price in yuan, to 6 decimals, of a line whose total must be the budget: quantity × price
 * then comes within half a fen of the budget for any quantity under 10,000 (and exactly when the
 * budget divides), where a price in whole fen would not — 10,000 units on ¥30 would cost nothing.
 * The ERP keeps as many of the decimals as its own price precision is set to.
 */
export function unitPriceYuan(budgetFen: number, quantity: number): number {
  return Math.round((budgetFen * 10_000) / quantity) / 1_000_000
}

/** A purchase the ERP would price per unit: refused here, in words, when it has no quantity or a broken budget. */
export function checkQuantityAndBudget(action: PurchaseAction): void {
  if (!(action.quantity > 0) || !Number.isInteger(action.budgetFen) || action.budgetFen < 0) {
    throw new ErpError('permanent', `采购数量必须大于零、预算不能为负（数量 ${action.quantity}，预算 ${action.budgetFen} 分）。Invalid quantity or budget.`)
  }
}

/** 差旅费 for travel; a category we have no label for is written as it is. */
export function categoryLabel(category: string): string {
  return (EXPENSE_CATEGORY_LABELS as Record<string, string>)[category] ?? category
}

/** The code, or the permanent "未配置映射" failure naming what an admin must map. */
export function requireCode(value: string | undefined, what: string, english: string): string {
  if (!value) throw new ErpError('permanent', `未配置映射：${what}（${english}）`)
  return value
}
