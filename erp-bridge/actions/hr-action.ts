import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { hrResignPayloadSchema, hrTransferPayloadSchema } from '../../workflow/request-types.js'
import { ErpError, type HrChangeAction } from '../erp-adapter.js'
import type { MappingRef } from '../mapping/mapping-kinds.js'
import { codedDepartment, codedPerson, departmentRef, draftFor, employeeRef, type ActionDraft, type ApprovedRequest } from './action-draft.js'

/** Resignation → the employee record ends on the last working day; payroll and cost stop with the current department. */
export function resignationDraft(request: ApprovedRequest): ActionDraft<HrChangeAction> {
  const payload = hrResignPayloadSchema.parse(request.payload)
  const employee = employeeRef(request.requester)
  const department = departmentRef(request.department)
  return draftFor<HrChangeAction>(request, 'hr.change', [employee, department], (codeOf) => ({
    employee: codedPerson(request.requester, employee, codeOf),
    change: 'resign',
    effectiveDate: payload.effectiveDate,
    memo: [payload.reason, payload.handoverTo ? `工作交接给 ${payload.handoverTo}` : ''].filter(Boolean).join('；'),
  }))
}

/**
 * Transfer → the employee record moves to the new department (its cost centre carries the
 * salary from the effective date) under the department's head as supervisor.
 */
export async function transferDraft(request: ApprovedRequest, db: Kysely<Schema>): Promise<ActionDraft<HrChangeAction>> {
  const payload = hrTransferPayloadSchema.parse(request.payload)
  const target = await departmentNamed(db, payload.toDepartment)
  const head =
    target.head_user_id && target.head_user_id !== request.requester.id
      ? await db.selectFrom('users').select(['id', 'name', 'employee_no']).where('id', '=', target.head_user_id).executeTakeFirst()
      : undefined
  const employee = employeeRef(request.requester)
  const department = departmentRef({ id: target.id, name: target.name, costCenter: target.cost_center })
  const supervisor: MappingRef | undefined = head && employeeRef({ id: head.id, name: head.name, employeeNo: head.employee_no })
  return draftFor<HrChangeAction>(request, 'hr.change', supervisor ? [employee, department, supervisor] : [employee, department], (codeOf) => ({
    employee: codedPerson(request.requester, employee, codeOf),
    change: 'transfer',
    effectiveDate: payload.effectiveDate,
    toDepartment: codedDepartment(target, department, codeOf),
    toPosition: payload.toPosition,
    newSupervisor: head && supervisor ? codedPerson(head, supervisor, codeOf) : undefined,
    memo: [`${request.department.name} → ${target.name}`, payload.toPosition ? `新岗位 ${payload.toPosition}` : '', payload.reason].filter(Boolean).join('；'),
  }))
}

async function departmentNamed(db: Kysely<Schema>, nameOrId: string) {
  const rows = await db
    .selectFrom('departments')
    .select(['id', 'name', 'cost_center', 'head_user_id'])
    .where((eb) => eb.or([eb('name', '=', nameOrId), eb('id', '=', nameOrId)]))
    .execute()
  const exact = rows.find((r) => r.id === nameOrId)
  if (exact) return exact
  if (rows.length === 1) return rows[0]!
  throw new ErpError(
    'permanent',
    rows.length === 0
      ? `组织架构中找不到调入部门「${nameOrId}」，请先在通讯录中建立该部门。No department named ${nameOrId}.`
      : `组织架构中有多个名为「${nameOrId}」的部门，无法确定调入哪一个。Several departments are named ${nameOrId}.`,
  )
}
