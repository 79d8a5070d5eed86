import { z } from 'zod'

/**
 * Connection settings of an SAP S/4HANA system (Cloud or on-premise), as an admin enters them.
 * Everything SAP needs on a document that our requests do not carry (company code, plant,
 * purchasing organisation...) is fixed here once per connection.
 */
const code = (label: string, max: number) =>
  z.string().min(1, `${label}不能为空 / ${label} is required`).max(max, `${label}最多 ${max} 个字符 / at most ${max} characters`)

const basicAuth = z.object({
  kind: z.literal('basic'),
  /** A communication user (Cloud) or an RFC/dialog user (on-premise). */
  username: z.string().min(1, 'SAP 用户名不能为空 / username is required'),
  password: z.string().min(1, 'SAP 密码不能为空 / password is required'),
})

const oauthClientCredentials = z.object({
  kind: z.literal('oauth2'),
  tokenUrl: z.url({ protocol: /^https?$/, error: 'OAuth 令牌地址必须是 http(s) 网址 / tokenUrl must be http(s)' }),
  clientId: z.string().min(1, 'OAuth clientId 不能为空 / clientId is required'),
  clientSecret: z.string().min(1, 'OAuth clientSecret 不能为空 / clientSecret is required'),
  scope: z.string().optional(),
})

export const sapConfigSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'SAP 地址必须是 http(s) 网址 / url must be http(s)' }),
  auth: z.discriminatedUnion('kind', [basicAuth, oauthClientCredentials]),
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

export type SapConfig = z.infer<typeof sapConfigSchema>
export type SapConfigInput = z.input<typeof sapConfigSchema>
export type SapAuth = SapConfig['auth']
