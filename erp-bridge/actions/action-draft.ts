import type { ErpAction, ErpParty } from '../erp-adapter.js'
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
  complete(codeOf: CodeOf): A
}

/** The ERP code a ref is mapped to, if any. */
export type CodeOf = (ref: MappingRef) => string | undefined

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

/** Our person as an action names them: with the ERP code their ref maps to. */
export function codedPerson(person: { id: string; name: string }, ref: MappingRef, codeOf: CodeOf): ErpParty {
  return { id: person.id, name: person.name, erpCode: codeOf(ref) }
}

/** Our department as an action names it: with the cost centre its ref maps to. */
export function codedDepartment(department: { id: string; name: string }, ref: MappingRef, codeOf: CodeOf): { id: string; name: string; costCenter?: string } {
  return { id: department.id, name: department.name, costCenter: codeOf(ref) }
}

/** The draft of a `kind` action for the request: `fill` writes all but the kind and request number once the codes are known. */
export function draftFor<A extends ErpAction>(request: ApprovedRequest, kind: A['kind'], refs: MappingRef[], fill: (codeOf: CodeOf) => Omit<A, 'kind' | 'requestNo'>): ActionDraft<A> {
  return {
    kind,
    requestNo: request.requestNo,
    refs,
    // The two fields plus Omit<A, those two> are an A; TypeScript cannot see that for a generic A.
    complete: (codeOf) => ({ kind, requestNo: request.requestNo, ...fill(codeOf) }) as A,
  }
}
