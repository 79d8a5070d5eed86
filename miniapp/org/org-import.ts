import type { Kysely, Transaction } from 'kysely'
import Papa from 'papaparse'
import type { Schema } from '../../db/schema.js'
import { inTransaction } from '../../db/transaction.js'
import { appendAudit } from '../../workflow/audit.js'
import { isActiveAdmin, LAST_ADMIN, leadsBackTo, requireActiveAdmin, SUPERVISOR_LOOP } from './employee-update.js'

export interface ImportProblem {
  line: number
  message: string
}

export interface ImportResult {
  valid: number
  created: number
  updated: number
  errors: ImportProblem[]
  /** What a person reads: Chinese first, English after. */
  message: string
}

/** Header names accepted per column: as an HR spreadsheet exported from Feishu/DingTalk would say them, or in English. */
const EMPLOYEE_COLUMNS = {
  employeeNo: ['工号', '员工工号', 'employee_no', 'employeeno', 'employee no'],
  name: ['姓名', '名字', 'name'],
  department: ['部门', '部门编号', '部门名称', 'department', 'department_id'],
  manager: ['直属上级工号', '上级工号', '直属上级', '上级', 'manager', 'manager_employee_no'],
  title: ['职位', '岗位', 'title'],
  level: ['职级', 'level'],
  roles: ['角色', 'roles'],
  mobile: ['手机', '手机号', 'mobile'],
  email: ['邮箱', 'email'],
  active: ['在职', '状态', 'active'],
} as const

const DEPARTMENT_COLUMNS = {
  id: ['部门编号', '编号', 'id', 'department_id'],
  name: ['部门名称', '名称', 'name'],
  parent: ['上级部门', '上级部门编号', 'parent', 'parent_id'],
  head: ['负责人工号', '负责人', 'head', 'head_employee_no'],
  costCenter: ['成本中心', 'cost_center', 'costcenter'],
} as const

type Columns<T extends Record<string, readonly string[]>> = { [K in keyof T]?: string }

function parseCsv<T extends Record<string, readonly string[]>>(text: string, columns: T) {
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: 'greedy',
    transformHeader: (h) => h.trim().toLowerCase(),
  })
  const fields = parsed.meta.fields ?? []
  const found = Object.fromEntries(
    Object.entries(columns).map(([key, names]) => [key, fields.find((f) => (names as readonly string[]).includes(f))]),
  ) as Columns<T>
  const errors: ImportProblem[] = parsed.errors.map((e) => ({ line: (e.row ?? 0) + 2, message: `CSV 格式错误 / malformed CSV: ${e.message}` }))
  const cell = (row: Record<string, string>, key: keyof T) => {
    const column = found[key]
    return column === undefined ? '' : (row[column] ?? '').trim()
  }
  return { rows: parsed.data, found, errors, cell }
}

/**
 * Both lists are explicit: a word in neither (a typo, 「休假」) is a line error rather than a guess,
 * so nobody is switched off or left on by accident. 待离职 (notice given, last day still ahead) is
 * active: they still work, and approve, until they have left.
 */
const ACTIVE = new Set(['1', 'true', 'yes', 'y', '是', '在职', '正常', '启用', '试用', '试用期', '待离职', 'active', 'enabled'])
const INACTIVE = new Set(['0', 'false', 'no', 'n', '否', '离职', '已离职', '停用', '已停用', '禁用', '已禁用', 'inactive', 'disabled', 'resigned', 'left'])
const activeValue = (text: string) => (ACTIVE.has(text.toLowerCase()) ? 1 : INACTIVE.has(text.toLowerCase()) ? 0 : undefined)
/** What an import can change about a person or a department, each compared before and after for the audit log. */
const EMPLOYEE_AUDITED_FIELDS = ['name', 'department_id', 'manager_id', 'title', 'level', 'roles', 'mobile', 'email', 'active'] as const
const DEPARTMENT_AUDITED_FIELDS = ['name', 'parent_id', 'head_user_id', 'cost_center'] as const
const splitRoles = (text: string) => [...new Set(text.split(/[;,、|，；\s]+/).map((r) => r.trim()).filter(Boolean))]

/**
 * The employee master from a CSV: new 工号 are added, known ones updated. All or nothing: any
 * error and nothing changes; every error names its line. Managers may be other rows of the same file.
 */
