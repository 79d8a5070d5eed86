import { EXPENSE_CATEGORY_LABELS, expensePayloadSchema } from '../../workflow/request-types.js'
import { companyDate } from '../../workflow/shanghai-time.js'
import type { ExpenseVoucherAction } from '../erp-adapter.js'
import type { MappingRef } from '../mapping/mapping-kinds.js'
import { codedDepartment, codedPerson, departmentRef, draftFor, employeeRef, type ActionDraft, type ApprovedRequest } from './action-draft.js'

/** Expense claim → voucher: Dr the category's account in the requester's cost centre, Cr payable to the requester. */
export function expenseDraft(request: ApprovedRequest): ActionDraft<ExpenseVoucherAction> {
  const payload = expensePayloadSchema.parse(request.payload)
  const label = EXPENSE_CATEGORY_LABELS[payload.category]
  const employee = employeeRef(request.requester)
  const department = departmentRef(request.department)
  const category: MappingRef = { kind: 'expense_category', localKey: payload.category, label }
  return draftFor<ExpenseVoucherAction>(request, 'expense.voucher', [employee, department, category], (codeOf) => ({
    date: companyDate(request.finishedAt),
    employee: codedPerson(request.requester, employee, codeOf),
    department: codedDepartment(request.department, department, codeOf),
    category: payload.category,
    accountCode: codeOf(category),
    amountFen: payload.amountFen,
    memo: `${request.requestNo} ${request.requester.name} ${label}${payload.reason ? ` ${payload.reason}` : ''}`,
  }))
}
