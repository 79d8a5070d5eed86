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

export interface DepartmentRow {
  id: string
  name: string
  parentId: string | null
  parentName: string | null
  headUserId: string | null
  headName: string | null
  costCenter: string | null
  members: number
}

export async function listDepartments(db: Kysely<Schema>): Promise<DepartmentRow[]> {
  const rows = await db
    .selectFrom('departments')
    .leftJoin('departments as parents', 'parents.id', 'departments.parent_id')
    .leftJoin('users as heads', 'heads.id', 'departments.head_user_id')
    .selectAll('departments')
    .select(['parents.name as parent_name', 'heads.name as head_name'])
    .orderBy('departments.id')
    .execute()
  const counts = await db.selectFrom('users').select(['department_id', (eb) => eb.fn.countAll<number>().as('n')]).where('active', '=', 1).groupBy('department_id').execute()
  const members = new Map(counts.map((c) => [c.department_id, Number(c.n)]))
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    parentId: r.parent_id,
    parentName: r.parent_name,
    headUserId: r.head_user_id,
    headName: r.head_name,
    costCenter: r.cost_center,
    members: members.get(r.id) ?? 0,
  }))
}
