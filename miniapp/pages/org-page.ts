import type { Context } from 'hono'
import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import type { ErpAdminService } from '../../erp-bridge/admin/erp-admin-service.js'
import { MAPPING_KINDS, type MappingKind } from '../../erp-bridge/mapping/mapping-kinds.js'
import type { MissingMapping } from '../../erp-bridge/mapping/mapping-check.js'
import type { MappingEntry } from '../../erp-bridge/mapping/mapping-store.js'
import { roleAllows } from '../auth/roles.js'
import type { Viewer } from '../auth/viewer.js'
import { possibleDelegates, upcomingDelegations } from '../delegations/delegation-data.js'
import { listDepartments, listEmployees, type DepartmentRow, type EmployeeRow } from '../org/org-data.js'
import { renderPage } from '../ui/layout.js'
import { bi, empty, html, type Html } from '../ui/html.js'
import { delegationPanel } from './delegation-panel.js'

function importForm(url: string, zh: string, en: string, columns: string, kind?: MappingKind): Html {
  return html`<form class="import" data-import="${url}" ${kind ? html`data-kind="${kind}"` : ''}>
    <details><summary>${zh}<span class="en">${en}</span></summary>
      <p class="faint">CSV（UTF-8 或 Excel 默认的 GBK）或 XLSX（读取第一个工作表），首行为表头，列：${columns}。<br>CSV (UTF-8 or GBK) or XLSX (first sheet) with a header row.</p>
      <input type="file" accept=".csv,text/csv,.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" aria-label="${zh}">
      <div class="import-preview" aria-live="polite"></div>
      <button class="btn primary import-confirm" type="button" hidden>确认导入 Import</button>
    </details></form>`
}

function employeeItem(e: EmployeeRow, departments: DepartmentRow[], people: EmployeeRow[]): Html {
  return html`<li data-employee-no="${e.employeeNo}"><div class="item-main">
    <div class="item-title">${e.name} <span class="faint mono">${e.employeeNo}</span> ${e.active ? '' : html`<span class="badge">停用 inactive</span>`}</div>
    <div class="item-sub">${e.departmentName ?? e.departmentId} · ${e.title ?? ''} · L${e.level}${e.managerName ? ` · 上级 ${e.managerName}` : ''}</div>
    <div class="item-sub">${e.roles.filter((r) => r !== 'employee').map((r) => html`<span class="badge blue">${r}</span> `)}${e.mobile ? html`<span class="faint">${e.mobile}</span>` : ''}</div>
    <details><summary>编辑 Edit</summary>
      <form class="grid" data-post="/api/admin/org/employees/${e.id}" data-method="PATCH">
        <label class="field"><span>部门 Department</span><select name="departmentId">${departments.map((d) => html`<option value="${d.id}" ${d.id === e.departmentId ? 'selected' : ''}>${d.name}</option>`)}</select></label>
        <label class="field"><span>直属上级 Supervisor</span><select name="managerId"><option value="">（无 none：部门负责人审批）</option>${people.filter((p) => p.id !== e.id && p.active).map((p) => html`<option value="${p.id}" ${p.id === e.managerId ? 'selected' : ''}>${p.name} ${p.employeeNo}</option>`)}</select></label>
        <label class="field"><span>职位 Title</span><input type="text" name="title" value="${e.title ?? ''}" maxlength="100"></label>
        <label class="field"><span>职级 Level</span><input type="number" name="level" value="${e.level}" min="0" max="99"></label>
        <label class="field"><span>角色 Roles（空格分隔：admin finance auditor manager dept_head …）</span><input type="text" name="roles" value="${e.roles.join(' ')}"></label>
        <label class="field" style="flex-direction:row;align-items:center;gap:8px"><input type="checkbox" name="active" ${e.active ? 'checked' : ''}><span>在职 Active</span></label>
        <div class="btn-row"><button class="btn primary" type="submit">保存 Save</button></div>
      </form></details>
  </div></li>`
}

