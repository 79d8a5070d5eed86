import type { Context } from 'hono'
import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import type { AppSettings } from '../../workflow/receipts/settings/app-settings.js'
import { roleAllows } from '../auth/roles.js'
import type { Viewer } from '../auth/viewer.js'
import { renderPage } from '../ui/layout.js'
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
${pilotPanel}`
  return renderPage(c, { title: '发票与试点设置', viewer, section: 'settings', body })
}
