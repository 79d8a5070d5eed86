import { yuanToFen } from '../../../workflow/money.js'
import type { Slots } from '../../nlu/command.js'
import type { CommandHandler, HandlerContext } from '../handler-context.js'

const QUESTIONS: Partial<Record<keyof Slots, string>> = {
  category: '请问是哪类费用？例如：差旅、交通、餐费、住宿、办公、招待、培训、通讯',
  amount: '请问金额是多少？',
}

/** Asks for what is missing one question at a time, then shows a confirmation card. */
export const submitExpense: CommandHandler = async (ctx) => {
  const slots = ctx.command.slots
  const missing = (['category', 'amount'] as const).find((slot) => slots[slot] === undefined)
  if (missing) {
    await ctx.services.conversations.save(ctx.user.id, { intent: 'expense.submit', slots, awaiting: missing })
    await ctx.reply(QUESTIONS[missing]!)
    return
  }
  await ctx.services.conversations.clear(ctx.user.id)
  await draftAndConfirm(ctx, slots as Required<Pick<Slots, 'category' | 'amount'>> & Slots)
}

async function draftAndConfirm(ctx: HandlerContext, slots: Required<Pick<Slots, 'category' | 'amount'>> & Slots): Promise<void> {
  const draft = await ctx.services.requests.createExpenseDraft(ctx.user.id, {
    category: slots.category,
    amountFen: yuanToFen(slots.amount),
    period: slots.period,
    date: slots.date,
    reason: slots.reason,
  })
  await ctx.replyWithRequestCard(draft.id)
}
