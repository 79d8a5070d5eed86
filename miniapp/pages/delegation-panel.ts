import { companyDate } from '../../workflow/shanghai-time.js'
import type { DelegationRow } from '../delegations/delegation-data.js'
import { bi, empty, html, type Html } from '../ui/html.js'

type Person = { id: string; name: string; employeeNo: string }

const personOptions = (people: Person[], placeholder: string) =>
  html`<option value="">${placeholder}</option>${people.map((p) => html`<option value="${p.id}">${p.name} ${p.employeeNo}</option>`)}`

function delegationItem(d: DelegationRow, cancelUrl: string, showPrincipal: boolean): Html {
  return html`<li data-delegation-id="${d.id}" data-principal="${d.principalId}" data-delegate="${d.delegateId}"><div class="item-main">
    <div class="item-title">${showPrincipal ? html`${d.principalName} → ` : '由 '}${d.delegateName}${showPrincipal ? '' : ' 代为审批'}</div>
    <div class="item-sub"><span class="mono">${d.from}</span> 至 <span class="mono">${d.to}</span>${d.reason ? ` · ${d.reason}` : ''}</div>
    <div class="btn-row" style="margin-top:6px"><button class="btn small danger" type="button" data-call="${cancelUrl}/${d.id}" data-method="DELETE" data-confirm="取消这项代理？Cancel this delegation?">取消代理 Cancel</button></div>
  </div><div class="item-side"><span class="badge ${d.current ? 'green' : 'blue'}">${d.current ? '生效中 active' : '待生效 planned'}</span></div></li>`
}

/**
 * Out-of-office delegation (代理): the list with cancel buttons and the form to add one. On My work
 * it is the viewer's own (`principals` absent); on the org page an admin picks whose it is.
 */
export function delegationPanel(options: { rows: DelegationRow[]; people: Person[]; principals?: Person[]; now: number }): Html {
  const { rows, people, principals, now } = options
  const forAnyone = principals !== undefined
  const url = forAnyone ? '/api/admin/org/delegations' : '/api/admin/my/delegations'
  const today = companyDate(now)
  return html`<section class="panel" id="delegations">
  <div class="panel-head"><h2>${bi(forAnyone ? '审批代理' : '我的代理', forAnyone ? 'Delegations' : 'My delegation')}</h2><span class="badge">${rows.length}</span></div>
  <p class="faint">${forAnyone ? '请假或出差期间，新的审批任务交给代理人；已在手上的任务不变。' : '你请假或出差期间，新的审批任务会交给代理人；已在手上的任务不变。'}<br>New approval tasks go to the stand-in during the dates; tasks already assigned stay.</p>
  ${rows.length ? html`<ul class="list">${rows.map((d) => delegationItem(d, url, forAnyone))}</ul>` : empty('没有设置代理', 'No delegation set')}
  <details style="margin-top:8px"><summary>${forAnyone ? '添加代理 Add a delegation' : '设置代理 Set a delegation'}</summary>
    <form class="grid" data-post="${url}" style="margin-top:8px">
      ${forAnyone ? html`<label class="field"><span>被代理人 Who is away</span><select name="principalId" required>${personOptions(principals, '请选择 choose…')}</select></label>` : ''}
      <label class="field"><span>代理人 Stand-in</span><select name="delegateId" required>${personOptions(people, '请选择 choose…')}</select></label>
      <label class="field"><span>开始日期 From</span><input type="date" name="from" required min="${today}" value="${today}"></label>
      <label class="field"><span>结束日期 To（含当天 inclusive）</span><input type="date" name="to" required min="${today}"></label>
      <label class="field"><span>原因 Reason（可选 optional）</span><input type="text" name="reason" maxlength="200" data-optional placeholder="年假 / 出差 …"></label>
      <div class="btn-row"><button class="btn primary" type="submit">保存 Save</button></div>
    </form></details>
</section>`
}
