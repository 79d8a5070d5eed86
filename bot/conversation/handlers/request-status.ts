import type { RequestStatus } from '../../../workflow/request-types.js'
import { loadRequestView, type RequestView } from '../../../workflow/request-view.js'
import { formatYuan } from '../../../workflow/money.js'
import type { CommandHandler } from '../handler-context.js'
import { peopleNamedIn } from './named-people.js'
import { requestTypeNamedIn } from './request-type-words.js'

const STATUS_LABEL: Record<RequestStatus, string> = {
  pending: '审批中',
  returned: '已退回，待你修改后重新提交',
  approved: '已通过',
  rejected: '已驳回',
  withdrawn: '已撤回',
  cancelled: '已取消',
  draft: '待确认',
}

function describe(view: RequestView): string {
  let where = STATUS_LABEL[view.status]
  if (view.status === 'pending') {
    const step = view.route[view.currentStep]
    const waiting = view.tasks.filter((t) => t.status === 'pending').map((t) => t.approverName)
    where = `审批中：第${view.currentStep + 1}步 ${step?.name ?? ''}，待 ${waiting.join('、')} 审批`
  } else if (view.status === 'approved' && view.posting) {
    where = view.posting.status === 'posted' ? `已入账，凭证号 ${view.posting.documentNo}` : view.posting.status === 'failed' || view.posting.status === 'dead' ? `已通过，入账失败：${view.posting.lastError ?? ''}` : '已通过，入账中'
  }
  return `${view.requestNo} ${view.typeLabel} ¥${formatYuan(view.amountFen)}：${where}`
}

const SHOWN = 5

/**
 * "我的报销到哪了" / "BX-… 到哪一步了" / "我上个月的打车费报销到哪了": where my requests stand, narrowed by
 * the type, expense category and period the line names. "张三的报销到哪了" asks about someone
 * else's: only the ones the asker has a task on (approved or copied) are his to see.
 */
export const requestStatus: CommandHandler = async (ctx) => {
  const { db } = ctx.services
  const { requestNo, category, period } = ctx.command.slots
  // Someone else's requests are asked for as 「张三的…」: a line without 的 reads no employee list.
  const other = ctx.text.includes('的') ? (await peopleNamedIn(ctx.services, ctx.text)).people.find((p) => p.id !== ctx.user.id && ctx.text.includes(`${p.name}的`)) : undefined
  const type = requestTypeNamedIn(ctx.text)
  let query = db.selectFrom('requests').select(['id', 'payload']).where('request_no', 'is not', null)
  if (other) {
    query = query
      .where('requester_id', '=', other.id)
      .where((eb) => eb.exists(eb.selectFrom('approval_tasks').select('approval_tasks.id').whereRef('approval_tasks.request_id', '=', 'requests.id').where('approval_tasks.approver_id', '=', ctx.user.id)))
  } else query = query.where('requester_id', '=', ctx.user.id)
  if (requestNo) query = query.where('request_no', '=', requestNo)
  if (type && !requestNo) query = query.where('type', '=', type)
  if (period && !requestNo) query = query.where('occurred_on', '>=', period.from).where('occurred_on', '<=', period.to)
  // The category lives in the payload: read a few more rows and keep those of that category.
  const rows = (await query.orderBy('created_at', 'desc').limit(category && !requestNo ? 50 : SHOWN).execute())
    .filter((r) => !category || requestNo || (JSON.parse(r.payload) as { category?: string }).category === category)
    .slice(0, SHOWN)
  if (rows.length === 0) {
    const narrowed = (type || category || period) && (await db.selectFrom('requests').select('id').where('requester_id', '=', ctx.user.id).where('request_no', 'is not', null).executeTakeFirst())
    await ctx.reply(requestNo ? `没有找到你的申请 ${requestNo}` : other ? `没有你经手的${other.name}的申请；只能查看你自己的，或你审批过的` : narrowed ? '没有找到符合条件的申请' : '你还没有提交过申请')
    return
  }
  const views = await Promise.all(rows.map((r) => loadRequestView(db, r.id)))
  await ctx.reply(views.map(describe).join('\n'))
}
