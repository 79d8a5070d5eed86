import type { Context } from 'hono'
import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import type { Viewer } from '../auth/viewer.js'
import { possibleDelegates, upcomingDelegations } from '../delegations/delegation-data.js'
import { countMyRequests, cursorOf, myPendingTasks, myRequests, parseCursor } from '../my-work/my-work-data.js'
import { renderPage } from '../ui/layout.js'
import { bi, empty, html, postingBadge, requestBadge, when, yuan } from '../ui/html.js'
import { delegationPanel } from './delegation-panel.js'

const PAGE_SIZE = 50

export async function renderMyWorkPage(c: Context, db: Kysely<Schema>, viewer: Viewer, now: number): Promise<Response> {
  const before = parseCursor(c.req.query('before') ?? '')
  // One row past the page says whether there is a next one.
  const [tasks, fetched, total, delegations, people] = await Promise.all([
    myPendingTasks(db, viewer.id),
    myRequests(db, viewer.id, { before, limit: PAGE_SIZE + 1 }),
    countMyRequests(db, viewer.id),
    upcomingDelegations(db, now, viewer.id),
    possibleDelegates(db, viewer.id),
  ])
  const requests = fetched.slice(0, PAGE_SIZE)
  const more = fetched.length > PAGE_SIZE ? `/miniapp/my?${new URLSearchParams({ before: cursorOf(requests.at(-1)!) })}#my-requests` : null
  const body = html`
<div class="page-head"><div><h1>${bi('我的工作', 'My work')}</h1><p class="faint">${viewer.name} · 待我审批 ${tasks.length} · 我的申请 ${total}</p></div></div>
<section class="panel" id="my-tasks">
  <div class="panel-head"><h2>${bi('待我审批', 'Waiting for me')}</h2><span class="badge ${tasks.length ? 'orange' : ''}">${tasks.length}</span></div>
  ${
    tasks.length === 0
      ? empty('没有待审批的申请', 'Nothing waits for your approval')
      : tasks.map(
          (t) => html`<article class="task" data-request-id="${t.requestId}" data-request-no="${t.requestNo ?? ''}">
    <div class="task-head"><div class="item-main"><div class="item-title">${t.title}</div>
      <div class="item-sub"><a class="mono" href="/miniapp/requests/${t.requestId}">${t.requestNo}</a> · ${t.requesterName}${t.departmentName ? ` · ${t.departmentName}` : ''}</div></div>
      <div class="item-side"><span class="amount">${yuan(t.amountFen)}</span><span class="badge blue task-status">${t.stepName}</span></div></div>
    <div class="faint">等待自 ${when(t.waitingSince)} <span class="en">waiting since</span></div>
    <div class="task-actions"><textarea name="comment" rows="2" maxlength="1000" placeholder="审批意见（驳回必填）/ comment (required to reject)"></textarea></div>
    <div class="btn-row task-actions"><button class="btn primary" type="button" data-decide="approve">同意 Approve</button><button class="btn danger" type="button" data-decide="reject">驳回 Reject</button></div>
  </article>`,
        )
  }
</section>
<section class="panel" id="my-requests">
  <div class="panel-head"><h2>${bi('我的申请', 'My requests')}</h2><span class="faint">共 ${total} 条 ${total} in all${before ? html` · <a href="/miniapp/my#my-requests">最新 Latest</a>` : ''}</span></div>
  ${
    requests.length === 0
      ? empty('还没有申请。在聊天里对机器人说「提交本月差旅费 3500元」试试。', 'No requests yet. Tell the bot in chat, e.g. “提交本月差旅费 3500元”.')
      : html`<ul class="list">${requests.map(
          (r) => html`<li data-request-no="${r.requestNo ?? ''}"><div class="item-main">
      <a class="item-title" href="/miniapp/requests/${r.id}">${r.title}</a>
      <div class="item-sub"><span class="mono">${r.requestNo ?? '草稿 draft'}</span> · ${r.typeLabel} · ${when(r.submittedAt ?? r.createdAt)}</div>
      ${r.waitingFor.length ? html`<div class="item-sub">等待 ${r.waitingFor.join('、')} 审批</div>` : ''}
      ${r.documentNo ? html`<div class="item-sub">凭证号 <span class="mono">${r.documentNo}</span></div>` : ''}
    </div><div class="item-side"><span class="amount">${yuan(r.amountFen)}</span>${requestBadge(r.status)}${postingBadge(r.postingStatus)}</div></li>`,
        )}</ul>${more ? html`<div class="btn-row"><a class="btn small" id="my-requests-more" href="${more}">更多 More</a></div>` : ''}`
  }
</section>
${delegationPanel({ rows: delegations, people, now })}`
  return renderPage(c, { title: '我的工作', viewer, section: 'my', body })
}
