import type { ExpenseVoucherAction, ProjectAction, PurchaseAction } from '../../erp-adapter.js'
import { categoryLabel, fenToAmount, unitPriceYuan } from '../document-values.js'
import type { ErpNextConfig } from './erpnext-config.js'

/**
 * Our actions as ERPNext documents (doctype field names as in ERP.md §7). Each carries the key in
 * the configured unique custom field and is inserted with docstatus 1, which Frappe treats as
 * insert-and-submit in one transaction, so no draft is left behind by an interrupted post.
 */

export const DOCTYPE = {
  journalEntry: 'Journal Entry',
  expenseClaim: 'Expense Claim',
  materialRequest: 'Material Request',
  purchaseOrder: 'Purchase Order',
  project: 'Project',
} as const

const remark = (...parts: (string | undefined)[]) => parts.filter(Boolean).join(' / ')

/** Dr the category's account on the department's cost centre, Cr the employee payable with the employee as party. */
export function journalEntryDoc(action: ExpenseVoucherAction, key: string, accountCode: string, config: ErpNextConfig): Record<string, unknown> {
  const amount = fenToAmount(action.amountFen)
  return {
    [config.keyField]: key,
    docstatus: 1,
    voucher_type: 'Journal Entry',
    company: config.company,
    posting_date: action.date,
    user_remark: remark(action.requestNo, categoryLabel(action.category), action.employee.name, action.memo),
    accounts: [
      { account: accountCode, debit_in_account_currency: amount, credit_in_account_currency: 0, ...(action.department.costCenter ? { cost_center: action.department.costCenter } : {}) },
      {
        account: config.employeePayableAccount,
        debit_in_account_currency: 0,
        credit_in_account_currency: amount,
        ...(action.employee.erpCode ? { party_type: 'Employee', party: action.employee.erpCode } : {}),
      },
    ],
  }
}

/** An Expense Claim already approved in our workflow, so it is submitted as Approved. */
export function expenseClaimDoc(action: ExpenseVoucherAction, key: string, employee: string, expenseType: string, config: ErpNextConfig): Record<string, unknown> {
  const amount = fenToAmount(action.amountFen)
  return {
    [config.keyField]: key,
    docstatus: 1,
    employee,
    company: config.company,
    posting_date: action.date,
    approval_status: 'Approved',
    payable_account: config.employeePayableAccount,
    remark: remark(action.requestNo, action.memo),
    ...(action.department.costCenter ? { cost_center: action.department.costCenter } : {}),
    expenses: [{ expense_date: action.date, expense_type: expenseType, description: action.memo || categoryLabel(action.category), amount, sanctioned_amount: amount }],
  }
}

function purchaseLine(action: PurchaseAction, itemCode: string, config: ErpNextConfig): Record<string, unknown> {
  return {
    item_code: itemCode,
    description: action.item,
    qty: action.quantity,
    rate: unitPriceYuan(action.budgetFen, action.quantity),
    schedule_date: action.date,
    warehouse: config.warehouse,
    ...(action.department.costCenter ? { cost_center: action.department.costCenter } : {}),
  }
}

export function materialRequestDoc(action: PurchaseAction, key: string, itemCode: string, config: ErpNextConfig): Record<string, unknown> {
  return {
    [config.keyField]: key,
    docstatus: 1,
    material_request_type: 'Purchase',
    company: config.company,
    transaction_date: action.date,
    schedule_date: action.date,
    items: [purchaseLine(action, itemCode, config)],
  }
}

export function purchaseOrderDoc(action: PurchaseAction, key: string, itemCode: string, supplier: string, config: ErpNextConfig): Record<string, unknown> {
  return {
    [config.keyField]: key,
    docstatus: 1,
    supplier,
    company: config.company,
    transaction_date: action.date,
    schedule_date: action.date,
    items: [purchaseLine(action, itemCode, config)],
  }
}

/** Project is not submittable; the budget is its estimated cost. */
export function projectDoc(action: ProjectAction, key: string, config: ErpNextConfig): Record<string, unknown> {
  return {
    [config.keyField]: key,
    project_name: action.title,
    company: config.company,
    status: 'Open',
    expected_start_date: action.date,
    estimated_costing: fenToAmount(action.budgetFen),
    notes: remark(action.requestNo, `负责人 ${action.owner.name}`, action.memo),
  }
}
