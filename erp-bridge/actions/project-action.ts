import { projectPayloadSchema } from '../../workflow/request-types.js'
import { companyDate } from '../../workflow/shanghai-time.js'
import type { ProjectAction } from '../erp-adapter.js'
import { codedDepartment, codedPerson, departmentRef, draftFor, employeeRef, type ActionDraft, type ApprovedRequest } from './action-draft.js'

/** Project initiation → a project record with its budget, owned by the requester, costs in their department. */
export function projectDraft(request: ApprovedRequest): ActionDraft<ProjectAction> {
  const payload = projectPayloadSchema.parse(request.payload)
  const owner = employeeRef(request.requester)
  const department = departmentRef(request.department)
  return draftFor<ProjectAction>(request, 'project.create', [owner, department], (codeOf) => ({
    date: payload.startDate ?? companyDate(request.finishedAt),
    title: payload.title,
    owner: codedPerson(request.requester, owner, codeOf),
    department: codedDepartment(request.department, department, codeOf),
    budgetFen: payload.budgetFen,
    memo: payload.reason ?? '',
  }))
}
