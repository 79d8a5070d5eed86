import type { Kysely } from 'kysely'
import type { Schema } from '../../../db/schema.js'
import type { Employee } from '../../../workflow/org.js'
import type { IdentityLinks, PlatformProfile } from '../../identity/identity-links.js'
import type { FeishuOutbound, FeishuUser } from './feishu-outbound.js'

export const FEISHU = 'feishu'

/** What an unknown person is told, and nothing else (issue: no other side effect). */
export const NOT_REGISTERED = '你还未在系统中登记，请联系管理员'

/** Mainland numbers come back as +8613800000000; an employee master usually holds 13800000000. */
function mobileOf(mobile: string | undefined): string | undefined {
  if (!mobile) return undefined
  const mainland = /^\+86(1\d{10})$/.exec(mobile.replace(/[\s-]/g, ''))
  return mainland ? mainland[1] : mobile
}

/** A contact-API (or login user_info) user as the fields our employee master is matched on. */
export function profileOf(user: FeishuUser): PlatformProfile | null {
  const name = user.name || user.en_name
  if (!name) return null
  return {
    name,
    employeeNo: user.employee_no || undefined,
    mobile: mobileOf(user.mobile),
    // The company mailbox is what an employee master records; the personal one is a fallback.
    email: user.enterprise_email || user.email || undefined,
  }
}

/** open_id ↔ our employee: linked once through the contact API, then read from user_identities. */
export class FeishuIdentity {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly links: IdentityLinks,
    private readonly api: FeishuOutbound,
    private readonly autoProvision: boolean,
  ) {}

  /**
   * Our employee for an open_id, or null when nobody matches (and auto-provisioning is off). A failed
   * contact lookup throws: "we could not check" must not read as "you are not registered".
   */
  async employeeFor(openId: string, known?: FeishuUser): Promise<Employee | null> {
    return this.links.resolve(FEISHU, openId, {
      autoProvision: this.autoProvision,
      lookupProfile: async () => {
        const hint = known && profileOf(known)
        if (hint && (hint.employeeNo || hint.mobile || hint.email)) return hint
        const user = await this.api.contactUser(openId)
        return user ? profileOf(user) : null
      },
    })
  }

  /**
   * Where to reach an employee. An approver may never have written to the bot, so an unlinked
   * employee is looked up in the Feishu directory by company e-mail, then mobile, and linked.
   */
  async openIdOf(userId: string): Promise<string | undefined> {
    const linked = await this.links.externalId(FEISHU, userId)
    if (linked) return linked
    const employee = await this.db.selectFrom('users').select(['email', 'mobile']).where('id', '=', userId).where('active', '=', 1).executeTakeFirst()
    if (!employee) return undefined
    for (const contact of [{ email: employee.email ?? undefined }, { mobile: employee.mobile ?? undefined }]) {
      if (!contact.email && !contact.mobile) continue
      const openId = await this.api.openIdByContact(contact)
      if (openId) {
        await this.links.link(FEISHU, openId, userId)
        return openId
      }
    }
    return undefined
  }
}
