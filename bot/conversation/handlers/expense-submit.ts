import { yuanToFen } from '../../../workflow/money.js'
import { policyCities } from '../../../workflow/policy/policy-store.js'
import { isReceipt, type StoredAttachment } from '../../../workflow/receipts/attachments/attachments.js'
import type { ParsedInvoice } from '../../../workflow/receipts/invoices/invoice.js'
import { ExpenseDateError, type InvoiceRef } from '../../../workflow/request-types.js'
import { moneyOutOfRange, type Slots } from '../../nlu/command.js'
import { cityIn } from '../../nlu/rules/places.js'
import { awaitConfirmation } from '../confirmation.js'
import type { CommandHandler, HandlerContext } from '../handler-context.js'
import { askCategory } from './category-choice.js'

/** Asks for what is missing one question at a time, then shows a confirmation card. */
export const submitExpense: CommandHandler = async (ctx) => continueExpense(ctx, ctx.command.slots, await filesOfClaim(ctx))

/** The files held for the claim this line answers a question about (none for a fresh command). */
async function filesOfClaim(ctx: HandlerContext): Promise<string[]> {
  const pending = await ctx.services.conversations.get(ctx.user.id)
  return pending?.intent === 'expense.submit' && pending.awaiting !== 'confirmation' ? (pending.files ?? []) : []
}

/** The same, from slots gathered elsewhere too (an e-invoice's fields), with the files held for the claim. */
export async function continueExpense(ctx: HandlerContext, given: Slots, files: readonly string[]): Promise<void> {
  const slots = await withPolicyCity(ctx, given)
  const ask = (awaiting: keyof Slots, asked: Slots) => ctx.services.conversations.save(ctx.user.id, { intent: 'expense.submit', slots: asked, awaiting, ...(files.length > 0 ? { files: [...files] } : {}) })
  if (moneyOutOfRange(slots)) {
    await ask('amount', { ...slots, amount: undefined })
    await ctx.reply('金额超出范围，请重新输入金额')
    return
  }
  const missing = (['category', 'amount'] as const).find((slot) => slots[slot] === undefined)
  if (missing) {
    await ask(missing, slots)
    if (missing === 'category') await askCategory(ctx, slots)
    else await ctx.reply('请问金额是多少？')
    return
  }
  try {
    await draftAndConfirm(ctx, slots as Required<Pick<Slots, 'category' | 'amount'>> & Slots, files)
  } catch (error) {
    if (!(error instanceof ExpenseDateError)) throw error
    await ask('date', { ...slots, date: undefined, period: undefined })
    await ctx.reply(`${error.zh}，请重新说一下日期`)
  }
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

/** The invoices the files carry, each once however many files carry it. */
export function invoicesIn(files: readonly StoredAttachment[]): ParsedInvoice[] {
  return [...new Map(files.flatMap((f) => (f.invoice && f.invoiceKey ? [[f.invoiceKey, f.invoice] as const] : []))).values()]
}

/** The claim's invoices as its payload carries them, for the duplicate-invoice policy and the invoice-total check. */
function invoicesOf(files: readonly StoredAttachment[]): InvoiceRef[] {
  return invoicesIn(files).map((i) => ({ number: i.number, ...(i.code ? { code: i.code } : {}), totalFen: i.totalFen }))
}

/** What a claim's payload says about its files: their invoices, how many, and how many prove a cost. */
export function filesPayload(files: readonly StoredAttachment[]): { invoices?: InvoiceRef[]; attachments?: number; receipts?: number } {
  const invoices = invoicesOf(files)
  return { ...(invoices.length > 0 ? { invoices } : {}), ...(files.length > 0 ? { attachments: files.length, receipts: files.filter(isReceipt).length } : {}) }
}

/**
 * The claim takes the files held for it and those sent, with no claim in progress, before this
 * one was typed: their invoices are checked by the duplicate-invoice policy, their count by the
 * receipt-required one.
 */
async function draftAndConfirm(ctx: HandlerContext, slots: Required<Pick<Slots, 'category' | 'amount'>> & Slots, held: readonly string[]): Promise<void> {
  const { attachments } = ctx.services
  const files = [...(await attachments.unlinked(ctx.user.id, held)), ...(await attachments.loose(ctx.user.id))]
  const draft = await ctx.services.requests.createExpenseDraft(ctx.user.id, {
    category: slots.category,
    amountFen: yuanToFen(slots.amount),
    period: slots.period,
    date: slots.date,
    reason: slots.reason,
    ...(slots.city !== undefined ? { city: slots.city } : {}),
    ...(slots.nights !== undefined ? { nights: slots.nights } : {}),
    ...filesPayload(files),
  })
  await attachments.link(ctx.user.id, files.map((f) => f.id), draft.id)
  await awaitConfirmation(ctx, 'expense.submit', slots, draft.id)
}
