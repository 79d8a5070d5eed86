import { DomainError } from '../../../workflow/errors.js'
import { formatYuan } from '../../../workflow/money.js'
import { loadRequestView, type RequestView } from '../../../workflow/request-view.js'
import { canWithdraw } from '../../cards/request-card.js'
import type { CommandHandler, HandlerContext } from '../handler-context.js'
import { withdrawAndAnnounce } from '../request-effects.js'
import { requestTypeNamedIn } from './request-type-words.js'
import { sayAction } from '../say-action.js'

/** Choice buttons on one card; DingTalk's text-only cards show at most five. */
const SHOWN = 5

/**
 * 「撤回 BX-…」 withdraws that request at once. Without a number: the one request that can be
 * withdrawn is named and confirmed first (「确认」, or its card's 撤回); several are offered as choices.
 */
export const withdrawRequest: CommandHandler = async (ctx) => {
  const { requestNo, reason } = ctx.command.slots
  if (requestNo) {
    await withdrawNumbered(ctx, requestNo)
    return
  }
  const type = requestTypeNamedIn(ctx.text)
  const open = (await withdrawable(ctx)).filter((v) => !type || v.type === type)
  if (open.length === 0) {
    await ctx.reply(type ? '你没有可以撤回的这类申请' : '你没有审批中的申请可以撤回')
    return
  }
  if (open.length === 1) {
    const view = open[0]!
    await ctx.services.conversations.save(ctx.user.id, { intent: 'request.withdraw', slots: { requestNo: view.requestNo!, ...(reason ? { reason } : {}) }, awaiting: 'confirmation' })
    await ctx.reply(`要撤回 ${describe(view)}吗？回复「确认」撤回，「取消」不撤回（也可在卡片上点「撤回」）`)
    await ctx.replyWithRequestCard(view.id, 'requester-desk')
    return
  }
  const because = reason ? ` 理由：${reason}` : ''
  await ctx.replyWithCard({
    id: `choice-${crypto.randomUUID()}`,
    title: '要撤回哪一个申请？',
    status: '请选择',
    tone: 'orange',
    fields: open.map((v) => ({ label: v.requestNo!, value: describe(v) })),
    notes: [`你有 ${open.length} 个可以撤回的申请；点一个撤回，或回复「撤回 单号」`],
    actions: open.slice(0, SHOWN).map((v) => ({ id: sayAction(`撤回 ${v.requestNo}${because}`), label: `撤回 ${v.requestNo}`, style: 'danger' as const })),
  })
}

async function withdrawNumbered(ctx: HandlerContext, requestNo: string): Promise<void> {
  const row = await ctx.services.db.selectFrom('requests').select('id').where('request_no', '=', requestNo).where('requester_id', '=', ctx.user.id).executeTakeFirst()
  if (!row) {
    await ctx.reply(`没有找到你的申请 ${requestNo}`)
    return
  }
  try {
    await ctx.reply(await withdrawAndAnnounce(ctx.services, row.id, ctx.user.id, ctx.command.slots.reason))
  } catch (error) {
    if (!(error instanceof DomainError)) throw error
    await ctx.reply(error.zh)
  }
}

/** The person's requests that 撤回 would succeed on now, newest first. */
async function withdrawable(ctx: HandlerContext): Promise<RequestView[]> {
  const { db } = ctx.services
  const rows = await db
    .selectFrom('requests')
    .select('id')
    .where('requester_id', '=', ctx.user.id)
    .where('status', 'in', ['pending', 'returned'])
    .orderBy('submitted_at', 'desc')
    .limit(10)
    .execute()
  const views = await Promise.all(rows.map((r) => loadRequestView(db, r.id)))
  return views.filter(canWithdraw)
}

function describe(view: RequestView): string {
  return `${view.requestNo}（${view.typeLabel} ¥${formatYuan(view.amountFen)}，${view.status === 'returned' ? '已退回' : '审批中'}）`
}
