import type { Kysely } from 'kysely'
import type { Schema } from '../../../db/schema.js'
import type { Employee } from '../../../workflow/org.js'
import type { IdentityLinks, PlatformProfile } from '../../identity/identity-links.js'
import { DingtalkApiError, type DingtalkClient } from './dingtalk-client.js'

export const DINGTALK = 'dingtalk'

/** oapi errcode for "no such user" (user/get, getbymobile). */
const NO_SUCH_USER = '60121'

/** `/topapi/v2/user/get` result fields we read. */
interface DingtalkUser {
  userid: string
  name: string
  mobile?: string
  job_number?: string
  email?: string
  org_email?: string
}

export class NoDingtalkAccount extends Error {}

/**
 * DingTalk user ids (staffId / userid) ↔ our employees. A user who writes to the robot is found
 * by 工号, mobile or email through the contact API; an employee the bot must reach first
 * (an approver who never wrote) is found by mobile.
 */
export class DingtalkDirectory {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly client: DingtalkClient,
    private readonly links: IdentityLinks,
    private readonly autoProvision: boolean,
  ) {}

  async employeeFor(staffId: string): Promise<Employee | null> {
    return this.links.resolve(DINGTALK, staffId, { lookupProfile: () => this.profile(staffId), autoProvision: this.autoProvision })
  }

  async profile(staffId: string): Promise<PlatformProfile | null> {
    const user = await this.missingAsUndefined(this.client.oapi<{ result: DingtalkUser }>('/topapi/v2/user/get', { userid: staffId, language: 'zh_CN' }))
    if (!user) return null
    const { name, job_number, mobile, email, org_email } = user.result
    return { name, ...(job_number ? { employeeNo: job_number } : {}), ...(mobile ? { mobile } : {}), ...(email || org_email ? { email: email || org_email } : {}) }
  }

  /** The DingTalk user id to send to; links the employee by mobile on first use. */
  async staffIdFor(userId: string): Promise<string> {
    const known = await this.links.externalId(DINGTALK, userId)
    if (known) return known
    const employee = await this.db.selectFrom('users').select(['name', 'mobile']).where('id', '=', userId).executeTakeFirst()
    const found = employee?.mobile
      ? await this.missingAsUndefined(this.client.oapi<{ result: { userid: string } }>('/topapi/v2/user/getbymobile', { mobile: employee.mobile }))
      : undefined
    if (found) {
      await this.links.link(DINGTALK, found.result.userid, userId)
      // The link is ignored when that DingTalk account already belongs to someone else.
      const linked = await this.links.externalId(DINGTALK, userId)
      if (linked) return linked
    }
    throw new NoDingtalkAccount(
      `${employee?.name ?? userId} 没有关联钉钉账号（请在员工资料中填写手机号，或让其先给机器人发一条消息） / no DingTalk account linked for ${userId}`,
    )
  }

  private async missingAsUndefined<T>(call: Promise<T>): Promise<T | undefined> {
    try {
      return await call
    } catch (error) {
      if (error instanceof DingtalkApiError && error.code === NO_SUCH_USER) return undefined
      throw error
    }
  }
}
