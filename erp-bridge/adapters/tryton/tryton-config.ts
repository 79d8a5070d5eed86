import { z } from 'zod'

/**
 * Connection settings of a Tryton ERP, as an admin enters them. Records in Tryton are found by
 * the codes people see in its client (account code, journal code, location code), never by ids.
 */
export const trytonConfigSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'Tryton 地址必须是 http(s) 网址 / url must be http(s)' }),
  database: z.string().min(1, 'Tryton 数据库名不能为空 / database is required'),
  username: z.string().min(1, 'Tryton 用户名不能为空 / username is required'),
  password: z.string().min(1, 'Tryton 密码不能为空 / password is required'),
  /** Language of Tryton's messages; zh_CN needs `trytond-admin -l zh_CN` on the server. */
  language: z.string().default('zh_CN'),
  timeoutMs: z.number().int().positive().default(15_000),
  /** Party code of the company to post into; by default the user's current company. */
  companyPartyCode: z.string().min(1).optional(),
  /** account.journal code of the journal expense vouchers go to. */
  expenseJournal: z.string().min(1).default('EXP'),
  /** Expense category (travel, meal, ...) → account.account code; `other` is not a fallback. */
  expenseAccounts: z.record(z.string(), z.string().min(1)),
  /** account.account code credited for the employee; by default the employee party's payable account. */
  payableAccount: z.string().min(1).optional(),
  /** stock.location code of the warehouse purchase requisitions deliver to. */
  warehouse: z.string().min(1).default('WH'),
  /** product.uom symbol for requisition lines that name no product. */
  unit: z.string().min(1).default('u'),
  /**
   * Tryton has no department on an employee. When on, a transfer is recorded as a note on the
   * employee record for HR to act on; when off, it fails with a message saying so.
   */
  recordTransferAsNote: z.boolean().default(false),
})

export type TrytonConfig = z.infer<typeof trytonConfigSchema>
export type TrytonConfigInput = z.input<typeof trytonConfigSchema>
