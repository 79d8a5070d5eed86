import { DomainError } from '../../../workflow/errors.js'
import type { Decision } from '../../../workflow/decisions.js'
import type { CommandHandler, HandlerContext } from '../handler-context.js'
import { decideAndAnnounce } from '../request-effects.js'

async function pendingTasks(ctx: HandlerContext) {
  return ctx.services.db
    .selectFrom('approval_tasks')
    .innerJoin('requests', 'requests.id', 'approval_tasks.request_id')
    .select(['requests.id as request_id', 'requests.request_no', 'requests.title'])
    .where('approval_tasks.approver_id', '=', ctx.user.id)
    .where('approval_tasks.status', '=', 'pending')
    .whereRef('approval_tasks.step', '=', 'requests.current_step')
    .where('requests.status', '=', 'pending')
    .orderBy('approval_tasks.created_at')
    .execute()
}

/** "待我审批": each pending approval as a fresh card the user can tap. */
export const listApprovals: CommandHandler = async (ctx) => {
  const tasks = await pendingTasks(ctx)
  if (tasks.length === 0) {
    await ctx.reply('你目前没有待审批的申请')
    return
  }
  await ctx.reply(`你有 ${tasks.length} 个待审批的申请：`)
  for (const task of tasks) await ctx.replyWithRequestCard(task.request_id, 'approver')
}

/** "同意 BX-…" / "驳回 BX-… 理由：…": authorised exactly like a card tap. */
function decideByText(decision: Decision): CommandHandler {
  return async (ctx) => {
    const tasks = await pendingTasks(ctx)
    const requestNo = ctx.command.slots.requestNo
    const target = requestNo ? tasks.find((t) => t.request_no === requestNo) : tasks.length === 1 ? tasks[0] : undefined
    if (!target) {
      const hint = requestNo
        ? `${requestNo} 不在你的待审批列表中`
        : tasks.length === 0
          ? '你目前没有待审批的申请'
          : `你有 ${tasks.length} 个待审批的申请，请带上单号，例如「${decision === 'approve' ? '同意' : '驳回'} ${tasks[0]!.request_no}」`
      await ctx.reply(hint)
      return
    }
    try {
      await ctx.reply(await decideAndAnnounce(ctx.services, { requestId: target.request_id, actorId: ctx.user.id, decision, comment: ctx.command.slots.reason }))
    } catch (error) {
      if (error instanceof DomainError) await ctx.reply(error.zh)
      else throw error
    }
  }
}

export const approveByText = decideByText('approve')
export const rejectByText = decideByText('reject')
