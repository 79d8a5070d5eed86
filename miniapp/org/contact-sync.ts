import type { Kysely } from 'kysely'
import type { DirectorySnapshot } from '../../bot/identity/contact-directory.js'
import { UNASSIGNED_DEPARTMENT } from '../../bot/identity/identity-links.js'
import type { Schema } from '../../db/schema.js'
import { inTransaction } from '../../db/transaction.js'
import { appendAudit } from '../../workflow/audit.js'
import { isActiveAdmin, LAST_ADMIN, leadsBackTo } from './employee-update.js'

export interface SyncCounts {
  added: number
  updated: number
  unchanged: number
}

export interface ContactSyncResult {
  platform: string
  departments: SyncCounts
  people: SyncCounts
  /** New identity links: people the bot now knows on this platform without a first message. */
  linked: number
  /** The admin the directory lists as having left, kept active as the last one (keepAnActiveAdmin). */
  keptAdmin?: { id: string; name: string }
  message: string
}

const DEPARTMENT_FIELDS = ['name', 'parent_id', 'head_user_id'] as const
const PERSON_FIELDS = ['name', 'employee_no', 'department_id', 'manager_id', 'title', 'mobile', 'email', 'active'] as const

/** Our id for something first seen on a platform: readable, stable across syncs, and valid where ids are checked. */
const localId = (platform: string, externalId: string, max: number) => `${platform}-${externalId}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, max)

const count = (items: { isNew: boolean; changed: boolean }[]): SyncCounts => ({
  added: items.filter((i) => i.isNew).length,
  updated: items.filter((i) => !i.isNew && i.changed).length,
  unchanged: items.filter((i) => !i.isNew && !i.changed).length,
})

/**
 * The platform's supervisors mixed with ours (people it does not list keep theirs) could close a
 * loop, and approval routes walk these chains: a supervisor the sync would set that closes one is
 * left as it was.
 */
function keepSupervisorChainsFinite(users: { id: string; manager_id: string | null }[], planned: { before?: { manager_id: string | null }; values: { id: string; manager_id: string | null } }[]): void {
  const managerOf = new Map(users.map((u) => [u.id, u.manager_id]))
  for (const { values } of planned) managerOf.set(values.id, values.manager_id)
  for (const { before, values } of planned) {
    if (!leadsBackTo(managerOf, values.id)) continue
    values.manager_id = before?.manager_id ?? null
    managerOf.set(values.id, values.manager_id)
    if (leadsBackTo(managerOf, values.id)) managerOf.set(values.id, (values.manager_id = null))
  }
}

/**
 * The directory may list the last active admin as having left: switching them off would leave
 * nobody able to run the mini-app, which the import and the edit form refuse. The rest of the sync
 * is still wanted, so that one admin is kept active and the result says so. Returns whom it kept.
 */
function keepAnActiveAdmin(users: { id: string; roles: string; active: number }[], planned: { before?: { roles: string; active: number }; values: { id: string; name: string; active: number } }[]) {
  const afterSync = new Map<string, { roles: string; active: number }>(users.map((u) => [u.id, u]))
  for (const { before, values } of planned) if (before) afterSync.set(values.id, { roles: before.roles, active: values.active })
  if ([...afterSync.values()].some(isActiveAdmin)) return undefined
  const kept = planned.find((p) => p.before && isActiveAdmin(p.before))?.values
  if (kept) kept.active = 1
  return kept && { id: kept.id, name: kept.name }
}

/**
 * Brings the employee master in line with a platform's directory: departments (name, parent,
 * head), people (name, 工号, department, supervisor, title, mobile, e-mail, active) and their
 * identity links. People are found by their existing link, then 工号, mobile, e-mail, the way a
 * first chat message links them; departments by the id an earlier sync gave them, then by name.
 * What the platform does not say (roles, level, cost centre) is left as the admins set it, and
 * nobody missing from the directory is deactivated. Running it again changes nothing.
 */
export async function syncContacts(
  db: Kysely<Schema>,
  platform: string,
  snapshot: DirectorySnapshot,
  options: { actorId: string; now: number; dryRun: boolean },
): Promise<ContactSyncResult> {
  const plan = await inTransaction(db, async (trx) => {
    const [departments, users, links] = await Promise.all([
      trx.selectFrom('departments').selectAll().execute(),
      trx.selectFrom('users').selectAll().execute(),
      trx.selectFrom('user_identities').select(['external_id', 'user_id']).where('platform', '=', platform).execute(),
    ])

    // Departments: which of ours each platform department is.
    const departmentIdOf = new Map<string, string>()
    for (const d of snapshot.departments) {
      const derived = localId(platform, d.externalId, 64)
      const taken = new Set(departmentIdOf.values())
      const ours = departments.find((x) => x.id === derived) ?? departments.find((x) => x.name === d.name && !taken.has(x.id))
      departmentIdOf.set(d.externalId, ours?.id ?? derived)
    }

    // People: which of ours each platform person is.
    const linkedTo = new Map(links.map((l) => [l.external_id, l.user_id]))
    const claimed = new Set<string>()
    const userIdOf = new Map<string, string>()
    for (const p of snapshot.people) {
      const free = (u: { id: string }) => !claimed.has(u.id)
      const linked = linkedTo.get(p.externalId)
      const ours =
        users.find((u) => u.id === linked) ??
        (p.employeeNo ? users.find((u) => free(u) && u.employee_no === p.employeeNo) : undefined) ??
        (p.mobile ? users.find((u) => free(u) && u.mobile === p.mobile) : undefined) ??
        (p.email ? users.find((u) => free(u) && u.email?.toLowerCase() === p.email!.toLowerCase()) : undefined)
      const id = ours?.id ?? localId(platform, p.externalId, 64)
      claimed.add(id)
      userIdOf.set(p.externalId, id)
    }
    const personId = (externalId?: string) => (externalId ? (userIdOf.get(externalId) ?? linkedTo.get(externalId)) : undefined)

    const departmentPlan = snapshot.departments.map((d) => {
      const id = departmentIdOf.get(d.externalId)!
      const before = departments.find((x) => x.id === id)
      const values = {
        id,
        name: d.name,
        parent_id: d.parentExternalId ? (departmentIdOf.get(d.parentExternalId) ?? before?.parent_id ?? null) : null,
        head_user_id: personId(d.leaderExternalId) ?? before?.head_user_id ?? null,
        cost_center: before?.cost_center ?? null,
      }
      return { isNew: !before, changed: !!before && DEPARTMENT_FIELDS.some((f) => before[f] !== values[f]), values }
    })

    const numbersInUse = new Map(users.map((u) => [u.employee_no, u.id]))
    const planned = snapshot.people.map((p) => {
      const id = userIdOf.get(p.externalId)!
      const before = users.find((u) => u.id === id)
      const wantedNo = p.employeeNo && (numbersInUse.get(p.employeeNo) ?? id) === id ? p.employeeNo : undefined
      const employeeNo = wantedNo ?? before?.employee_no ?? id.slice(0, 32)
      numbersInUse.set(employeeNo, id)
      const mainDepartment = p.departmentExternalIds.map((x) => departmentIdOf.get(x)).find(Boolean)
      const managerId = personId(p.managerExternalId)
      const values = {
        id,
        employee_no: employeeNo,
        name: p.name,
        department_id: mainDepartment ?? before?.department_id ?? UNASSIGNED_DEPARTMENT.id,
        manager_id: managerId && managerId !== id ? managerId : (before?.manager_id ?? null),
        title: p.title ?? before?.title ?? null,
        mobile: p.mobile ?? before?.mobile ?? null,
        email: p.email ?? before?.email ?? null,
        active: p.active ? 1 : 0,
      }
      return { before, values, externalId: p.externalId, link: linkedTo.get(p.externalId) !== id }
    })
    keepSupervisorChainsFinite(users, planned)
    const keptAdmin = keepAnActiveAdmin(users, planned)
    const personPlan = planned.map((p) => ({
      ...p,
      isNew: !p.before,
      changed: !!p.before && PERSON_FIELDS.some((f) => (f === 'active' ? Number(p.before!.active) !== p.values.active : p.before![f] !== p.values[f])),
    }))

    const result = {
      departments: count(departmentPlan),
      people: count(personPlan),
      linked: personPlan.filter((p) => p.link).length,
      keptAdmin,
    }
    if (options.dryRun) return result

    if (personPlan.some((p) => p.isNew && p.values.department_id === UNASSIGNED_DEPARTMENT.id)) await trx.insertInto('departments').orIgnore().values({ ...UNASSIGNED_DEPARTMENT, parent_id: null, head_user_id: null, cost_center: null, created_at: options.now }).execute()
    for (const { isNew, changed, values } of departmentPlan) {
      if (isNew) await trx.insertInto('departments').values({ ...values, created_at: options.now }).execute()
      else if (changed) await trx.updateTable('departments').set(values).where('id', '=', values.id).execute()
    }
    for (const { isNew, changed, values, externalId, link } of personPlan) {
      if (isNew) await trx.insertInto('users').values({ ...values, level: 1, roles: JSON.stringify(['employee']), created_at: options.now }).execute()
      else if (changed) await trx.updateTable('users').set(values).where('id', '=', values.id).execute()
      if (link) {
        // A platform id follows the person it now resolves to (e.g. linked by mobile before 工号 was filled in).
        await trx.deleteFrom('user_identities').where('platform', '=', platform).where('external_id', '=', externalId).execute()
        await trx.insertInto('user_identities').values({ platform, external_id: externalId, user_id: values.id, created_at: options.now }).execute()
      }
    }
    await appendAudit(trx, { at: options.now, actorId: options.actorId, action: 'org.contacts.synced', entityType: 'users', entityId: platform, after: result })
    return result
  })
  const label = platform === 'feishu' ? '飞书' : platform === 'dingtalk' ? '钉钉' : platform
  const d = plan.departments
  const p = plan.people
  const verb = options.dryRun ? '将' : '已'
  return {
    platform,
    ...plan,
    message:
      `${label}通讯录${options.dryRun ? '预览' : '同步完成'}：部门${verb}新增 ${d.added}、更新 ${d.updated}、未变 ${d.unchanged}；人员${verb}新增 ${p.added}、更新 ${p.updated}、未变 ${p.unchanged}。` +
      ` / ${platform} directory ${options.dryRun ? 'preview' : 'synced'}: departments +${d.added} ~${d.updated} =${d.unchanged}; people +${p.added} ~${p.updated} =${p.unchanged}.` +
      (plan.keptAdmin
        ? `\n${plan.keptAdmin.name}（${plan.keptAdmin.id}）在${label}显示为已离职，${verb}保留在职：${LAST_ADMIN.zh}。/ ${plan.keptAdmin.name} (${plan.keptAdmin.id}) has left according to ${platform} but ${options.dryRun ? 'will stay' : 'stays'} active: ${LAST_ADMIN.en}.`
        : ''),
  }
}
