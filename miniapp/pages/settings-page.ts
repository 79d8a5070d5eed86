import type { Context } from 'hono'
import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import type { AppSettings } from '../../workflow/receipts/settings/app-settings.js'
import { roleAllows } from '../auth/roles.js'
import type { Viewer } from '../auth/viewer.js'
import { renderPage } from '../ui/layout.js'
import { HolidayCalendar, type CalendarYear } from '../../workflow/receipts/anomalies/china-calendar.js'
import { bi, html } from '../ui/html.js'

/**
 * Who we are on an invoice (finance and admins), and which departments the bot serves during a
 * pilot (admins): the two settings the receipts and roll-out features read at run time.
 */
export async function renderSettingsPage(c: Context, db: Kysely<Schema>, settings: AppSettings, viewer: Viewer): Promise<Response> {
  const company = await settings.read('company')
  const pilot = await settings.read('pilot')
  const departments = await db.selectFrom('departments').select(['id', 'name', 'parent_id']).orderBy('id').execute()
  const chosen = new Set(pilot.departmentIds)
  const pilotPanel = roleAllows(viewer.roles, ['admin'])
    ? html`<section class="panel" id="pilot-settings"><h2>${bi('试点部门', 'Pilot roll-out')}</h2>
  <p class="faint">开启后，只有所选部门（含下级部门）的员工可在聊天中提交申请；其他人会收到礼貌的说明。审批不受影响。/ When on, only the chosen departments (and those under them) may submit in chat; approvals are unaffected.</p>
  <form class="grid" data-post="/api/admin/settings/pilot" data-method="PUT">
    <label class="field check"><input type="checkbox" name="enabled" ${pilot.enabled ? 'checked' : ''}> <span>开启试点 Pilot on</span></label>
    <fieldset class="field"><legend>部门 Departments</legend>
      ${departments.map((d) => html`<label class="check"><input type="checkbox" name="departments.${d.id}" ${chosen.has(d.id) ? 'checked' : ''}> ${d.name} <span class="faint mono">${d.id}</span></label>`)}
    </fieldset>
    <label class="field"><span>其他部门请去哪里 Where others should go</span><input type="text" name="elsewhere" maxlength="300" required value="${pilot.elsewhere}"></label>
    <div class="btn-row"><button class="btn primary" type="submit">保存 Save</button></div>
  </form></section>`
    : ''
  const holidayPanel = roleAllows(viewer.roles, ['admin']) ? holidaySection(new HolidayCalendar((await settings.read('holidays')).years).years()) : ''
  const body = html`
<div class="page-head"><div><h1>${bi('发票与试点设置', 'Receipts & roll-out')}</h1></div></div>
<section class="panel" id="company-settings"><h2>${bi('公司抬头', 'Company on invoices')}</h2>
  <p class="faint">员工发来的电子发票会核对购买方税号；不是这些税号的发票会提示员工并标记给审批人。/ E-invoices whose buyer tax id is not one of these are pointed out to the employee and flagged to approvers.</p>
  <form class="grid" data-post="/api/admin/settings/company" data-method="PUT">
    <label class="field"><span>公司名称 Company name</span><input type="text" name="name" maxlength="100" value="${company.name ?? ''}"></label>
    <label class="field"><span>纳税人识别号（每行一个）Tax ids, one per line</span><textarea name="taxIds" rows="3" class="mono" spellcheck="false">${company.taxIds.join('\n')}</textarea></label>
    <div class="btn-row"><button class="btn primary" type="submit">保存 Save</button></div>
  </form>
</section>
${pilotPanel}
${holidayPanel}`
  return renderPage(c, { title: '发票与试点设置', viewer, section: 'settings', body })
}

/**
 * The calendar the rest-day flag judges by, one form per year plus the next one: holidays one per
 * line as 「名称 开始 结束」, 调休 workdays separated by spaces. A saved year can go back to the default.
 */
function holidaySection(years: readonly CalendarYear[]) {
  const next = (years.at(-1)?.year ?? new Date().getUTCFullYear()) + 1
  const forms = [...years, { year: next, holidays: [], workdays: [], source: 'new' as const }].map(
    (y) => html`<form class="grid" data-post="/api/admin/settings/holidays/${y.year}" data-method="PUT">
    <h3>${y.year} <span class="badge">${y.source === 'custom' ? '已自定义 custom' : y.source === 'built-in' ? '内置 built-in' : '未设置（仅周末）not set'}</span></h3>
    <label class="field"><span>假期（每行：名称 开始日期 结束日期）Holidays, one per line</span><textarea name="holidays" rows="${Math.max(3, y.holidays.length)}" class="mono" spellcheck="false">${y.holidays.map((h) => `${h.name} ${h.from} ${h.to}`).join('\n')}</textarea></label>
    <label class="field"><span>调休上班日（空格分隔）Make-up working days</span><input type="text" name="workdays" class="mono" value="${y.workdays.join(' ')}"></label>
    <div class="btn-row"><button class="btn primary" type="submit">保存 ${y.year} Save</button>${y.source === 'custom' ? html`<button class="btn" type="button" data-call="/api/admin/settings/holidays/${y.year}" data-method="DELETE" data-confirm="恢复 ${y.year} 年的默认安排？">恢复默认 Revert</button>` : ''}</div>
  </form>`,
  )
  return html`<section class="panel" id="holiday-settings"><h2>${bi('节假日与调休', 'Public holidays')}</h2>
  <p class="faint">「休息日报销」提示按此日历判断。每年国务院放假通知发布后（通常在 11 月）在此添加新一年，或更正某一年；未设置的年份只按周末判断。/ The rest-day flag follows this calendar; add each year when its notice is published.</p>
  ${forms}
</section>`
}
