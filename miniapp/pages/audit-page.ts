import type { Context } from 'hono'
import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import type { Viewer } from '../auth/viewer.js'
import { auditQuerySchema } from '../audit/audit-api.js'
import { searchAudit, type AuditItem } from '../audit/audit-data.js'
import { verifyAuditChain } from '../../workflow/audit-chain.js'
import { renderPage } from '../ui/layout.js'
import { bi, empty, html, when, type Html } from '../ui/html.js'

export const ACTION_LABELS: Record<string, string> = {
  'request.drafted': '创建草稿 drafted',
  'request.submitted': '提交 submitted',
  'request.resubmitted': '重新提交 resubmitted',
  'request.withdrawn': '撤回 withdrawn',
  'request.cancelled': '取消 cancelled',
  'request.urged': '催办 urged',
  'request.commented': '评论 commented',
  'task.approved': '同意 approved',
  'task.rejected': '驳回 rejected',
  'task.returned': '退回 returned',
  'task.transferred': '转交 transferred',
  'task.reminded': '超时提醒 reminded',
  'task.timeout_approved': '超时自动同意 auto-approved',
  'task.timeout_rejected': '超时自动驳回 auto-rejected',
  'task.timeout_escalated': '超时升级 escalated',
  'delegation.set': '设置代理 delegation set',
  'delegation.revoked': '撤销代理 delegation revoked',
  'template.published': '发布流程 flow published',
  'policy.saved': '保存规则 policy saved',
  'policy.disabled': '停用规则 policy disabled',
  'erp.connection.saved': '保存 ERP 连接 ERP connection saved',
  'erp.connection.activated': '切换入账目标 ERP switched',
  'erp.connection.removed': '删除 ERP 连接 ERP connection removed',
  'erp.mappings.saved': '保存映射 mappings saved',
  'erp.mappings.removed': '删除映射 mapping removed',
  'erp.posting.retried': '重试入账 posting retried',
  'erp.posting.cancelled': '取消入账 posting cancelled',
  'org.employee.updated': '修改员工 employee updated',
  'org.employees.imported': '导入员工 employees imported',
  'org.departments.imported': '导入部门 departments imported',
  'org.employee.imported': '导入修改员工 employee imported',
  'org.department.imported': '导入修改部门 department imported',
  'admin.login': '登录后台 signed in',
  'pii.viewed': '查看个人信息 viewed personal data',
  'audit.exported': '导出审计日志 exported',
}

const PAGE_SIZE = 50

function entry(item: AuditItem): Html {
  const show = (v: unknown) => (v === null || v === undefined ? '' : JSON.stringify(v, null, 1))
  return html`<li data-audit-id="${item.id}" data-masked="${item.masked ? 'true' : 'false'}" data-action="${item.action}">
  <div class="item-main">
    <div class="item-title">${ACTION_LABELS[item.action] ?? item.action}</div>
    <div class="item-sub">${item.actorName ?? item.actorId ?? '系统 system'} · ${when(item.at)}${item.requestNo ? html` · <a class="mono" href="/miniapp/requests/${item.entityId}">${item.requestNo}</a>` : html` · <span class="mono">${item.entityType}:${item.entityId}</span>`}</div>
    ${
      item.before !== null || item.after !== null
        ? html`<details><summary>变更内容 details ${item.masked ? html`<span class="badge orange masked-flag">已遮盖 masked</span>` : ''}</summary>
      ${item.before !== null ? html`<div class="faint">之前 before</div><pre class="json audit-before">${show(item.before)}</pre>` : ''}
      ${item.after !== null ? html`<div class="faint">之后 after</div><pre class="json audit-after">${show(item.after)}</pre>` : ''}</details>`
        : ''
    }
  </div><div class="item-side"><span class="faint mono">#${item.id}</span></div></li>`
}

export async function renderAuditPage(c: Context, db: Kysely<Schema>, viewer: Viewer): Promise<Response> {
  const parsed = auditQuerySchema.safeParse(c.req.query())
  const query = parsed.success ? parsed.data : {}
  const items = await searchAudit(db, { ...query, limit: PAGE_SIZE }, { reveal: false })
  const params = new URLSearchParams(Object.entries(query).filter(([k, v]) => v !== undefined && v !== '' && k !== 'beforeId').map(([k, v]) => [k, String(v)]))
  const older = items.length === PAGE_SIZE ? `/miniapp/audit?${new URLSearchParams([...params, ['beforeId', String(items.at(-1)!.id)]])}` : null
  const chainResult = c.req.query('verify') === '1' ? await verifyAuditChain(db) : null
  const body = html`
<div class="page-head"><div><h1>${bi('审计日志', 'Audit log')}</h1><p class="faint">只读 · 个人信息默认遮盖，查看会被记录 / read-only; personal data masked, viewing it is audited</p></div></div>
${!parsed.success ? html`<section class="panel notice warn">筛选条件无效，已显示全部 / invalid filter, showing everything</section>` : ''}
<form class="panel filters" method="get" action="/miniapp/audit" id="audit-filter">
  <label class="field"><span>单号 Request no.</span><input type="search" name="requestNo" value="${query.requestNo ?? ''}" placeholder="BX-202611-0001"></label>
  <label class="field"><span>人员 User</span><input type="search" name="actor" value="${query.actor ?? ''}" placeholder="张三 / zhangsan"></label>
  <label class="field"><span>操作 Action</span><select name="action"><option value="">全部 All</option>${Object.entries(ACTION_LABELS).map(([k, label]) => html`<option value="${k}" ${query.action === k ? 'selected' : ''}>${label}</option>`)}</select></label>
  <label class="field"><span>开始 From</span><input type="date" name="from" value="${query.from ?? ''}"></label>
  <label class="field"><span>结束 To</span><input type="date" name="to" value="${query.to ?? ''}"></label>
  <div class="btn-row wide"><button class="btn primary" type="submit">搜索 Search</button><a class="btn" id="export-csv" href="/api/admin/audit.csv?${params}">导出 CSV Export</a>
  <a class="btn" id="verify-chain" href="/miniapp/audit?${new URLSearchParams([...params, ['verify', '1']])}">校验哈希链 Verify chain</a></div>
</form>
${
  chainResult
    ? html`<section class="panel notice ${chainResult.ok ? '' : 'warn'}" id="chain-result">${
        chainResult.ok
          ? html`哈希链完整：已校验 ${chainResult.rows} 条记录，未发现篡改。<br><span class="faint">Chain intact: ${chainResult.rows} entries verified.</span>`
          : html`哈希链断裂：记录 #${chainResult.firstBreak?.id ?? '末尾 end'}（序号 ${chainResult.firstBreak?.seq ?? '?'}）与链不符：${chainResult.firstBreak?.reason ?? ''}<br><span class="faint">Chain broken at entry #${chainResult.firstBreak?.id ?? 'end'}; the log was changed outside the app.</span>`
      }</section>`
    : ''
}
<section class="panel" id="audit-entries">
  <div class="panel-head"><h2>${bi('记录', 'Entries')}</h2>
    <form id="reveal-form" class="btn-row"><input type="text" name="reason" required minlength="2" maxlength="200" placeholder="查看原因 reason" style="width:11em"><button class="btn small" type="submit">显示个人信息 Reveal</button></form></div>
  ${items.length ? html`<ul class="list">${items.map(entry)}</ul>` : empty('没有符合条件的记录', 'No entries match')}
  ${older ? html`<p><a class="btn" href="${older}">更早的记录 Older</a></p>` : ''}
</section>`
  return renderPage(c, { title: '审计日志', viewer, section: 'audit', body })
}
