import { z } from 'zod'

/**
 * Connection settings of a 用友 YonBIP / YonSuite public-cloud tenant, from a 自建应用 in the open
 * platform. Codes are the 编码 people see in YonBIP (组织、交易类型、费用项目、科目、物料、供应商), which
 * its OpenAPIs accept wherever they take "id 或 code".
 */

const text = (what: string) => z.string().trim().min(1, `${what}不能为空 / ${what} is required`)

export const yonyouConfigSchema = z.object({
  tenantId: text('租户ID tenantId'),
  appKey: text('appKey'),
  appSecret: text('appSecret'),
  /** Where the per-tenant data-center lookup is answered; gateway and token hosts differ per data center. */
  discoveryUrl: z.url({ protocol: /^https?$/ }).default('https://apigateway.yonyoucloud.com'),
  timeoutMs: z.number().int().positive().default(15_000),

  /** 组织编码: 会计主体, 费用承担组织, 需求/采购组织. */
  orgCode: text('组织编码 orgCode'),
  currency: z.string().min(1).default('CNY'),
  /** 汇率类型编码 (01 = 基准汇率 in a standard tenant). */
  exchangeRateType: z.string().min(1).default('01'),
  /** Submit and audit requisitions and purchase orders after saving: the request was approved in our workflow. */
  autoAudit: z.boolean().default(true),

  expense: z.discriminatedUnion('document', [
    z.object({
      /** 通用报销单, left 待提交 for YonBIP's own expense flow (payment, 稽核). */
      document: z.literal('expenseBill'),
      /** 交易类型编码 of the 通用报销单. */
      transactionType: text('报销单交易类型 transactionType'),
      /** Expense category (travel, meal, ...) → 费用项目编码. */
      expenseItems: z.record(z.string(), z.string().min(1)),
      /** 结算方式编码 of the reimbursement payment. */
      settlementMethod: text('结算方式 settlementMethod'),
    }),
    z.object({
      /** 总账凭证 through addVoucher. */
      document: z.literal('voucher'),
      accountBook: text('账簿编码 accountBook'),
      /** 凭证类型编码 (1 = 记账凭证 in a standard tenant). */
      voucherType: z.string().min(1).default('1'),
      /** Expense category → 科目编码 debited, for categories the expense-category mapping table does not cover. */
      expenseAccounts: z.record(z.string(), z.string().min(1)).default({}),
      /** 科目编码 credited with what is owed to the employee. */
      payableAccount: text('应付科目 payableAccount'),
      /** 辅助核算项编码 that carries 员工 on the payable line; none when unset. */
      employeeAuxiliary: z.string().min(1).optional(),
      /** 制单人 mobile; YonBIP otherwise records the app's default user. */
      makerMobile: z.string().min(1).optional(),
      /** find() only has the key, so it searches the vouchers of this many recent periods. */
      lookbackMonths: z.number().int().min(1).max(24).default(3),
    }),
  ]),

  purchase: z
    .object({
      /** 请购单 (applyorder), or straight to 采购订单 (purchaseorder; needs a supplier). */
      document: z.enum(['requisition', 'order']).default('requisition'),
      /** 交易类型编码 of 请购单 and 采购订单. */
      requisitionType: z.string().min(1).default('A25001'),
      orderType: z.string().min(1).default('A20001'),
      /** 计量单位编码 and 税目编码 of the line. */
      unit: z.string().min(1).default('PCS'),
      taxCode: z.string().min(1).default('VAT13'),
      /**
       * 表头自定义项 that carries the idempotency key (headItem.<define>); the list APIs filter on it.
       * Enable it in YonBIP for both documents.
       */
      keyDefine: z.string().regex(/^define\d+$/).default('define1'),
    })
    .prefault({}),
})

export type YonyouConfig = z.infer<typeof yonyouConfigSchema>
export type YonyouConfigInput = z.input<typeof yonyouConfigSchema>
