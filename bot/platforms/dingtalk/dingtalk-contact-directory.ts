import type { ContactDirectory, DirectoryDepartment, DirectoryPerson, DirectorySnapshot } from '../../identity/contact-directory.js'
import type { DingtalkClient } from './dingtalk-client.js'
import { DINGTALK } from './dingtalk-identity.js'

/** The company root in DingTalk department ids. */
const ROOT = 1
/** topapi/v2/user/list answers at most 100 per page. */
const PAGE_SIZE = 100
/** A cursor DingTalk repeats would loop forever; no directory has this many pages per department. */
const MAX_PAGES = 10_000

interface ListsubAnswer {
  result?: { dept_id: number; name?: string; parent_id?: number }[]
}

interface UserListAnswer {
  result?: {
    has_more?: boolean
    next_cursor?: number
    list?: { userid?: string; name?: string; job_number?: string; mobile?: string; email?: string; org_email?: string; title?: string; dept_id_list?: number[]; leader?: boolean }[]
  }
}

/**
 * The organisation through the oapi contact API with the app's access_token: departments walked
 * down from the root with topapi/v2/department/listsub (one level per call), then each
 * department's members with topapi/v2/user/list, following next_cursor. DingTalk names no direct
 * supervisor in these lists: a department's 主管 (leader: true) becomes its head, and the
 * approval engine falls back to the department head for people without a supervisor.
 * DingTalk lists only current employees, so everyone read is active.
 */
export class DingtalkContactDirectory implements ContactDirectory {
  readonly platform = DINGTALK

  constructor(private readonly client: DingtalkClient) {}

  async read(): Promise<DirectorySnapshot> {
    const departments: DirectoryDepartment[] = []
    for (let queue = [ROOT]; queue.length; ) {
      const parent = queue.shift()!
      const { result = [] } = await this.client.oapi<ListsubAnswer>('/topapi/v2/department/listsub', { dept_id: parent, language: 'zh_CN' })
      for (const d of result) {
        if (departments.some((known) => known.externalId === String(d.dept_id))) continue
        departments.push({ externalId: String(d.dept_id), name: d.name ?? String(d.dept_id), parentExternalId: parent === ROOT ? null : String(parent) })
        queue.push(d.dept_id)
      }
    }

    const people = new Map<string, DirectoryPerson>()
    for (const deptId of [ROOT, ...departments.map((d) => Number(d.externalId))]) {
      const department = departments.find((d) => d.externalId === String(deptId))
      let cursor = 0
      for (let page = 0; page < MAX_PAGES; page++) {
        const { result } = await this.client.oapi<UserListAnswer>('/topapi/v2/user/list', { dept_id: deptId, cursor, size: PAGE_SIZE, contain_access_limit: false, language: 'zh_CN' })
        for (const u of result?.list ?? []) {
          if (!u.userid) continue
          if (u.leader && department && !department.leaderExternalId) department.leaderExternalId = u.userid
          if (people.has(u.userid)) continue
          people.set(u.userid, {
            externalId: u.userid,
            name: u.name ?? u.userid,
            employeeNo: u.job_number || undefined,
            mobile: u.mobile || undefined,
            email: u.org_email || u.email || undefined,
            title: u.title || undefined,
            departmentExternalIds: (u.dept_id_list ?? []).filter((id) => id !== ROOT).map(String),
            active: true,
          })
        }
        if (!result?.has_more || result.next_cursor === undefined || result.next_cursor === cursor) break
        cursor = result.next_cursor
      }
    }
    return { departments, people: [...people.values()] }
  }
}
