import type { RequestStatus } from '../../../workflow/request-types.js'
import { loadRequestView, type RequestView } from '../../../workflow/request-view.js'
import { formatYuan } from '../../../workflow/money.js'
import type { CommandHandler } from '../handler-context.js'

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

/** "我的报销到哪了" / "BX-… 到哪一步了": where each of my requests stands. */
export const requestStatus: CommandHandler = async (ctx) => {
  const { db } = ctx.services
  const requestNo = ctx.command.slots.requestNo
  let query = db.selectFrom('requests').select('id').where('requester_id', '=', ctx.user.id).where('request_no', 'is not', null)
  if (requestNo) query = query.where('request_no', '=', requestNo)
  const rows = await query.orderBy('created_at', 'desc').limit(5).execute()
  if (rows.length === 0) {
    await ctx.reply(requestNo ? `没有找到你的申请 ${requestNo}` : '你还没有提交过申请')
    return
  }
  const views = await Promise.all(rows.map((r) => loadRequestView(db, r.id)))
  await ctx.reply(views.map(describe).join('\n'))
}
