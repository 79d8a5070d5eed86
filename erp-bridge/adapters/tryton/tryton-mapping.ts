import { formatYuan } from '../../../workflow/money.js'
import type { ExpenseVoucherAction, HrChangeAction, ProjectAction, PurchaseAction } from '../../erp-adapter.js'
import { categoryLabel, fenToDecimal } from '../document-values.js'
import { trytonDate, trytonDecimal } from './tryton-client.js'

/**
 * Our actions as Tryton record values. Tryton has no external-id field, so the idempotency key
 * leads a free-text field that people read anyway (move description, requisition description,
 * project comment, note message): "<key> <text>".
 */

export function keyedText(key: string, text: string): string {
  return `${key} ${text}`.trim()
}

/** True when a field written by keyedText carries exactly this key (the search uses LIKE, whose `_` and `%` over-match). */
export function carriesKey(value: unknown, key: string): boolean {
  return typeof value === 'string' && (value === key || value.startsWith(`${key} `) || value.startsWith(`${key}\n`))
}

/** The LIKE pattern that finds keyedText values of this key. */
export function keyPattern(key: string): string {
  return `${key}%`
}

/** Unit price in yuan to Tryton's 4 price digits, so quantity × price is the budget to the fen where it divides. */
export function unitPrice(budgetFen: number, quantity: number): string {
  const tenThousandths = Math.round((budgetFen * 100) / quantity)
  return `${Math.floor(tenThousandths / 10_000)}.${String(tenThousandths % 10_000).padStart(4, '0')}`
}

export interface VoucherRefs {
  companyId: number
  journalId: number
  periodId: number
  employeePartyId: number
  expenseAccount: { id: number; partyRequired: boolean }
  payableAccount: { id: number; partyRequired: boolean }
}

/** account.move values: Dr the category's expense account, Cr the amount owed to the employee. */
export function expenseMoveValues(action: ExpenseVoucherAction, key: string, refs: VoucherRefs): Record<string, unknown> {
  const amount = trytonDecimal(fenToDecimal(action.amountFen))
  const zero = trytonDecimal('0')
  const lineText = `${categoryLabel(action.category)} ${action.employee.name} ${action.department.name}`
  const line = (account: VoucherRefs['expenseAccount'], debit: unknown, credit: unknown) => ({
    account: account.id,
    debit,
    credit,
    description: lineText,
    // Tryton rejects a party on an account that does not track parties, and the reverse.
    ...(account.partyRequired ? { party: refs.employeePartyId } : {}),
  })
  return {
    company: refs.companyId,
    journal: refs.journalId,
    period: refs.periodId,
    date: trytonDate(action.date),
    description: keyedText(key, `${action.requestNo} ${action.memo}`),
    lines: [['create', [line(refs.expenseAccount, amount, zero), line(refs.payableAccount, zero, amount)]]],
  }
}

export interface RequisitionRefs {
  companyId: number
  employeeId: number
  warehouseId: number
  currencyId: number
  unitId: number
  productId?: number
  supplierId?: number
}

/** purchase.requisition values: one line for the item, priced so that the line total is the budget. */
export function requisitionValues(action: PurchaseAction, key: string, refs: RequisitionRefs): Record<string, unknown> {
  return {
    company: refs.companyId,
    employee: refs.employeeId,
    description: keyedText(key, `${action.requestNo} ${action.item}`),
    // Our request carries no delivery date; Tryton needs one to plan the purchase, so ask for it as of approval.
    supply_date: trytonDate(action.date),
    warehouse: refs.warehouseId,
    currency: refs.currencyId,
    lines: [
      [
        'create',
        [
          {
            description: [action.item, action.department.name, action.memo].filter(Boolean).join('\n'),
            quantity: action.quantity,
            unit: refs.unitId,
            unit_price: trytonDecimal(unitPrice(action.budgetFen, action.quantity)),
            ...(refs.productId ? { product: refs.productId } : {}),
            ...(refs.supplierId ? { supplier: refs.supplierId } : {}),
          },
        ],
      ],
    ],
  }
}

/** project.work of type project; Tryton's project has no budget field, so the budget goes in its comment. */
export function projectValues(action: ProjectAction, key: string, companyId: number): Record<string, unknown> {
  const comment = [
    keyedText(key, action.requestNo),
    `负责人 Owner: ${action.owner.name}`,
    `预算 Budget: ¥${formatYuan(action.budgetFen)}`,
    `立项日期 Date: ${action.date}`,
    action.memo,
  ]
  return { name: action.title, type: 'project', company: companyId, comment: comment.filter(Boolean).join('\n') }
}

/** The note left on the employee record: what changed, when, and under which approval. */
export function hrNoteMessage(action: HrChangeAction, key: string): string {
  const what =
    action.change === 'resign'
      ? `离职 Resignation: 离职日期 end date ${action.effectiveDate}`
      : `调岗 Transfer: 转入 to ${action.toDepartment?.name ?? ''}${action.toDepartment?.costCenter ? `（成本中心 ${action.toDepartment.costCenter}）` : ''}，生效 effective ${action.effectiveDate}`
  return [keyedText(key, action.requestNo), what, action.memo].filter(Boolean).join('\n')
}
