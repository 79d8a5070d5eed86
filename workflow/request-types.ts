import { z } from 'zod'

export const EXPENSE_CATEGORY_LABELS = {
  travel: '差旅费',
  transport: '交通费',
  meal: '餐费',
  lodging: '住宿费',
  office: '办公费',
  entertainment: '业务招待费',
  training: '培训费',
  communication: '通讯费',
  other: '其他费用',
} as const
export type ExpenseCategoryCode = keyof typeof EXPENSE_CATEGORY_LABELS

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)

/** What an expense claim carries once the conversation has filled it in. */
export const expensePayloadSchema = z.object({
  category: z.enum(Object.keys(EXPENSE_CATEGORY_LABELS) as [ExpenseCategoryCode, ...ExpenseCategoryCode[]]),
  amountFen: z.number().int().positive().max(100_000_000_00),
  period: z.object({ from: isoDate, to: isoDate }).optional(),
  date: isoDate.optional(),
  reason: z.string().max(500).optional(),
})
export type ExpensePayload = z.infer<typeof expensePayloadSchema>

export const REQUEST_TYPES = {
  expense: { label: '费用报销', numberPrefix: 'BX' },
} as const
export type RequestType = keyof typeof REQUEST_TYPES

export type RequestStatus = 'draft' | 'pending' | 'approved' | 'rejected' | 'cancelled'
export type TaskStatus = 'pending' | 'approved' | 'rejected' | 'cancelled'
