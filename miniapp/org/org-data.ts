import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { maskText } from '../audit/pii.js'

export interface EmployeeRow {
  id: string
  employeeNo: string
  name: string
  departmentId: string
  departmentName: string | null
  managerId: string | null
  managerName: string | null
  title: string | null
  level: number
  roles: string[]
  /** Masked: the employee master is configuration here, not a phone book. */
  mobile: string | null
  email: string | null
  active: boolean
}

export async function listEmployees(db: Kysely<Schema>): Promise<EmployeeRow[]> {
  const rows = await db
    .selectFrom('users')
    .leftJoin('departments', 'departments.id', 'users.department_id')
    .leftJoin('users as managers', 'managers.id', 'users.manager_id')
    .selectAll('users')
    .select(['departments.name as department_name', 'managers.name as manager_name'])
    .orderBy('users.employee_no')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    employeeNo: r.employee_no,
    name: r.name,
    departmentId: r.department_id,
    departmentName: r.department_name,
    managerId: r.manager_id,
    managerName: r.manager_name,
    title: r.title,
    level: Number(r.level),
    roles: JSON.parse(r.roles) as string[],
    mobile: r.mobile === null ? null : maskText(r.mobile),
    email: r.email,
    active: Number(r.active) === 1,
  }))
}
