import type { ContactDirectory, DirectoryDepartment, DirectoryPerson, DirectorySnapshot } from '../../identity/contact-directory.js'
import { FEISHU } from './feishu-identity.js'
import type { FeishuOutbound } from './feishu-outbound.js'

/** contact/v3 answers at most 50 per page on these two lists. */
const PAGE_SIZE = '50'
/** The tenant root in contact/v3 department ids. */
const ROOT = '0'

interface Page<T> {
  data?: { items?: T[]; has_more?: boolean; page_token?: string }
}

interface FeishuDepartment {
  name?: string
  open_department_id?: string
  parent_department_id?: string
  leader_user_id?: string
  status?: { is_deleted?: boolean }
}

interface FeishuDirectoryUser {
  open_id?: string
  name?: string
  employee_no?: string
  mobile?: string
  email?: string
  enterprise_email?: string
  job_title?: string
  department_ids?: string[]
  leader_user_id?: string
  status?: { is_resigned?: boolean; is_frozen?: boolean; is_exited?: boolean }
}

/** Feishu writes mainland mobiles as +86…; the employee master keeps the 11 digits. */
const localMobile = (mobile?: string) => (mobile ? mobile.replace(/^\+86(?=1\d{10}$)/, '') : undefined)

/**
 * The tenant directory through contact/v3 with the tenant token, ids as open_id and
 * open_department_id: every department under the root (fetch_child), then each department's
 * direct members (users/find_by_department), following page_token to the end. Needs the app's
 * contact scope (通讯录权限范围) to cover the people to sync.
 */
export class FeishuContactDirectory implements ContactDirectory {
  readonly platform = FEISHU

  constructor(private readonly api: FeishuOutbound) {}

  async read(): Promise<DirectorySnapshot> {
    const departments = (
      await this.all<FeishuDepartment>('contact departments', `/open-apis/contact/v3/departments/${ROOT}/children`, { fetch_child: 'true' })
    )
      .filter((d) => d.open_department_id && !d.status?.is_deleted)
      .map(
        (d): DirectoryDepartment => ({
          externalId: d.open_department_id!,
          name: d.name ?? d.open_department_id!,
          parentExternalId: !d.parent_department_id || d.parent_department_id === ROOT ? null : d.parent_department_id,
          leaderExternalId: d.leader_user_id || undefined,
        }),
      )
    const people = new Map<string, DirectoryPerson>()
    for (const departmentId of [ROOT, ...departments.map((d) => d.externalId)]) {
      const members = await this.all<FeishuDirectoryUser>('contact users', '/open-apis/contact/v3/users/find_by_department', { department_id: departmentId })
      for (const u of members) {
        if (!u.open_id || people.has(u.open_id)) continue
        people.set(u.open_id, {
          externalId: u.open_id,
          name: u.name ?? u.open_id,
          employeeNo: u.employee_no || undefined,
          mobile: localMobile(u.mobile),
          email: u.enterprise_email || u.email || undefined,
          title: u.job_title || undefined,
          departmentExternalIds: (u.department_ids ?? []).filter((id) => id !== ROOT),
          managerExternalId: u.leader_user_id || undefined,
          active: !u.status?.is_resigned && !u.status?.is_frozen && !u.status?.is_exited,
        })
      }
    }
    return { departments, people: [...people.values()] }
  }

  private async all<T>(what: string, path: string, params: Record<string, string>): Promise<T[]> {
    const items: T[] = []
    let pageToken: string | undefined
    const seen = new Set<string>()
    do {
      const page = await this.api.get<Page<T>>(what, path, {
        ...params,
        department_id_type: 'open_department_id',
        user_id_type: 'open_id',
        page_size: PAGE_SIZE,
        ...(pageToken ? { page_token: pageToken } : {}),
      })
      items.push(...(page.data?.items ?? []))
      pageToken = page.data?.has_more ? page.data.page_token : undefined
      // A token Feishu hands out twice would loop forever.
      if (pageToken && seen.has(pageToken)) throw new Error(`feishu ${what}: page_token ${pageToken} repeated`)
      if (pageToken) seen.add(pageToken)
    } while (pageToken)
    return items
  }
}