export async function importEmployees(db: Kysely<Schema>, text: string, options: { dryRun: boolean; actorId: string; now: number }): Promise<ImportResult> {
  const { rows, found, errors, cell } = parseCsv(text, EMPLOYEE_COLUMNS)
  const missing = (['employeeNo', 'name', 'department'] as const).filter((k) => !found[k])
  if (missing.length) return summary(0, 0, 0, [{ line: 1, message: `缺少列 / missing columns: ${missing.map((k) => EMPLOYEE_COLUMNS[k][0]).join('、')}` }])

  const [existing, departments] = await Promise.all([db.selectFrom('users').selectAll().execute(), db.selectFrom('departments').select(['id', 'name']).execute()])
  // 工号 match without regard to case: new people get ids from the lower-cased 工号, and MariaDB's collation already treats AB1 and ab1 as one.
  const byNo = new Map(existing.map((u) => [u.employee_no.toLowerCase(), u]))
  const departmentOf = (key: string) => departments.find((d) => d.id === key) ?? departments.find((d) => d.name === key)
  const fileNos = new Map<string, number>()
  rows.forEach((row, i) => {
    const no = cell(row, 'employeeNo').toLowerCase()
    if (no && fileNos.has(no)) errors.push({ line: i + 2, message: `工号 ${cell(row, 'employeeNo')} 与第 ${fileNos.get(no)} 行重复（不区分大小写）/ duplicate employee no. (case-insensitive)` })
    else if (no) fileNos.set(no, i + 2)
  })

  // A new person's id is emp-<工号>, unless someone already has that id (their 工号 has changed since, e.g. by a contact
  // sync): then the first free emp-<工号>-2, -3, … Ids compare without case, as MariaDB's collation does.
  const takenIds = new Set(existing.map((u) => u.id.toLowerCase()))
  const newNos = [...fileNos.keys()].filter((no) => !byNo.has(no))
  const newIds = new Map(newNos.filter((no) => !takenIds.has(`emp-${no}`)).map((no) => [no, `emp-${no}`]))
  for (const id of newIds.values()) takenIds.add(id)
  for (const no of newNos.filter((no) => !newIds.has(no))) {
    let n = 2
    while (takenIds.has(`emp-${no}-${n}`)) n++
    newIds.set(no, `emp-${no}-${n}`)
    takenIds.add(`emp-${no}-${n}`)
  }
  const idOf = (no: string) => byNo.get(no.toLowerCase())?.id ?? newIds.get(no.toLowerCase())!
  const planned = rows.flatMap((row, i) => {
    const line = i + 2
    const employeeNo = cell(row, 'employeeNo')
    const name = cell(row, 'name')
    const department = departmentOf(cell(row, 'department'))
    const managerNo = cell(row, 'manager')
    const levelText = cell(row, 'level')
    const level = levelText ? Number(levelText) : undefined
    const activeText = cell(row, 'active')
    const active = activeText ? activeValue(activeText) : undefined
    const problems: string[] = []
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(employeeNo)) problems.push('工号为空或含非法字符 / employee no. missing or invalid')
    if (!name) problems.push('姓名为空 / name missing')
    if (!department) problems.push(`找不到部门「${cell(row, 'department')}」/ unknown department`)
    if (managerNo && !byNo.has(managerNo.toLowerCase()) && !fileNos.has(managerNo.toLowerCase())) problems.push(`找不到上级工号 ${managerNo} / unknown manager`)
    if (managerNo && managerNo.toLowerCase() === employeeNo.toLowerCase()) problems.push('不能是自己的上级 / cannot manage oneself')
    if (level !== undefined && (!Number.isInteger(level) || level < 0 || level > 99)) problems.push('职级应为 0–99 的整数 / level must be an integer 0–99')
    if (activeText && active === undefined) problems.push(`无法识别的状态「${activeText}」，请填 在职 或 离职 / unknown status "${activeText}": use active or inactive`)
    for (const message of problems) errors.push({ line, message })
    if (problems.length || !department) return []
    const before = byNo.get(employeeNo.toLowerCase())
    const roles = cell(row, 'roles') ? splitRoles(cell(row, 'roles')) : before ? (JSON.parse(before.roles) as string[]) : ['employee']
    return [
      {
        line,
        before,
        values: {
          id: idOf(employeeNo),
          employee_no: employeeNo,
          name,
          department_id: department.id,
          // Like the columns below: a file without a supervisor column (or a blank cell) keeps the one set before.
          manager_id: managerNo ? idOf(managerNo) : (before?.manager_id ?? null),
          title: cell(row, 'title') || (before?.title ?? null),
          level: level ?? (before ? Number(before.level) : 1),
          roles: JSON.stringify(roles.includes('employee') ? roles : ['employee', ...roles]),
          mobile: cell(row, 'mobile') || (before?.mobile ?? null),
          email: cell(row, 'email') || (before?.email ?? null),
          active: active ?? (before ? Number(before.active) : 1),
        },
      },
    ]
  })

  // What the edit form refuses, checked on the master as it would be after the import, so the dry run reports it too.
  const managerOf = new Map(existing.map((u) => [u.id, u.manager_id]))
  for (const { values } of planned) managerOf.set(values.id, values.manager_id)
  for (const { line, values } of planned) if (leadsBackTo(managerOf, values.id)) errors.push({ line, message: `${SUPERVISOR_LOOP.zh} / ${SUPERVISOR_LOOP.en}` })
  const afterImport = new Map<string, { roles: string; active: number }>(existing.map((u) => [u.id, u]))
  for (const { values } of planned) afterImport.set(values.id, values)
  if (![...afterImport.values()].some(isActiveAdmin)) {
    for (const { line, before, values } of planned) if (before && isActiveAdmin(before) && !isActiveAdmin(values)) errors.push({ line, message: `${LAST_ADMIN.zh} / ${LAST_ADMIN.en}` })
  }

  const created = planned.filter((p) => !p.before).length
  const updated = planned.length - created
  if (errors.length || options.dryRun || planned.length === 0) return summary(planned.length, errors.length ? 0 : created, errors.length ? 0 : updated, errors, options.dryRun)

  await inTransaction(db, async (trx) => {
    for (const { before, values } of planned) {
      if (!before) await trx.insertInto('users').values({ ...values, created_at: options.now }).execute()
      else await trx.updateTable('users').set(values).where('id', '=', values.id).execute()
    }
    const audit = { at: options.now, actorId: options.actorId }
    await appendAudit(trx, { ...audit, action: 'org.employees.imported', entityType: 'users', entityId: 'csv', after: { created, updated } })
    await auditEach(trx, { ...audit, action: 'org.employee.imported', entityType: 'user' }, planned, EMPLOYEE_AUDITED_FIELDS, (row, f) =>
      f === 'roles' ? (JSON.parse(row.roles) as unknown) : f === 'level' || f === 'active' ? Number(row[f]) : row[f],
    )
    await requireActiveAdmin(trx)
  })
  return summary(planned.length, created, updated, [], false)
}

