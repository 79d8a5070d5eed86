import type { Employee, OrgDirectory } from '../org.js'
import type { ApproverSource } from '../templates/flow-definition.js'

/** Longest supervisor chain we follow: a loop in the employee master must not hang routing. */
const MAX_CHAIN = 20

/**
 * Who a person reports to: the recorded manager, else the head of the nearest department up the
 * tree that is not the person himself. Null at the top of the company.
 */
export async function supervisorOf(org: OrgDirectory, employee: Employee): Promise<Employee | null> {
  if (employee.managerId) return (await org.employee(employee.managerId)) ?? null
  let departmentId: string | null = employee.departmentId
  for (let i = 0; departmentId && i < MAX_CHAIN; i++) {
    const department = await org.department(departmentId)
    if (!department) return null
    if (department.headUserId && department.headUserId !== employee.id) return (await org.employee(department.headUserId)) ?? null
    departmentId = department.parentId
  }
  return null
}

/** Supervisors upward from the direct one, without repeats. */
export async function supervisorChain(org: OrgDirectory, employee: Employee, maxLevels = MAX_CHAIN): Promise<Employee[]> {
  const chain: Employee[] = []
  let current = employee
  while (chain.length < maxLevels) {
    const next = await supervisorOf(org, current)
    if (!next || next.id === employee.id || chain.some((e) => e.id === next.id)) break
    chain.push(next)
    current = next
  }
  return chain
}

export interface SourceContext {
  org: OrgDirectory
  requester: Employee
  /** The node's initiator-selected approvers, when the requester named them. */
  selected?: string[]
}

/** The people one source names, in a stable order. Inactive people are kept: the caller replaces them. */
export async function resolveSource(source: ApproverSource, ctx: SourceContext): Promise<string[]> {
  const { org, requester } = ctx
  switch (source.kind) {
    case 'users':
      return source.userIds
    case 'role':
      return source.scope === 'department' ? roleInDepartmentTree(org, requester, source.role) : (await org.withRole(source.role)).map((e) => e.id)
    case 'supervisor': {
      const boss = await supervisorOf(org, requester)
      return boss ? [boss.id] : []
    }
    case 'nthSupervisor': {
      const chain = await supervisorChain(org, requester, source.level)
      return chain.length === source.level ? [chain[source.level - 1]!.id] : []
    }
    case 'supervisorChain': {
      const chain = await supervisorChain(org, requester, source.upToLevel ?? MAX_CHAIN)
      const stop = source.upToRole ? chain.findIndex((e) => e.roles.includes(source.upToRole!)) : -1
      return (stop >= 0 ? chain.slice(0, stop + 1) : chain).map((e) => e.id)
    }
    case 'departmentHead': {
      let department = await org.department(requester.departmentId)
      for (let level = 1; department && level < (source.level ?? 1); level++) {
        department = department.parentId ? await org.department(department.parentId) : undefined
      }
      return department?.headUserId ? [department.headUserId] : []
    }
    case 'initiatorSelected':
      return ctx.selected ?? []
    case 'initiator':
      return [requester.id]
  }
}

/** Role holders in the requester's own department, else in the nearest department above that has any. */
async function roleInDepartmentTree(org: OrgDirectory, requester: Employee, role: string): Promise<string[]> {
  const holders = (await org.withRole(role)).filter((e) => e.active)
  let departmentId: string | null = requester.departmentId
  for (let i = 0; departmentId && i < MAX_CHAIN; i++) {
    const here = holders.filter((e) => e.departmentId === departmentId).map((e) => e.id)
    if (here.length > 0) return here
    departmentId = (await org.department(departmentId))?.parentId ?? null
  }
  return []
}

export interface Replacement {
  /** One supervisor, or the admins, who share the seat (或签). */
  ids: string[]
  note: string
}

/** The step a resigned approver leaves a seat on, which decides who may take that seat. */
export interface VacantSeat {
  requesterId: string
  /** Everyone on the step now, the resigned approver included. */
  onStep: readonly string[]
}

/** What the step's notes say when replaceResigned found nobody: the seat is dropped, not left waiting. */
export const NOBODY_TO_REPLACE = (resigned: Employee) => `${resigned.name} 已离职，且无人可接替，本步不再等待其审批`

/**
 * A resigned approver's work goes to his nearest active supervisor or to the admins, as the
 * template says, whenever he is found gone: at submit, when his step or his turn comes, or while
 * his task waits. The successor is never the requester (that would let him approve, or auto-pass,
 * his own request) nor someone already on the step (a 会签 would lose a seat); such a supervisor
 * leaves it to the admins. The admins share the seat as 或签, the way they take a step that found
 * nobody: on a 会签 or 依次 step one admin's decision is enough. Null when nobody is left.
 */
export async function replaceResigned(org: OrgDirectory, resigned: Employee, rule: 'supervisor' | 'admin', seat: VacantSeat): Promise<Replacement | null> {
  const eligible = (e: Employee) => e.active && e.id !== seat.requesterId && !seat.onStep.includes(e.id)
  if (rule === 'supervisor') {
    const boss = (await supervisorChain(org, resigned)).find((e) => e.active)
    if (boss && eligible(boss)) return { ids: [boss.id], note: `${resigned.name} 已离职，由其上级 ${boss.name} 审批` }
  }
  const admins = (await org.withRole('admin')).filter(eligible)
  if (admins.length === 0) return null
  const names = admins.map((a) => a.name).join('、')
  return { ids: admins.map((a) => a.id), note: `${resigned.name} 已离职，由管理员 ${names} 审批${admins.length > 1 ? '（或签，一人处理即可）' : ''}` }
}
