import { DomainError } from '../../../workflow/errors.js'
import type { CommandHandler } from '../handler-context.js'
import { withdrawAndAnnounce } from '../request-effects.js'

/**
 * 「撤回 BX-…」 withdraws that request at once; a bare 「撤回」 shows the requester's open requests
 * as cards with 撤回 / 催办 / 评论, so the tap says which one.
 */
export const withdrawRequest: CommandHandler = async (ctx) => {
  const { db } = ctx.services
  const requestNo = ctx.command.slots.requestNo
  if (requestNo) {
    const row = await db.selectFrom('requests').select('id').where('request_no', '=', requestNo).where('requester_id', '=', ctx.user.id).executeTakeFirst()
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
    return
  }
  const open = await db
    .selectFrom('requests')
    .select('id')
    .where('requester_id', '=', ctx.user.id)
    .where('status', 'in', ['pending', 'returned'])
    .orderBy('submitted_at', 'desc')
    .limit(10)
    .execute()
  if (open.length === 0) {
    await ctx.reply('你没有审批中的申请可以撤回')
    return
  }
  await ctx.reply(`你有 ${open.length} 个审批中的申请，请在卡片上点「撤回」（也可「催办」或「评论」）：`)
  for (const r of open) await ctx.replyWithRequestCard(r.id, 'requester-desk')
}
