import { z } from 'zod'

/**
 * Connection settings of a 金蝶云·星空 (K/3 Cloud) site, as an admin enters them from 系统管理 →
 * 第三方系统登录授权. Every code here is a 编码 people see in the K/3 Cloud client, never an inner id.
 */

const text = (what: string) => z.string().trim().min(1, `${what}不能为空 / ${what} is required`)

export const kingdeeConfigSchema = z.object({
  /** Site root including /k3cloud/, e.g. https://erp.example.com/k3cloud/ */
  url: z.url({ protocol: /^https?$/, error: '金蝶地址必须是 http(s) 网址 / url must be http(s)' }),
  /** 数据中心 ID (账套 ID), not the 账套 name. */
  acctId: text('账套ID acctId'),
  /** The 集成用户 the authorization was issued for. */
  username: text('集成用户 username'),
  /**
   * signedHeaders: no login call, every request carries the SDK 8.x X-Api-* / X-Kd-* headers (needed
   * behind Kingdee's public gateway); loginBySign: AuthService.LoginBySign, the login Kingdee recommends;
   * appSecret: AuthService.LoginByAppSecret. Both logins then ride the kdservice-sessionid cookie.
   */
  authMode: z.enum(['signedHeaders', 'loginBySign', 'appSecret']).default('signedHeaders'),
  /** From 第三方系统登录授权; the SDK 8.x shape is `<clientId>_<32 chars>`. */
  appId: text('应用ID AppID'),
  /** Secret: sealed at rest by the connection store. */
  appSecret: text('应用密钥 AppSecret'),
  /** LoginBySign's hash; builds older than about 8.0.0.202205 use SHA-1. */
  signHash: z.enum(['sha256', 'sha1']).default('sha256'),
  lcid: z.number().int().default(2052),
  timeoutMs: z.number().int().positive().default(15_000),

  /** 组织编码 of the organisation documents belong to (FOrgID, FApplicationOrgId, ...). */
  orgNumber: text('组织编码 orgNumber'),
  /** 币别编码; PRE001 is 人民币 in a standard chart. */
  currency: z.string().min(1).default('PRE001'),
  /** 汇率类型; HLTX01_SYS is 固定汇率. */
  exchangeRateType: z.string().min(1).default('HLTX01_SYS'),
  /** Submit and audit each saved document: the request was already approved in our workflow. */
  autoAudit: z.boolean().default(true),

  expense: z.discriminatedUnion('document', [
    z.object({
      /** 费用报销单 ER_ExpReimbursement. */
      document: z.literal('reimbursement'),
      billType: z.string().min(1).default('FYBXD001_SYS'),
      /** Expense category (travel, meal, ...) → 费用项目编码 (FExpID). */
      expenseItems: z.record(z.string(), z.string().min(1)),
    }),
    z.object({
      /** 凭证 GL_VOUCHER. */
      document: z.literal('voucher'),
      accountBook: text('账簿编码 accountBook'),
      voucherGroup: z.string().min(1).default('记'),
      /** Expense category → 科目编码 debited, for categories the expense-category mapping table does not cover. */
      expenseAccounts: z.record(z.string(), z.string().min(1)).default({}),
      /** 科目编码 credited with what is owed to the employee, e.g. 2241.01 其他应付款. */
      payableAccount: text('应付科目 payableAccount'),
      /** The FDetailID flex field that carries 员工 on the payable line (tenant-specific, e.g. FDETAILID__FFLEX7); none when unset. */
      employeeFlexField: z.string().regex(/^FDETAILID__FFLEX\d+$/).optional(),
    }),
  ]),

  purchase: z
    .object({
      /** 采购申请单 PUR_Requisition, or straight to 采购订单 PUR_PurchaseOrder (needs a supplier). */
      document: z.enum(['requisition', 'order']).default('requisition'),
      requisitionBillType: z.string().min(1).default('CGSQD01_SYS'),
      orderBillType: z.string().min(1).default('CGDD01_SYS'),
      /** 计量单位编码 of the requested quantity. */
      unit: z.string().min(1).default('Pcs'),
      /** 税率 % on purchase order lines. */
      taxRate: z.number().min(0).max(100).default(13),
    })
    .prefault({}),

  /**
   * Header field that carries the idempotency marker, per FormId, when a tenant's form lacks the
   * default (FCausa, FNote, FNote; GL_VOUCHER uses the entry's FEXPLANATION). Check with QueryBusinessInfo.
   */
  markerFields: z.record(z.string(), z.string().regex(/^F\w+$/)).default({}),
}).superRefine((config, ctx) => {
  // Signing uses the second half of the AppID as the masked gateway secret.
  if (config.authMode === 'signedHeaders' && !/^[^_]+_[A-Za-z0-9+/=]{32}$/.test(config.appId)) {
    ctx.addIssue({ code: 'custom', path: ['appId'], message: '应用ID 应形如 <clientId>_<32位字符> / AppID must look like <clientId>_<32 chars>' })
  }
})

export type KingdeeConfig = z.infer<typeof kingdeeConfigSchema>
export type KingdeeConfigInput = z.input<typeof kingdeeConfigSchema>
