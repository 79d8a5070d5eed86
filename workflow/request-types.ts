import { z } from 'zod'
import { DomainError } from './errors.js'
import { formatYuan } from './money.js'

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
/** The largest sum any request may carry: ¥100,000,000. */
export const MAX_AMOUNT_FEN = 100_000_000_00
const fen = z.number().int().positive().max(MAX_AMOUNT_FEN)

/** An invoice as printed: a 20-digit 数电票 number, or an 8-digit number with its 10/12-digit code. */
export const invoiceRefSchema = z.object({
  number: z.string().trim().min(1).max(32),
  code: z.string().trim().max(32).optional(),
  /** 价税合计 as read from the invoice's file; a number typed by hand has none. */
  totalFen: fen.optional(),
})
export type InvoiceRef = z.infer<typeof invoiceRefSchema>

/** What an expense claim carries once the conversation has filled it in. */
export const expensePayloadSchema = z.object({
  category: z.enum(Object.keys(EXPENSE_CATEGORY_LABELS) as [ExpenseCategoryCode, ...ExpenseCategoryCode[]]),
  amountFen: fen,
  period: z.object({ from: isoDate, to: isoDate }).optional(),
  date: isoDate.optional(),
  reason: z.string().max(500).optional(),
  /** Where the cost arose; its tier selects the travel standard. */
  city: z.string().max(50).optional(),
  nights: z.number().int().positive().max(366).optional(),
  invoices: z.array(invoiceRefSchema).max(100).optional(),
  /** Receipt images or files attached to the claim. */
  attachments: z.number().int().min(0).max(100).optional(),
  /** Of those, the ones that can prove a cost (invoices, photos, PDFs): a text file cannot. */
  receipts: z.number().int().min(0).max(100).optional(),
})
export type ExpensePayload = z.infer<typeof expensePayloadSchema>

/** Costs older than this are not claimed any more. */
export const MAX_EXPENSE_AGE_DAYS = 365

/** The earliest day an expense may have happened when today is `today` (both YYYY-MM-DD). */
export function earliestExpenseDay(today: string): string {
  return new Date(Date.parse(`${today}T00:00:00Z`) - MAX_EXPENSE_AGE_DAYS * 86_400_000).toISOString().slice(0, 10)
}

/**
 * Whether a claim's day (or the start of its period) lies after today or too far back. A period
 * may end ahead (本月); one that has not begun is not a cost yet. Monthly caps count the month the
 * cost belongs to, so a day in a month to come would dodge them.
 */
export function expenseDateProblem(days: Pick<ExpensePayload, 'date' | 'period'>, today: string): 'future' | 'too_old' | undefined {
  const first = days.date ?? days.period?.from
  if (first === undefined) return undefined
  if (first > today) return 'future'
  return first < earliestExpenseDay(today) ? 'too_old' : undefined
}

/** A claim's day refused by expenseDateProblem: the chat asks for the day again. */
export class ExpenseDateError extends DomainError {
  constructor(
    readonly problem: 'future' | 'too_old',
    today: string,
  ) {
    const earliest = earliestExpenseDay(today)
    super(
      'VALIDATION',
      problem === 'future' ? '发生日期不能晚于今天' : `发生日期不能早于 ${earliest}（超过 ${MAX_EXPENSE_AGE_DAYS} 天的费用不能报销）`,
      problem === 'future' ? `the expense date cannot be later than today (${today})` : `the expense date cannot be earlier than ${earliest} (more than ${MAX_EXPENSE_AGE_DAYS} days ago)`,
    )
    this.name = 'ExpenseDateError'
  }
}

export const purchasePayloadSchema = z.object({
  item: z.string().trim().min(1).max(200),
  quantity: z.number().int().positive().max(1_000_000),
  /** Estimated total (budget) of the purchase. */
  amountFen: fen,
  reason: z.string().max(500).optional(),
  neededBy: isoDate.optional(),
})
export type PurchasePayload = z.infer<typeof purchasePayloadSchema>

export const hrTransferPayloadSchema = z.object({
  toDepartment: z.string().trim().min(1).max(100),
  toPosition: z.string().trim().max(100).optional(),
  effectiveDate: isoDate,
  reason: z.string().max(500).optional(),
})
export type HrTransferPayload = z.infer<typeof hrTransferPayloadSchema>

export const hrResignPayloadSchema = z.object({
  /** Last working day. */
  effectiveDate: isoDate,
  reason: z.string().max(500).optional(),
  handoverTo: z.string().max(100).optional(),
})
export type HrResignPayload = z.infer<typeof hrResignPayloadSchema>

export const projectPayloadSchema = z.object({
  title: z.string().trim().min(1).max(100),
  budgetFen: fen,
  reason: z.string().max(500).optional(),
  startDate: isoDate.optional(),
})
export type ProjectPayload = z.infer<typeof projectPayloadSchema>

interface RequestTypeSpec<S extends z.ZodType> {
  label: string
  numberPrefix: string
  schema: S
  /** The amount routing conditions and lists use (0 for requests without money). */
  amountFen: (payload: z.infer<S>) => number
  title: (payload: z.infer<S>) => string
}

function spec<S extends z.ZodType>(s: RequestTypeSpec<S>): RequestTypeSpec<S> {
  return s
}

export const REQUEST_TYPES = {
  expense: spec({
    label: '费用报销',
    numberPrefix: 'BX',
    schema: expensePayloadSchema,
    amountFen: (p) => p.amountFen,
    title: (p) => `${EXPENSE_CATEGORY_LABELS[p.category]} ${formatYuan(p.amountFen)} 元`,
  }),
  purchase: spec({
    label: '采购申请',
    numberPrefix: 'CG',
    schema: purchasePayloadSchema,
    amountFen: (p) => p.amountFen,
    title: (p) => `${p.item} ×${p.quantity}`,
  }),
  'hr.transfer': spec({
    label: '调岗申请',
    numberPrefix: 'DG',
    schema: hrTransferPayloadSchema,
    amountFen: () => 0,
    title: (p) => `调岗至${p.toDepartment}`,
  }),
  'hr.resign': spec({
    label: '离职申请',
    numberPrefix: 'LZ',
    schema: hrResignPayloadSchema,
    amountFen: () => 0,
    title: (p) => `离职（最后工作日 ${p.effectiveDate}）`,
  }),
  project: spec({
    label: '立项申请',
    numberPrefix: 'LX',
    schema: projectPayloadSchema,
    amountFen: (p) => p.budgetFen,
    title: (p) => `立项：${p.title}`,
  }),
} as const
export type RequestType = keyof typeof REQUEST_TYPES
export const REQUEST_TYPE_CODES = Object.keys(REQUEST_TYPES) as RequestType[]

export type PayloadOf<T extends RequestType> = z.infer<(typeof REQUEST_TYPES)[T]['schema']>

export function isRequestType(value: string): value is RequestType {
  return Object.hasOwn(REQUEST_TYPES, value)
}

/**
 * draft → pending → approved | rejected; pending → returned (back to the initiator, who may edit
 * and resubmit) → pending; pending | returned → withdrawn by the initiator; draft → cancelled.
 */
export type RequestStatus = 'draft' | 'pending' | 'returned' | 'approved' | 'rejected' | 'withdrawn' | 'cancelled'
/** transferred: handed to someone else (转交); cancelled: no longer needed (another decided, paused by 加签, withdrawn). */
export type TaskStatus = 'pending' | 'approved' | 'rejected' | 'returned' | 'transferred' | 'cancelled'
