import { z } from 'zod'

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

export const slotsSchema = z
  .object({
    category: z.enum(EXPENSE_CATEGORIES),
    amount: z.number().positive().finite(),
    period: z.object({ from: isoDate, to: isoDate }),
    date: isoDate,
    item: z.string().min(1),
    quantity: z.number().int().positive(),
    budget: z.number().positive().finite(),
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
