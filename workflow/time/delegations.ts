import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { inTransaction } from '../../db/transaction.js'
import { appendAudit } from '../audit.js'
import { DomainError } from '../errors.js'
import { OrgDirectory } from '../org.js'
import { companyDate, startOfCompanyDay } from '../shanghai-time.js'

const DAY_MS = 24 * 60 * 60 * 1000
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/

export interface Delegation {
  id: string
  principalId: string
  delegateId: string
  /** Inclusive company dates. */
  from: string
  to: string
  reason: string | null
}

export interface ActiveDelegation {
  delegateId: string
  until: string
}

/** The stand-in a person named for the moment `at`, if any (one hop: a stand-in's own leave is ignored). */
export async function activeDelegation(db: Kysely<Schema>, principalId: string, at: number): Promise<ActiveDelegation | null> {
  const row = await db
    .selectFrom('delegations')
    .select(['delegate_id', 'ends_at'])
    .where('principal_id', '=', principalId)
    .where('starts_at', '<=', at)
    .where('ends_at', '>', at)
    .where('revoked_at', 'is', null)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row ? { delegateId: row.delegate_id, until: companyDate(Number(row.ends_at) - 1) } : null
}

/**
 * Out-of-office delegation (代理): from the first to the last day (company zone), new approval
 * tasks for the principal go to the delegate. Set by the principal himself or by an admin.
 */
export class Delegations {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly now: () => number = Date.now,
  ) {}

  async set(input: { actorId: string; principalId: string; delegateId: string; from: string; to: string; reason?: string }): Promise<Delegation> {
    const org = new OrgDirectory(this.db)
    const actor = await org.employee(input.actorId)
    if (!actor) throw new DomainError('NOT_FOUND', '找不到操作人', 'actor not found')
    if (actor.id !== input.principalId && !actor.roles.includes('admin')) {
      throw new DomainError('FORBIDDEN', '只能为自己设置代理（管理员除外）', 'you can only set your own delegation unless you are an admin')
    }
    const principal = await org.employee(input.principalId)
    const delegate = await org.employee(input.delegateId)
    if (!principal) throw new DomainError('NOT_FOUND', '找不到被代理人', 'principal not found')
    if (!delegate?.active) throw new DomainError('VALIDATION', '代理人不存在或已离职', 'the delegate is unknown or inactive')
    if (delegate.id === principal.id) throw new DomainError('VALIDATION', '不能指定自己为代理人', 'you cannot delegate to yourself')
    if (!ISO_DATE.test(input.from) || !ISO_DATE.test(input.to) || input.to < input.from) {
      throw new DomainError('VALIDATION', '代理期间不正确，请用 YYYY-MM-DD 且结束不早于开始', 'invalid delegation period')
    }
    const row = {
      id: crypto.randomUUID(),
      principal_id: principal.id,
      delegate_id: delegate.id,
      starts_at: startOfCompanyDay(input.from),
      ends_at: startOfCompanyDay(input.to) + DAY_MS,
      reason: input.reason?.slice(0, 200) ?? null,
      created_at: this.now(),
      revoked_at: null,
    }
    await inTransaction(this.db, async (trx) => {
      await trx.insertInto('delegations').values(row).execute()
      await appendAudit(trx, { at: row.created_at, actorId: actor.id, action: 'delegation.set', entityType: 'user', entityId: principal.id, after: { delegateId: delegate.id, from: input.from, to: input.to } })
    })
    return { id: row.id, principalId: principal.id, delegateId: delegate.id, from: input.from, to: input.to, reason: row.reason }
  }

  async revoke(id: string, actorId: string): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const row = await trx.selectFrom('delegations').selectAll().where('id', '=', id).executeTakeFirst()
      if (!row || row.revoked_at !== null) throw new DomainError('NOT_FOUND', '找不到该代理设置', 'delegation not found')
      const actor = await new OrgDirectory(trx).employee(actorId)
      if (row.principal_id !== actorId && !actor?.roles.includes('admin')) throw new DomainError('FORBIDDEN', '只能取消自己的代理设置', 'you can only revoke your own delegation')
      const now = this.now()
      await trx.updateTable('delegations').set({ revoked_at: now }).where('id', '=', id).execute()
      await appendAudit(trx, { at: now, actorId, action: 'delegation.revoked', entityType: 'user', entityId: row.principal_id, before: { delegateId: row.delegate_id } })
    })
  }

  async list(principalId: string): Promise<Delegation[]> {
    const rows = await this.db.selectFrom('delegations').selectAll().where('principal_id', '=', principalId).where('revoked_at', 'is', null).orderBy('starts_at').execute()
    return rows.map((r) => ({
      id: r.id,
      principalId: r.principal_id,
      delegateId: r.delegate_id,
      from: companyDate(Number(r.starts_at)),
      to: companyDate(Number(r.ends_at) - 1),
      reason: r.reason,
    }))
  }
}
