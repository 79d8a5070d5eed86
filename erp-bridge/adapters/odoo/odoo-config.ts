import { z } from 'zod'

/**
 * Connection settings of an Odoo database, as an admin enters them. Records are named by the codes
 * people see in Odoo (journal code, account code, product internal reference, partner reference).
 */
export const odooConfigSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'Odoo 地址必须是 http(s) 网址 / url must be http(s)' }),
  database: z.string().min(1, 'Odoo 数据库名不能为空 / database is required'),
  /** Login of the bot user; the legacy JSON-RPC API (Odoo ≤ 18) needs it, the JSON-2 API (19+) does not. */
  login: z.string().min(1).optional(),
  /** An API key of that user (Preferences → Account Security); on ≤ 18 the password works too. */
  apiKey: z.string().min(1, 'Odoo API 密钥不能为空 / apiKey is required'),
  /** auto: JSON-2 from Odoo 19 on (GET /web/version), JSON-RPC before. */
  protocol: z.enum(['auto', 'jsonrpc', 'json2']).default('auto'),
  language: z.string().min(1).default('zh_CN'),
  timeoutMs: z.number().int().positive().max(120_000).default(20_000),
  /** journal_entry: a posted account.move; employee_expense: an hr.expense for the employee (Expenses app). */
  expenseDocument: z.enum(['journal_entry', 'employee_expense']).default('journal_entry'),
  /** account.journal code of the miscellaneous journal expense entries go to. */
  journalCode: z.string().min(1).default('MISC'),
  /** account.account code credited with what is owed to the employee. */
  employeePayableAccount: z.string().min(1).optional(),
  /** hr.employee field that holds our 工号 (ErpParty.erpCode). */
  employeeCodeField: z.enum(['barcode', 'identification_id']).default('barcode'),
  /** product.product internal reference of the expense product (Odoo's own is EXP_GEN). */
  expenseProduct: z.string().min(1).default('EXP_GEN'),
  /** product.product internal reference for purchase lines that name no mapped material. */
  purchaseProduct: z.string().min(1).optional(),
  /** Confirm the purchase order (button_confirm) or leave it as an RFQ for the buyer. */
  confirmPurchaseOrders: z.boolean().default(true),
})

export type OdooConfig = z.infer<typeof odooConfigSchema>
export type OdooConfigInput = z.input<typeof odooConfigSchema>
