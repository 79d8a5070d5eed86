import { z } from 'zod'

/**
 * Connection settings of an ERPNext site (Frappe v14/v15), as an admin enters them. Records are
 * named as ERPNext names them: account and cost centre names carry the company abbreviation
 * ("Travel Expenses - AC", "Main - AC").
 */
export const erpnextConfigSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'ERPNext 地址必须是 http(s) 网址 / url must be http(s)' }),
  /** API key and secret of the integration user (User → API Access → Generate Keys). */
  apiKey: z.string().min(1, 'ERPNext API Key 不能为空 / apiKey is required'),
  apiSecret: z.string().min(1, 'ERPNext API Secret 不能为空 / apiSecret is required'),
  company: z.string().min(1, 'ERPNext 公司名不能为空 / company is required'),
  timeoutMs: z.number().int().positive().max(120_000).default(20_000),
  /**
   * The custom Data field, with "Unique" ticked, that holds our key on every doctype we write
   * (Customize Form → add field). ERPNext has no external-id field of its own.
   */
  keyField: z.string().regex(/^[a-z][a-z0-9_]*$/, '字段名只能是小写字母、数字和下划线 / a lowercase fieldname').default('external_ref'),
  /** journal_entry: a submitted Journal Entry; expense_claim: a submitted Expense Claim (HRMS app). */
  expenseDocument: z.enum(['journal_entry', 'expense_claim']).default('journal_entry'),
  /** Account credited with what is owed to the employee; also the Expense Claim's payable account. */
  employeePayableAccount: z.string().min(1, '应付员工科目不能为空 / employeePayableAccount is required'),
  /** Expense category (travel, meal...) → Expense Claim Type, for expense claims. */
  expenseClaimTypes: z.record(z.string(), z.string().min(1)).default({}),
  /** material_request: a submitted Material Request (Purchase); purchase_order: a submitted Purchase Order (needs a supplier). */
  purchaseDocument: z.enum(['material_request', 'purchase_order']).default('material_request'),
  /** Warehouse purchased goods are for (mandatory on request and order lines). */
  warehouse: z.string().min(1, '仓库不能为空 / warehouse is required'),
  /** Item code for purchase lines that name no mapped material (a non-stock item such as "Purchase - General"). */
  purchaseItem: z.string().min(1).optional(),
})

export type ErpNextConfig = z.infer<typeof erpnextConfigSchema>
export type ErpNextConfigInput = z.input<typeof erpnextConfigSchema>
