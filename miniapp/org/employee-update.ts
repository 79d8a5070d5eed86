import type { Kysely, Selectable, Transaction } from 'kysely'
import { z } from 'zod'
import type { Schema, UserTable } from '../../db/schema.js'
import { inTransaction } from '../../db/transaction.js'
import { appendAudit } from '../../workflow/audit.js'
import { DomainError } from '../../workflow/errors.js'

export const employeeUpdateSchema = z.object({
  departmentId: z.string().min(1).max(64).optional(),
  /** '' clears the supervisor (the department head then approves). */
  managerId: z.string().max(64).optional(),
  title: z.string().trim().max(100).optional(),
  level: z.number().int().min(0).max(99).optional(),
  /** Role names separated by spaces, commas or 、 */
  roles: z.string().max(300).optional(),
  active: z.boolean().optional(),
})
export type EmployeeUpdate = z.infer<typeof employeeUpdateSchema>

/**
 * Supervisor, department, roles and the rest of one employee, checked (no supervisor loops) and audited.
 * Only the fields given are written: writing back every field as read before the transaction undid
 * another admin's edit of a field this one did not touch. The row is still read before it, not in it:
 * on MariaDB a read there would fix the transaction's snapshot before the audit lock queues concurrent
 * edits, and the loop and last-admin checks below must see those.
 */
export async function updateEmployee(db: Kysely<Schema>, id: string, input: EmployeeUpdate, actorId: string, now: number): Promise<void> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw new DomainError('NOT_FOUND', '找不到该员工', 'employee not found')
  if (input.departmentId && !(await db.selectFrom('departments').select('id').where('id', '=', input.departmentId).executeTakeFirst())) {
    throw new DomainError('VALIDATION', '找不到该部门', 'unknown department')
  }
  const roles = input.roles === undefined ? undefined : [...new Set(['employee', ...input.roles.split(/[;,、|，；\s]+/).filter(Boolean)])]
  const changes: Partial<Pick<Selectable<UserTable>, 'department_id' | 'manager_id' | 'title' | 'level' | 'roles' | 'active'>> = {
    ...(input.departmentId !== undefined ? { department_id: input.departmentId } : {}),
    ...(input.managerId !== undefined ? { manager_id: input.managerId || null } : {}),
    ...(input.title !== undefined ? { title: input.title || null } : {}),
    ...(input.level !== undefined ? { level: input.level } : {}),
    ...(roles ? { roles: JSON.stringify(roles) } : {}),
    ...(input.active !== undefined ? { active: input.active ? 1 : 0 } : {}),
  }
  const before = { department_id: row.department_id, manager_id: row.manager_id, title: row.title, level: Number(row.level), roles: row.roles, active: Number(row.active) }
  const after = { ...before, ...changes }
  await inTransaction(db, async (trx) => {
    if (Object.keys(changes).length > 0) await trx.updateTable('users').set(changes).where('id', '=', id).execute()
    await appendAudit(trx, {
      at: now,
      actorId,
      action: 'org.employee.updated',
      entityType: 'user',
      entityId: id,
      before: { ...before, roles: JSON.parse(before.roles) as unknown },
      after: { ...after, roles: JSON.parse(after.roles) as unknown },
    })
    // Read after appendAudit, as requireActiveAdmin explains: two edits closing one loop from either end (A under B, B under A)
    // at the same moment then cannot both see the chain without the other's change.
    if (after.manager_id) {
      const chain = new Map((await trx.selectFrom('users').select(['id', 'manager_id']).execute()).map((u) => [u.id, u.manager_id]))
      if (!chain.has(after.manager_id)) throw new DomainError('VALIDATION', '找不到该上级', 'unknown supervisor')
      if (leadsBackTo(chain, id)) throw new DomainError('VALIDATION', SUPERVISOR_LOOP.zh, SUPERVISOR_LOOP.en)
    }
    await requireActiveAdmin(trx)
  })
}

export const SUPERVISOR_LOOP = { zh: '上级关系不能形成循环', en: 'the supervisor chain would loop' }

/**
 * Whether walking up `parentOf` from `id` (supervisors, or parent departments) comes back to `id`.
 * Approval routes walk these chains, so a loop must never be saved. A loop further up that does
 * not pass through `id` ends the walk instead of running forever.
 */
export function leadsBackTo(parentOf: ReadonlyMap<string, string | null>, id: string): boolean {
  const seen = new Set<string>()
  for (let at = parentOf.get(id); at && !seen.has(at); at = parentOf.get(at)) {
    if (at === id) return true
    seen.add(at)
  }
  return false
}

export const isActiveAdmin = (user: { roles: string; active: number }): boolean => Number(user.active) === 1 && (JSON.parse(user.roles) as string[]).includes('admin')

export const LAST_ADMIN = { zh: '必须至少保留一位在职的管理员', en: 'at least one active admin must remain' }

/**
 * Refuses (rolling back) a change to the employee master that leaves nobody able to administer it.
 * Call it last in the transaction, after appendAudit: on MySQL the audit head's row lock has then
 * queued any concurrent org change, and this read's snapshot is taken after it committed, so two
 * admins demoting each other at the same moment cannot both pass.
 */
export async function requireActiveAdmin(trx: Transaction<Schema>): Promise<void> {
  const users = await trx.selectFrom('users').select(['roles', 'active']).where('active', '=', 1).execute()
  if (!users.some(isActiveAdmin)) throw new DomainError('INVALID_STATE', LAST_ADMIN.zh, LAST_ADMIN.en)
}
