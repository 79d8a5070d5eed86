import { z } from 'zod'

/**
 * Connection settings of an SAP S/4HANA system (Cloud or on-premise), as an admin enters them.
 * Everything SAP needs on a document that our requests do not carry (company code, plant,
 * purchasing organisation...) is fixed here once per connection.
 */
const code = (label: string, max: number) =>
  z.string().min(1, `${label}不能为空 / ${label} is required`).max(max, `${label}最多 ${max} 个字符 / at most ${max} characters`)

/** The fields without the cross-field check, for callers that pick or omit fields. */
export const sapSettingsObject = z.object({
  url: z.url({ protocol: /^https?$/, error: 'SAP 地址必须是 http(s) 网址 / url must be http(s)' }),
  /**
   * basic: a communication user (Cloud) or an RFC/dialog user (on-premise); oauth2: client
   * credentials. The fields are flat, so the connection store can seal password and clientSecret.
   */
  authMethod: z.enum(['basic', 'oauth2']).default('basic'),
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  tokenUrl: z.url({ protocol: /^https?$/, error: 'OAuth 令牌地址必须是 http(s) 网址 / tokenUrl must be http(s)' }).optional(),
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  scope: z.string().min(1).optional(),
  /** On-premise client (mandant), sent as sap-client on every call; Cloud has none. */
  sapClient: z.string().regex(/^\d{3}$/, 'sap-client 是三位数字 / sap-client is three digits').optional(),
  /** Language of SAP's messages (sap-language): ZH gives Chinese texts where SAP has them. */
  language: z.string().min(1).default('ZH'),
  timeoutMs: z.number().int().positive().max(120_000).default(30_000),
  companyCode: code('公司代码', 4),
  currency: code('币种', 5).default('CNY'),
  /** Path of the synchronous journal entry SOAP service; on-premise adds /<client>/<service>/<binding>. */
  journalEntryPath: z.string().startsWith('/').default('/sap/bc/srt/scs_ext/sap/journalentrycreaterequestconfi'),
  /** Document type of expense journal entries: SA (G/L document) by default. */
  journalEntryType: code('凭证类型', 2).default('SA'),
  /** G/L account credited with what is owed to the employee (e.g. 其他应付款-员工). */
  employeePayableAccount: code('应付员工科目', 10),
  purchasing: z.object({
    /** requisition: a purchase requisition only; order: the requisition plus a purchase order from it (needs a supplier). */
    document: z.enum(['requisition', 'order']).default('requisition'),
    requisitionType: code('采购申请类型', 4).default('NB'),
    orderType: code('采购订单类型', 4).default('NB'),
    plant: code('工厂', 4),
    purchasingOrganization: code('采购组织', 4),
    purchasingGroup: code('采购组', 3),
    /** Material group of lines that name no material. */
    materialGroup: code('物料组', 9),
    /** Unit of lines that name no material (SAP's internal unit code, e.g. EA, ST). */
    unit: code('单位', 3).default('EA'),
    /** K: cost centre; the G/L account charged on the cost-centre assignment. */
    accountAssignmentCategory: code('科目分配类别', 1).default('K'),
    glAccount: code('采购费用科目', 10),
  }),
})

export const sapConfigSchema = sapSettingsObject.superRefine((config, ctx) => {
  const needed = config.authMethod === 'basic' ? (['username', 'password'] as const) : (['tokenUrl', 'clientId', 'clientSecret'] as const)
  for (const field of needed) {
    if (!config[field]) ctx.addIssue({ code: 'custom', path: [field], message: `${config.authMethod === 'basic' ? '基本认证' : 'OAuth2'} 需要 ${field} / ${field} is required` })
  }
})

export type SapConfig = z.infer<typeof sapConfigSchema>
export type SapConfigInput = z.input<typeof sapConfigSchema>

export type SapAuth =
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'oauth2'; tokenUrl: string; clientId: string; clientSecret: string; scope?: string }

/** The checked credentials of a parsed config. */
export function sapAuth(config: SapConfig): SapAuth {
  return config.authMethod === 'basic'
    ? { kind: 'basic', username: config.username!, password: config.password! }
    : { kind: 'oauth2', tokenUrl: config.tokenUrl!, clientId: config.clientId!, clientSecret: config.clientSecret!, scope: config.scope }
}
