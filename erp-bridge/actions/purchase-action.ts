import { purchasePayloadSchema } from '../../workflow/request-types.js'
import { companyDate } from '../../workflow/shanghai-time.js'
import type { PurchaseAction } from '../erp-adapter.js'
import { normalizeFreeText, type MappingRef } from '../mapping/mapping-kinds.js'
import { codedDepartment, codedPerson, departmentRef, draftFor, employeeRef, type ActionDraft, type ApprovedRequest } from './action-draft.js'

/** Purchase request → purchase requisition for the item; the item's mapped supplier lets the ERP order it. */
export function purchaseDraft(request: ApprovedRequest): ActionDraft<PurchaseAction> {
  const payload = purchasePayloadSchema.parse(request.payload)
  const requester = employeeRef(request.requester)
  const department = departmentRef(request.department)
  const itemKey = normalizeFreeText(payload.item)
  const material: MappingRef = { kind: 'purchase_item', localKey: itemKey, label: payload.item }
  const supplier: MappingRef = { kind: 'supplier', localKey: itemKey, label: payload.item }
  return draftFor<PurchaseAction>(request, 'purchase.requisition', [requester, department, material, supplier], (codeOf) => ({
    date: companyDate(request.finishedAt),
    requester: codedPerson(request.requester, requester, codeOf),
    department: codedDepartment(request.department, department, codeOf),
    item: payload.item,
    quantity: payload.quantity,
    budgetFen: payload.amountFen,
    materialCode: codeOf(material),
    supplierCode: codeOf(supplier),
    neededBy: payload.neededBy,
    memo: payload.reason ?? '',
  }))
}
