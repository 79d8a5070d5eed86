import type { Kysely } from 'kysely'
import type { DepartmentRow, Schema, UserRow } from '../db/schema.js'

export interface Employee {
  id: string
  employeeNo: string
  name: string
  departmentId: string
  managerId: string | null
  title: string | null
  level: number
  roles: string[]
  active: boolean
}

export interface Department {
  id: string
  name: string
  parentId: string | null
  headUserId: string | null
  costCenter: string | null
}

export function toEmployee(row: UserRow): Employee {
  return {
    id: row.id,
    employeeNo: row.employee_no,
    name: row.name,
    departmentId: row.department_id,
    managerId: row.manager_id,
    title: row.title,
    level: Number(row.level),
    roles: JSON.parse(row.roles) as string[],
    active: Number(row.active) === 1,
  }
}

function toDepartment(row: DepartmentRow): Department {
  return {
    id: row.id,
    name: row.name,
    parentId: row.parent_id,
    headUserId: row.head_user_id,
    costCenter: row.cost_center,
  }
}

/** Read access to the employee master: who reports to whom, who heads what, who holds a role. */
export class OrgDirectory {
  constructor(private readonly db: Kysely<Schema>) {}

  async employee(id: string): Promise<Employee | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
    return row && toEmployee(row)
  }

  async employees(): Promise<Employee[]> {
    const rows = await this.db.selectFrom('users').selectAll().where('active', '=', 1).orderBy('employee_no').execute()
    return rows.map(toEmployee)
  }

  async department(id: string): Promise<Department | undefined> {
    const row = await this.db.selectFrom('departments').selectAll().where('id', '=', id).executeTakeFirst()
    return row && toDepartment(row)
  }

  async departments(): Promise<Department[]> {
    const rows = await this.db.selectFrom('departments').selectAll().orderBy('id').execute()
    return rows.map(toDepartment)
  }

  async withRole(role: string): Promise<Employee[]> {
    return (await this.employees()).filter((e) => e.roles.includes(role))
  }

  async names(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map()
    const rows = await this.db.selectFrom('users').select(['id', 'name']).where('id', 'in', [...new Set(ids)]).execute()
    return new Map(rows.map((r) => [r.id, r.name]))
  }
}

/**
 * A department and every department below it: a department picked in a flow condition covers its
 * sub-departments, so the report for it does too. A loop in the tree does not hang it.
 */
export async function departmentSubtree(db: Kysely<Schema>, departmentId: string): Promise<string[]> {
  const children = new Map<string, string[]>()
  for (const row of await db.selectFrom('departments').select(['id', 'parent_id']).execute()) {
    if (row.parent_id) children.set(row.parent_id, [...(children.get(row.parent_id) ?? []), row.id])
  }
  const subtree = new Set([departmentId])
  for (const id of subtree) for (const child of children.get(id) ?? []) subtree.add(child)
  return [...subtree]
}
