import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { toEmployee, type Employee } from '../../workflow/org.js'

/** What a platform's contact API tells us about a person, used to find them in our employee master. */
export interface PlatformProfile {
  name: string
  employeeNo?: string
  mobile?: string
  email?: string
}

export interface ResolveOptions {
  /** Called only when the platform id is not linked yet (a contact API round trip). */
  lookupProfile: () => Promise<PlatformProfile | null>
  /** Create unknown people as employees (demo mode, or *_AUTO_PROVISION=1). */
  autoProvision: boolean
}

/**
 * What a leaver is told when he writes or taps. His platform link is kept (history names him), so
 * he is not a stranger, and 「你还未在系统中登记」 would send him to an administrator for nothing.
 */
export const DEACTIVATED = { zh: '你的账号已停用（离职），不能再使用审批助手；如有疑问请联系管理员', en: 'your account is deactivated; ask an administrator' }

/** Where auto-provisioned people land until an admin places them. */
export const UNASSIGNED_DEPARTMENT = { id: 'd-unassigned', name: '待分配' }

/** Links platform identities (open_id, staffId) to our employees and back. */
export class IdentityLinks {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Our employee for a platform user, linking on first contact by 工号, then mobile, then email.
   * A linked leaver comes back with `active: false` (callers refuse him with DEACTIVATED); only
   * active employees are matched or linked anew.
   */
  async resolve(platform: string, externalId: string, options: ResolveOptions): Promise<Employee | null> {
    const linked = await this.db
      .selectFrom('user_identities')
      .innerJoin('users', 'users.id', 'user_identities.user_id')
      .selectAll('users')
      .where('user_identities.platform', '=', platform)
      .where('user_identities.external_id', '=', externalId)
      .executeTakeFirst()
    if (linked) return toEmployee(linked)

    const profile = await options.lookupProfile()
    const match = profile && (await this.match(profile))
    const employee = match ?? (options.autoProvision && profile ? await this.provision(platform, externalId, profile) : null)
    if (employee) await this.link(platform, externalId, employee.id)
    return employee
  }

  async link(platform: string, externalId: string, userId: string): Promise<void> {
    await this.db.insertInto('user_identities').orIgnore().values({ platform, external_id: externalId, user_id: userId, created_at: this.now() }).execute()
  }

  /** The platform id to send to, if this employee has one there. */
  async externalId(platform: string, userId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('user_identities').select('external_id').where('platform', '=', platform).where('user_id', '=', userId).executeTakeFirst()
    return row?.external_id
  }

  private async match(profile: PlatformProfile): Promise<Employee | null> {
    for (const [column, value] of [['employee_no', profile.employeeNo], ['mobile', profile.mobile], ['email', profile.email]] as const) {
      if (!value) continue
      const row = await this.db.selectFrom('users').selectAll().where(column, '=', value).where('active', '=', 1).executeTakeFirst()
      if (row) return toEmployee(row)
    }
    return null
  }

  private async provision(platform: string, externalId: string, profile: PlatformProfile): Promise<Employee> {
    const now = this.now()
    await this.db.insertInto('departments').orIgnore().values({ ...UNASSIGNED_DEPARTMENT, parent_id: null, head_user_id: null, cost_center: null, created_at: now }).execute()
    const id = `${platform}-${externalId}`.slice(0, 64)
    await this.db
      .insertInto('users')
      .orIgnore()
      .values({
        id,
        employee_no: profile.employeeNo ?? id.slice(0, 32),
        name: profile.name,
        department_id: UNASSIGNED_DEPARTMENT.id,
        manager_id: null,
        title: null,
        level: 1,
        roles: JSON.stringify(['employee']),
        mobile: profile.mobile ?? null,
        email: profile.email ?? null,
        active: 1,
        created_at: now,
      })
      .execute()
    return toEmployee(await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow())
  }
}
