import { z } from 'zod'
import { fenToYuan } from '../../workflow/money.js'
import { MAX_AMOUNT_FEN } from '../../workflow/request-types.js'

/** The parse contract (../shared/DESIGN.md): intents, slot names and values users' scripts rely on. */
export const INTENTS = [
  'expense.submit',
  'purchase.request',
  'hr.transfer',
  'hr.resign',
  'project.initiate',
  'request.status',
  'request.withdraw',
  'approval.list',
  'approval.approve',
  'approval.reject',
  'help',
  'unknown',
  // Extensions beyond the contract's list (README): out-of-office stand-ins (代理) by chat.
  'delegation.set',
  'delegation.cancel',
  'delegation.list',
] as const
export type Intent = (typeof INTENTS)[number]

export const EXPENSE_CATEGORIES = [
  'travel',
  'transport',
  'meal',
  'lodging',
  'office',
  'entertainment',
  'training',
  'communication',
  'other',
] as const
export type ExpenseCategory = (typeof EXPENSE_CATEGORIES)[number]

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)
/** Yuan, up to what a request's payload can carry. */
const money = z.number().positive().finite().max(fenToYuan(MAX_AMOUNT_FEN))

export const slotsSchema = z
  .object({
    category: z.enum(EXPENSE_CATEGORIES),
    amount: money,
    period: z.object({ from: isoDate, to: isoDate }),
    date: isoDate,
    item: z.string().min(1),
    quantity: z.number().int().positive(),
    budget: money,
    department: z.string().min(1),
    effectiveDate: isoDate,
    reason: z.string().min(1),
    requestNo: z.string().regex(/^[A-Z]{2}-\d{6}-\d{4,}$/),
    title: z.string().min(1),
    // Extensions beyond the contract's slots (README): where an expense arose and for how many nights.
    city: z.string().min(1).max(50),
    nights: z.number().int().positive().max(366),
  })
  .partial()
  .strict()
export type Slots = z.infer<typeof slotsSchema>

/**
 * The money slot holding more than any request can carry (「三亿元」): the rules read such a sum as
 * said, and the chat asks for it again rather than draft what the payload refuses.
 */
export function moneyOutOfRange(slots: Slots): 'amount' | 'budget' | undefined {
  return (['amount', 'budget'] as const).find((slot) => slots[slot] !== undefined && !money.safeParse(slots[slot]).success)
}

export const parsedCommandSchema = z.object({
  intent: z.enum(INTENTS),
  slots: slotsSchema,
  confidence: z.number().min(0).max(1),
  source: z.enum(['rules', 'llm']),
})
export type ParsedCommand = z.infer<typeof parsedCommandSchema>

/** Anything that turns one chat line into a command. `now` fixes "today" for relative dates. */
export interface CommandParser {
  parse(text: string, now: Date): Promise<ParsedCommand>
}