/** Departments from a CSV: new ids added, known ones updated; parents and heads may be other rows / existing people. */
export async function importDepartments(db: Kysely<Schema>, text: string, options: { dryRun: boolean; actorId: string; now: number }): Promise<ImportResult> {
  const { rows, found, errors, cell } = parseCsv(text, DEPARTMENT_COLUMNS)
  const missing = (['id', 'name'] as const).filter((k) => !found[k])
  if (missing.length) return summary(0, 0, 0, [{ line: 1, message: `缺少列 / missing columns: ${missing.map((k) => DEPARTMENT_COLUMNS[k][0]).join('、')}` }])

  const [existing, users] = await Promise.all([
    db.selectFrom('departments').select(['id', 'name', 'parent_id', 'head_user_id', 'cost_center']).execute(),
    db.selectFrom('users').select(['id', 'employee_no']).execute(),
  ])
  const known = new Map(existing.map((d) => [d.id, d]))
  const fileIds = new Set(rows.map((row) => cell(row, 'id')).filter(Boolean))
  const parentId = (key: string) => (known.has(key) || fileIds.has(key) ? key : (existing.find((d) => d.name === key)?.id ?? null))
  const planned = rows.flatMap((row, i) => {
    const line = i + 2
    const id = cell(row, 'id')
    const name = cell(row, 'name')
    const parentKey = cell(row, 'parent')
    const headNo = cell(row, 'head')
    const head = headNo ? users.find((u) => u.employee_no === headNo || u.id === headNo) : undefined
    const problems: string[] = []
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) problems.push('部门编号为空或含非法字符 / department id missing or invalid')
    if (!name) problems.push('部门名称为空 / name missing')
    if (parentKey && !parentId(parentKey)) problems.push(`找不到上级部门「${parentKey}」/ unknown parent`)
    if (parentKey && parentId(parentKey) === id) problems.push('上级部门不能是自己 / a department cannot be its own parent')
    if (headNo && !head) problems.push(`找不到负责人工号 ${headNo} / unknown head`)
    for (const message of problems) errors.push({ line, message })
    if (problems.length) return []
    const before = known.get(id)
    // A column left out, or a blank cell, keeps what is set: a head cleared by a name-only file would make 部门负责人 steps pass unapproved.
    const values = {
      id,
      name,
      parent_id: parentKey ? parentId(parentKey) : (before?.parent_id ?? null),
      head_user_id: head?.id ?? before?.head_user_id ?? null,
      cost_center: cell(row, 'costCenter') || (before?.cost_center ?? null),
    }
    return [{ line, before, values }]
  })
  const parentOf = new Map(existing.map((d) => [d.id, d.parent_id]))
  for (const { values } of planned) parentOf.set(values.id, values.parent_id)
  for (const { line, values } of planned) if (leadsBackTo(parentOf, values.id)) errors.push({ line, message: '上级部门关系不能形成循环 / the department hierarchy would loop' })

  const created = planned.filter((p) => !p.before).length
  const updated = planned.length - created
  if (errors.length || options.dryRun || planned.length === 0) return summary(planned.length, errors.length ? 0 : created, errors.length ? 0 : updated, errors, options.dryRun)

  await inTransaction(db, async (trx) => {
    for (const { before, values } of planned) {
      if (!before) await trx.insertInto('departments').values({ ...values, created_at: options.now }).execute()
      else await trx.updateTable('departments').set(values).where('id', '=', values.id).execute()
    }
    const audit = { at: options.now, actorId: options.actorId }
    await appendAudit(trx, { ...audit, action: 'org.departments.imported', entityType: 'departments', entityId: 'csv', after: { created, updated } })
    await auditEach(trx, { ...audit, action: 'org.department.imported', entityType: 'department' }, planned, DEPARTMENT_AUDITED_FIELDS)
  })
  return summary(planned.length, created, updated, [], false)
}

