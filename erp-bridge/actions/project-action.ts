import { projectPayloadSchema } from '../../workflow/request-types.js'
import { companyDate } from '../../workflow/shanghai-time.js'
import type { ProjectAction } from '../erp-adapter.js'
import { departmentRef, employeeRef, type ActionDraft, type ApprovedRequest } from './action-draft.js'

/** Project initiation → a project record with its budget, owned by the requester, costs in their department. */
export function projectDraft(request: ApprovedRequest): ActionDraft<ProjectAction> {
  const payload = projectPayloadSchema.parse(request.payload)
  const owner = employeeRef(request.requester)
  const department = departmentRef(request.department)
  return {
    kind: 'project.create',
    requestNo: request.requestNo,
    refs: [owner, department],
    complete: (codeOf) => ({
      kind: 'project.create',
      requestNo: request.requestNo,
      date: payload.startDate ?? companyDate(request.finishedAt),
      title: payload.title,
      owner: { id: request.requester.id, name: request.requester.name, erpCode: codeOf(owner) },
      department: { id: request.department.id, name: request.department.name, costCenter: codeOf(department) },
      budgetFen: payload.budgetFen,
      memo: payload.reason ?? '',
    }),
  }
}
