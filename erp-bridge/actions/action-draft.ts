import type { ErpAction } from '../erp-adapter.js'
import type { MappingRef } from '../mapping/mapping-kinds.js'

/**
 * An approved request turned into an ERP action before master-data codes are known: the refs
 * say which of our employees, departments, categories, items and suppliers it names, and
 * `complete` fills in the ERP's codes once they are looked up.
 */
export interface ActionDraft<A extends ErpAction = ErpAction> {
  kind: A['kind']
  requestNo: string
  refs: MappingRef[]
  complete(codeOf: (ref: MappingRef) => string | undefined): A
}

/** What every builder gets: the approved request with its requester and the requester's department. */
export interface ApprovedRequest {
  id: string
  type: string
  requestNo: string
  payload: unknown
  finishedAt: number
  requester: { id: string; name: string; employeeNo: string }
  department: { id: string; name: string; costCenter: string | null }
}

export function employeeRef(person: { id: string; name: string; employeeNo: string }): MappingRef {
  return { kind: 'employee', localKey: person.id, label: `${person.name}（${person.employeeNo}）`, masterCode: person.employeeNo }
}

export function departmentRef(department: { id: string; name: string; costCenter: string | null }): MappingRef {
  return { kind: 'department', localKey: department.id, label: department.name, masterCode: department.costCenter ?? undefined }
}