/** The ERP code and name inputs of one mapping, with the placeholders they share (both fit a 375 px phone). */
function mappingInputs(label: string, entry?: { erpCode: string; erpName: string | null }): Html {
  return html`<input type="text" name="erpCode" required maxlength="100" value="${entry?.erpCode ?? ''}" placeholder="ERP 编码 code" aria-label="ERP 编码 code · ${label}">
      <input type="text" name="erpName" maxlength="200" data-optional value="${entry?.erpName ?? ''}" placeholder="名称 name（可选）" aria-label="ERP 名称（可选）name, optional · ${label}">`
}

function missingRow(m: MissingMapping): Html {
  return html`<li class="missing" data-missing="${m.kind}:${m.localKey}"><div class="item-main">
    <div class="item-title"><span class="badge orange">缺映射 missing</span> ${m.sentence}</div>
    <form class="mapping-fields" data-post="/api/admin/erp/mappings" data-method="PUT" data-wrap="entries">
      <input type="hidden" name="kind" value="${m.kind}"><input type="hidden" name="localKey" value="${m.localKey}">
      ${mappingInputs(m.label)}
      <button class="btn small primary" type="submit">保存 Save</button>
    </form></div></li>`
}

type MappingRow = MappingEntry & { localLabel: string }

/**
 * An existing mapping, edited in place: its code and name are inputs, saved with the same PUT as a
 * missing one; 删除 asks first, then DELETEs. Two columns, so a row fits a 375 px phone.
 */
function mappingRow(m: MappingRow): Html {
  const kind = MAPPING_KINDS[m.kind]
  const label = `${kind.local} ${m.localLabel}`
  return html`<tr data-mapping="${m.kind}:${m.localKey}">
    <td><div class="item-title">${m.localLabel}</div><div class="faint">${kind.local}</div></td>
    <td><form class="mapping-fields stacked" data-post="/api/admin/erp/mappings" data-method="PUT" data-wrap="entries">
      <input type="hidden" name="kind" value="${m.kind}"><input type="hidden" name="localKey" value="${m.localKey}">
      ${mappingInputs(label, m)}
      <div class="btn-row"><button class="btn small primary" type="submit">保存 Save</button>
      <button class="btn small danger" type="button" data-call="/api/admin/erp/mappings/${m.kind}/${encodeURIComponent(m.localKey)}" data-method="DELETE"
        data-confirm="删除映射「${label} → ${m.erpCode}」？需要它的入账将失败，直到重新配置。Delete this mapping?">删除 Delete</button></div>
    </form></td>
  </tr>`
}

const PLATFORM_LABELS: Record<string, [string, string]> = { feishu: ['飞书', 'Feishu'], dingtalk: ['钉钉', 'DingTalk'] }

/** One preview button per connected platform (the counts, then 确认同步); without any, how to get the directory in by file. */
function contactSync(platforms: string[]): Html {
  if (!platforms.length) return html`<p class="faint">连接飞书或钉钉后可在此直接同步通讯录；现在可从管理后台导出通讯录后导入。Connect Feishu or DingTalk to sync the directory here; until then, export it and import the file.</p>`
  return html`<div id="contact-sync">${platforms.map(
    (p) => html`<div class="contact-sync" data-sync="/api/admin/org/contact-sync/${p}" data-platform="${p}">
      <div class="btn-row"><button class="btn small sync-preview" type="button">从${PLATFORM_LABELS[p]?.[0] ?? p}同步通讯录 Sync from ${PLATFORM_LABELS[p]?.[1] ?? p}</button>
      <button class="btn small primary sync-confirm" type="button" hidden>确认同步 Sync now</button></div>
      <p class="faint sync-result" aria-live="polite"></p></div>`,
  )}<p class="faint" style="margin-bottom:10px">先预览变化，确认后写入；角色、职级和成本中心不变，不在通讯录中的人不会被停用。Preview first; roles, levels and cost centres are kept, nobody is deactivated.</p></div>`
}

