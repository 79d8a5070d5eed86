import { yuanToFen } from '../../../workflow/money.js'
import { policyCities } from '../../../workflow/policy/policy-store.js'
import type { StoredAttachment } from '../../../workflow/receipts/attachments/attachments.js'
import type { Slots } from '../../nlu/command.js'
import { cityIn } from '../../nlu/rules/places.js'
import { awaitConfirmation } from '../confirmation.js'
import type { CommandHandler, HandlerContext } from '../handler-context.js'
import { askCategory } from './category-choice.js'

/** Asks for what is missing one question at a time, then shows a confirmation card. */
export const submitExpense: CommandHandler = (ctx) => continueExpense(ctx, ctx.command.slots)

/** The same, from slots gathered elsewhere too (an e-invoice's fields). */
export async function continueExpense(ctx: HandlerContext, given: Slots): Promise<void> {
  const slots = await withPolicyCity(ctx, given)
  const missing = (['category', 'amount'] as const).find((slot) => slots[slot] === undefined)
  if (missing) {
    await ctx.services.conversations.save(ctx.user.id, { intent: 'expense.submit', slots, awaiting: missing })
    if (missing === 'category') await askCategory(ctx, slots)
    else await ctx.reply('请问金额是多少？')
    return
  }
  await draftAndConfirm(ctx, slots as Required<Pick<Slots, 'category' | 'amount'>> & Slots)
}

/**
 * The claim's city as the policies spell it, so the limit by city tier applies: a city an admin
 * added to a policy (拉萨 = 3) is recognised as well as the standard tiers the parser knows. A line
 * that names no city (an answer: 「1200」) keeps the one given before; a claim with none stays
 * without, and the policy's fallback tier applies.
 */
async function withPolicyCity(ctx: HandlerContext, slots: Slots): Promise<Slots> {
  const named = cityIn(ctx.text, await policyCities(ctx.services.db))
  const city = named ?? slots.city?.trim().replace(/(?<=..)市$/, '')
  const { city: _given, ...rest } = slots
  return city ? { ...rest, city } : rest
}

/** The claim's invoices, as the duplicate-invoice policy reads them: each once, however many files carry it. */
export function invoicesOf(files: readonly StoredAttachment[]): { number: string; code?: string }[] {
  return [...new Map(files.flatMap((f) => (f.invoice && f.invoiceKey ? [[f.invoiceKey, { number: f.invoice.number, ...(f.invoice.code ? { code: f.invoice.code } : {}) }] as const] : []))).values()]
}

/**
 * The files the person sent before (or with) this claim go with it: their invoices are checked by
 * the duplicate-invoice policy, their count by the receipt-required one.
 */
async function draftAndConfirm(ctx: HandlerContext, slots: Required<Pick<Slots, 'category' | 'amount'>> & Slots): Promise<void> {
  const files = await ctx.services.attachments.loose(ctx.user.id)
  const invoices = invoicesOf(files)
  const draft = await ctx.services.requests.createExpenseDraft(ctx.user.id, {
    category: slots.category,
    amountFen: yuanToFen(slots.amount),
    period: slots.period,
    date: slots.date,
    reason: slots.reason,
    ...(slots.city !== undefined ? { city: slots.city } : {}),
    ...(slots.nights !== undefined ? { nights: slots.nights } : {}),
    ...(invoices.length > 0 ? { invoices } : {}),
    ...(files.length > 0 ? { attachments: files.length } : {}),
  })
  await ctx.services.attachments.link(ctx.user.id, files.map((f) => f.id), draft.id)
  await awaitConfirmation(ctx, 'expense.submit', slots, draft.id)
}
