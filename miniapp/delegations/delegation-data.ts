import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { companyDate } from '../../workflow/shanghai-time.js'

export interface DelegationRow {
  id: string
  principalId: string
  principalName: string
  delegateId: string
  delegateName: string
  /** Inclusive company dates, as they were set. */
  from: string
  to: string
  reason: string | null
  /** In force right now (as opposed to planned). */
  current: boolean
}

/**
 * Delegations that are not over yet and not cancelled, with names, soonest first: one person's
 * (My work) or everyone's (the org page). Ended ones stay in the table and the audit log only.
 */
export async function upcomingDelegations(db: Kysely<Schema>, now: number, principalId?: string): Promise<DelegationRow[]> {
  let query = db
    .selectFrom('delegations')
    .innerJoin('users as principals', 'principals.id', 'delegations.principal_id')
    .innerJoin('users as delegates', 'delegates.id', 'delegations.delegate_id')
    .selectAll('delegations')
    .select(['principals.name as principal_name', 'delegates.name as delegate_name'])
    .where('delegations.revoked_at', 'is', null)
    .where('delegations.ends_at', '>', now)
  if (principalId) query = query.where('delegations.principal_id', '=', principalId)
  const rows = await query.orderBy('delegations.starts_at').orderBy('delegations.created_at').execute()
  return rows.map((r) => ({
    id: r.id,
    principalId: r.principal_id,
    principalName: r.principal_name,
    delegateId: r.delegate_id,
    delegateName: r.delegate_name,
    from: companyDate(Number(r.starts_at)),
    to: companyDate(Number(r.ends_at) - 1),
    reason: r.reason,
    current: Number(r.starts_at) <= now,
  }))
}

/** Who can stand in: every active employee but the person himself. */
export async function possibleDelegates(db: Kysely<Schema>, exceptId?: string): Promise<{ id: string; name: string; employeeNo: string }[]> {
  const rows = await db.selectFrom('users').select(['id', 'name', 'employee_no']).where('active', '=', 1).orderBy('employee_no').execute()
  return rows.filter((r) => r.id !== exceptId).map((r) => ({ id: r.id, name: r.name, employeeNo: r.employee_no }))
}