/**
 * One audit row per record an import creates or changes, with the fields that differ before and after, as the edit form
 * writes: a new head or a person switched off reads like any other change, and no row grows with the file (MySQL's TEXT
 * holds 64 KB), so nothing is cut however many records one import touches.
 */
async function auditEach<F extends string, R extends { [K in F]: unknown }>(
  trx: Transaction<Schema>,
  audit: { at: number; actorId: string; action: string; entityType: string },
  planned: readonly { before?: NoInfer<R>; values: R & { id: string } }[],
  audited: readonly F[],
  shown: (row: R, field: F) => unknown = (row, field) => row[field],
): Promise<void> {
  for (const { before, values } of planned) {
    const fields = audited.filter((f) => !before || String(before[f]) !== String(values[f]))
    if (fields.length === 0) continue
    const pick = (row: R) => Object.fromEntries(fields.map((f) => [f, shown(row, f)]))
    await appendAudit(trx, { ...audit, entityId: values.id, before: before && pick(before), after: pick(values) })
  }
}

function summary(valid: number, created: number, updated: number, errors: ImportProblem[], dryRun = false): ImportResult {
  errors.sort((a, b) => a.line - b.line)
  const message = errors.length
    ? `有 ${errors.length} 处错误，未导入任何数据。请修正后重新上传。/ ${errors.length} error(s); nothing was imported.`
    : valid === 0
      ? '文件中没有数据行。/ The file has no data rows.'
      : dryRun
        ? `检查通过：将新增 ${created} 条、更新 ${updated} 条。/ Ready: ${created} new, ${updated} updated.`
        : `已导入：新增 ${created} 条、更新 ${updated} 条。/ Imported: ${created} new, ${updated} updated.`
  return { valid: errors.length ? 0 : valid, created, updated, errors, message }
}
