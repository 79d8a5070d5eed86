import { DomainError } from '../../../workflow/errors.js'
import type { Decision } from '../../../workflow/decisions.js'
import { CONFIDENCE_BAR } from '../../nlu/llm/llm-fallback-parser.js'
import { unexplainedParts } from '../../nlu/rules/index.js'
import { BATCH_WORD } from '../../nlu/rules/intents.js'
import { isReturnableStep, type RouteStep } from '../../../workflow/routing/route.js'
import type { CommandHandler, HandlerContext } from '../handler-context.js'
import { announceFlow, decideAndAnnounce } from '../request-effects.js'

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

/**
 * "待我审批": each pending approval as a fresh card with every action (退回, 转交, 加签, 评论
 * besides 同意/驳回), since the person came to work through them.
 */
export const listApprovals: CommandHandler = async (ctx) => {
  const tasks = await pendingTasks(ctx)
  if (tasks.length === 0) {
    await ctx.reply('你目前没有待审批的申请')
    return
  }
  await ctx.reply(`你有 ${tasks.length} 个待审批的申请：`)
  for (const task of tasks) await ctx.replyWithRequestCard(task.request_id, 'approver-desk')
}

const BATCH_WORDS = new RegExp(BATCH_WORD)
const RETURN_WORDS = /退回|打回/

/** "全部同意": approves every pending task of the user, each on its own; refusals are listed. */
async function approveAll(ctx: HandlerContext, tasks: Awaited<ReturnType<typeof pendingTasks>>): Promise<void> {
  const items = await ctx.services.decisions.approveMany(ctx.user.id, tasks.map((t) => t.request_id), ctx.command.slots.reason)
  for (const item of items) if (item.result) await announceFlow(ctx.services, item.result, ctx.user.id, ctx.command.slots.reason)
  const done = items.flatMap((i) => (i.result ? [i.result.request.request_no] : []))
  const refused = items.flatMap((i) => (i.error ? [`${tasks.find((t) => t.request_id === i.requestId)?.request_no}：${i.error.zh}`] : []))
  await ctx.reply([`已批量同意 ${done.length} 个：${done.join('、') || '无'}`, ...refused.map((r) => `未处理 ${r}`)].join('\n'))
}

/**
 * 「上一步」: the nearest earlier step someone decided on. A step that was skipped (the requester
 * would have approved himself, nobody found) or a CC step is passed over, as the card's 退回 buttons
 * do; with none before, the engine's refusal says where one may return to.
 */
function previousDecidedStep(route: RouteStep[], current: number): number {
  for (let i = current - 1; i >= 0; i--) if (isReturnableStep(route[i]!)) return i
  return current - 1
}

/** Where a typed 退回 sends the request: the step it names (第N步, 上一步), else back to the requester. */
async function returnTarget(ctx: HandlerContext, requestId: string): Promise<number | 'initiator'> {
  const view = await ctx.services.db.selectFrom('requests').select(['current_step', 'route']).where('id', '=', requestId).executeTakeFirstOrThrow()
  const stepNo = /第\s*(\d+)\s*步/.exec(ctx.text)?.[1]
  if (stepNo) return Number(stepNo) - 1
  return /上一步|上一级|上一节点/.test(ctx.text) ? previousDecidedStep(JSON.parse(view.route) as RouteStep[], Number(view.current_step)) : 'initiator'
}

/** "退回 BX-… [到第1步|上一步] 理由：…": 退回 is not 驳回 — the request goes back, it does not end. */
async function returnByText(ctx: HandlerContext, requestId: string): Promise<void> {
  const target = await returnTarget(ctx, requestId)
  const comment = ctx.command.slots.reason
  const result = await ctx.services.decisions.returnTo({ requestId, actorId: ctx.user.id, target, comment })
  await announceFlow(ctx.services, result, ctx.user.id, comment)
  await ctx.reply(target === 'initiator' ? `已退回发起人 ${result.request.request_no}` : `已退回至第${target + 1}步 ${result.request.request_no}`)
}

/**
 * A decision read from a line the parser only half understood (below the bar at which it would ask
 * a model, e.g. with no model configured or the model failing) is not acted on: it could be a
 * negation or a condition the rules do not know. A model's reading (at the bar) and every line the
 * rules read whole act at once, like a tap.
 */
const unsure = (ctx: HandlerContext) => ctx.command.confidence < CONFIDENCE_BAR

/** Says what was understood, what was not, and how to confirm: the exact words, or the card's button. */
async function askToConfirm(ctx: HandlerContext, decision: Decision, target: { request_id: string; request_no: string | null } | 'all'): Promise<void> {
  const reason = ctx.command.slots.reason ? ` 理由：${ctx.command.slots.reason}` : ''
  const parts = unexplainedParts(ctx.text, new Date(ctx.services.now()))
  const unclear = parts.length > 0 ? [`没看懂的部分：${parts.map((p) => `「${p}」`).join('')}`] : []
  if (target === 'all') {
    await ctx.reply(['我不确定你的意思，所以还没有批量同意。', ...unclear, `确认请回复「全部同意${reason}」。`].join('\n'))
    return
  }
  // The words to send and the card's button say where a 退回 goes, as the line asked (第N步, 上一步, or the requester).
  const returnTo = decision === 'reject' && RETURN_WORDS.test(ctx.text) ? await returnTarget(ctx, target.request_id) : undefined
  const verb = returnTo === undefined ? (decision === 'approve' ? '同意' : '驳回') : '退回'
  const where = returnTo === undefined || returnTo === 'initiator' ? '' : ` 到第${returnTo + 1}步`
  const button = returnTo === undefined ? verb : returnTo === 'initiator' ? '退回发起人' : `退回至第${returnTo + 1}步`
  await ctx.reply(
    [`我不确定你的意思，所以还没有${verb} ${target.request_no}。`, ...unclear, `确认请回复「${verb} ${target.request_no}${where}${reason}」，或点下面卡片上的「${button}」。`].join('\n'),
  )
  await ctx.replyWithRequestCard(target.request_id, 'approver-desk')
}

/** "同意 BX-…" / "驳回 BX-… 理由：…": authorised exactly like a card tap. */
function decideByText(decision: Decision): CommandHandler {
  return async (ctx) => {
    const tasks = await pendingTasks(ctx)
    const requestNo = ctx.command.slots.requestNo
    if (decision === 'approve' && !requestNo && tasks.length > 1 && BATCH_WORDS.test(ctx.text)) {
      if (unsure(ctx)) await askToConfirm(ctx, decision, 'all')
      else await approveAll(ctx, tasks)
      return
    }
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
    if (unsure(ctx)) {
      await askToConfirm(ctx, decision, target)
      return
    }
    try {
      if (decision === 'reject' && RETURN_WORDS.test(ctx.text)) {
        await returnByText(ctx, target.request_id)
        return
      }
      await ctx.reply(await decideAndAnnounce(ctx.services, { requestId: target.request_id, actorId: ctx.user.id, decision, comment: ctx.command.slots.reason }))
    } catch (error) {
      if (error instanceof DomainError) await ctx.reply(error.zh)
      else throw error
    }
  }
}

export const approveByText = decideByText('approve')
export const rejectByText = decideByText('reject')