export async function renderOrgPage(c: Context, db: Kysely<Schema>, erp: ErpAdminService, viewer: Viewer, now: number, syncPlatforms: string[]): Promise<Response> {
  const isAdmin = roleAllows(viewer.roles, ['admin'])
  const [employees, departments, delegations, people, mappings, check] = await Promise.all([
    isAdmin ? listEmployees(db) : Promise.resolve([]),
    isAdmin ? listDepartments(db) : Promise.resolve([]),
    isAdmin ? upcomingDelegations(db, now) : Promise.resolve([]),
    isAdmin ? possibleDelegates(db) : Promise.resolve([]),
    erp.mappingList(),
    erp.check(),
  ])
  const missing = [...new Map(check.types.flatMap((t) => t.missing).map((m) => [`${m.kind}:${m.localKey}`, m])).values()]
  const blocked = check.types.flatMap((t) => t.blocked)
  const body = html`
<div class="page-head"><div><h1>${bi('组织与主数据', 'Organisation & master data')}</h1>
  <p class="faint">${isAdmin ? `${employees.length} 名员工 employees · ${departments.length} 个部门 departments · ` : ''}${mappings.length} 条 ERP 映射 mappings</p></div></div>
${
  isAdmin
    ? html`
<section class="panel" id="departments">
  <div class="panel-head"><h2>${bi('部门', 'Departments')}</h2></div>
  <ul class="list">${departments.map((d) => html`<li data-department-id="${d.id}"><div class="item-main"><div class="item-title">${d.name} <span class="faint mono">${d.id}</span></div>
    <div class="item-sub">${d.parentName ? `上级 ${d.parentName} · ` : ''}负责人 ${d.headName ?? '未设置 none'} · 成本中心 ${d.costCenter ?? '—'}</div></div><div class="item-side"><span class="badge">${d.members} 人</span></div></li>`)}</ul>
  ${importForm('/api/admin/org/departments/import', '导入部门', 'Import departments', '部门编号, 部门名称, 上级部门, 负责人工号, 成本中心')}
</section>
<section class="panel" id="employees">
  <div class="panel-head"><h2>${bi('员工', 'Employees')}</h2><span class="faint">手机号已遮盖 mobiles masked</span></div>
  ${contactSync(syncPlatforms)}
  <ul class="list">${employees.map((e) => employeeItem(e, departments, employees))}</ul>
  ${importForm('/api/admin/org/employees/import', '导入员工', 'Import employees', '工号, 姓名, 部门, 直属上级工号, 职位, 职级, 角色, 手机, 邮箱, 在职')}
</section>
${delegationPanel({ rows: delegations, people, principals: people, now })}`
    : ''
}
<section class="panel" id="mappings">
  <div class="panel-head"><h2>${bi('ERP 映射', 'ERP mappings')}</h2><span class="faint">${check.erp}</span></div>
  ${missing.length ? html`<div class="notice warn">有 ${missing.length} 项主数据缺少 ERP 编码${blocked.length ? `，${blocked.length} 笔已审批的入账因此受阻` : ''}。<br><span class="faint">${missing.length} master-data item(s) have no ERP code${blocked.length ? `; ${blocked.length} approved posting(s) are blocked` : ''}.</span></div>
  <ul class="list" id="missing-mappings" style="margin-top:10px">${missing.map(missingRow)}</ul>` : html`<div class="notice">所有入账需要的映射都已配置。All mappings the ERP needs are in place.</div>`}
  ${
    mappings.length
      ? html`<div class="table-wrap" style="margin-top:10px"><table class="data mapping-table" id="mapping-table"><thead><tr><th>本系统 Ours</th><th>ERP 编码 · 名称 Code · name</th></tr></thead><tbody>
    ${mappings.map(mappingRow)}</tbody></table></div>`
      : ''
  }
  ${importForm('/api/admin/erp/mappings/import', '导入映射', 'Import mappings', '类型, 本系统, ERP编码, ERP名称')}
</section>`
  return renderPage(c, { title: '组织与主数据', viewer, section: 'org', body })
}
