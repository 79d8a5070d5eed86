import { fenToYuan } from '../../../workflow/money.js'
import type { ExpenseVoucherAction, PurchaseAction } from '../../erp-adapter.js'
import { categoryLabel, checkQuantityAndBudget, positiveAmount, requireCode, unitPriceYuan } from '../document-values.js'
import { checkKey } from './yonyou-auth.js'
import type { YonyouConfig } from './yonyou-config.js'

/**
 * Our actions as YonBIP OpenAPI bodies. Paths and fields follow the open platform's API pages
 * (mirrored in a public YonBIP API-docs dump): 通用报销单保存 /yonbip/znbz/rbsm/api/bill/expensebill/save,
 * 请购单单个保存V2 /yonbip/scm/applyorder/singleSave_v1, 采购订单单个保存V2 /yonbip/scm/purchaseorder/singleSave_v1
 * — each `{"data": {...}}`, MDD幂等 with `resubmitCheckKey` inside data, every row with `_status`.
 * addVoucher's body is top-level (no data wrapper), confirmed by integration scripts posting
 * `{accbookCode, voucherTypeCode, makeTime, bodies: [{description, accsubjectCode, debitOriginal, debitOrg, rateType, clientAuxiliaryList}]}`.
 * The requisition path replaces ../shared/ERP.md's UNCONFIRMED /yonbip/cpu/pureq/postreq.
 */

export const PATHS = {
  expenseSave: '/yonbip/znbz/rbsm/api/bill/expensebill/save',
  expenseList: '/yonbip/znbz/rbsm/api/bill/expensebill/list',
  voucherAdd: '/yonbip/fi/ficloud/openapi/voucher/addVoucher',
  voucherQuery: '/yonbip/fi/ficloud/openapi/voucher/queryVouchers',
  requisition: '/yonbip/scm/applyorder',
  order: '/yonbip/scm/purchaseorder',
} as const

/** Readable marker in the free text people see (报销说明, 凭证摘要), searched before every post. */
export function marker(key: string): string {
  return `CVN:${key};`
}

export function carriesMarker(value: unknown, key: string): boolean {
  return typeof value === 'string' && value.includes(marker(key))
}

const staffOf = (employee: ExpenseVoucherAction['employee']) => requireCode(employee.erpCode, `员工 ${employee.name} → 用友员工编码`, `no YonBIP staff code for ${employee.name}`)

/** 通用报销单: one detail line, one 费用分摊 line to the employee's department, one 结算 line paying the employee. */
export function expenseBillBody(action: ExpenseVoucherAction, key: string, config: YonyouConfig): { data: Record<string, unknown> } {
  if (config.expense.document !== 'expenseBill') throw new TypeError('not configured for expense bills')
  const amount = positiveAmount(action.amountFen)
  const staff = staffOf(action.employee)
  const dept = requireCode(action.department.costCenter, `部门 ${action.department.name} → 用友部门编码`, `no YonBIP department for ${action.department.name}`)
  const item = requireCode(config.expense.expenseItems[action.category], `费用类别 ${categoryLabel(action.category)} → 用友费用项目`, `no YonBIP expense item for ${action.category}`)
  const org = config.orgCode
  const money = { vcurrency: config.currency, vnatcurrency: config.currency, vnatexchratetype: config.exchangeRateType, dnatexchratedate: action.date, nnatbaseexchrate: 1, nnatexchrate: 1 }
  const totals = { nexpensemny: amount, nnatexpensemny: amount, nsummny: amount, nnatsummny: amount, nshouldpaymny: amount, nnatshouldpaymny: amount }
  const people = { pk_handlepsn: staff, vhandledeptid: dept, chandleorg: org, caccountorg: org, cfinaceorg: org, vfinacedeptid: dept }
  return {
    data: {
      resubmitCheckKey: checkKey('expensebill', key),
      _status: 'Insert',
      vouchdate: action.date,
      dcostdate: action.date,
      bustype: config.expense.transactionType,
      pk_busimemo_code: item,
      ...people,
      ...money,
      ...totals,
      vreason: `${action.memo} ${marker(key)}`.trim(),
      expensebillbs: [{ pk_busimemo_code: item, ...people, ...money, ...totals, _status: 'Insert' }],
      expapportions: [{ vfinacedeptid: dept, cfinaceorg: org, caccountorg: org, pk_busimemo_code: item, ...money, napportmny: amount, nnatapportmny: amount, napportrate: 100, _status: 'Insert' }],
      expsettleinfos: [{ pk_balatype_code: config.expense.settlementMethod, pk_handlepsn: staff, ...money, vsettlecurrency: config.currency, nsummny: amount, nsettlesummny: amount, nnatsettlesummny: amount, _status: 'Insert' }],
    },
  }
}

/** 总账凭证: Dr the category's account, Cr what is owed to the employee; businessId is the idempotency handle. */
export function voucherBody(action: ExpenseVoucherAction, key: string, config: YonyouConfig): Record<string, unknown> {
  if (config.expense.document !== 'voucher') throw new TypeError('not configured for vouchers')
  const amount = positiveAmount(action.amountFen)
  const { expense } = config
  const account = requireCode(action.accountCode ?? expense.expenseAccounts[action.category], `费用类别 ${categoryLabel(action.category)} → 用友科目`, `no YonBIP account for ${action.category}`)
  const auxiliary = expense.employeeAuxiliary ? { clientAuxiliaryList: [{ filedCode: expense.employeeAuxiliary, valueCode: staffOf(action.employee) }] } : {}
  const description = `${categoryLabel(action.category)} ${action.employee.name} ${action.requestNo} ${marker(key)}`
  const line = { description, currencyCode: config.currency, rateType: config.exchangeRateType, rateOrg: 1 }
  return {
    accbookCode: expense.accountBook,
    voucherTypeCode: expense.voucherType,
    period: action.date.slice(0, 7),
    makeTime: action.date,
    ...(expense.makerMobile ? { makerMobile: expense.makerMobile } : {}),
    description,
    businessId: checkKey('voucher', key),
    bodies: [
      { ...line, accsubjectCode: account, debitOriginal: amount, debitOrg: amount },
      { ...line, accsubjectCode: expense.payableAccount, creditOriginal: amount, creditOrg: amount, ...auxiliary },
    ],
  }
}

function purchaseLine(action: PurchaseAction, config: YonyouConfig) {
  checkQuantityAndBudget(action)
  const product = requireCode(action.materialCode, `物品「${action.item}」→ 用友物料编码`, `no YonBIP product for ${action.item}`)
  const { unit, taxCode } = config.purchase
  return {
    product_cCode: product,
    qty: action.quantity,
    subQty: action.quantity,
    priceQty: action.quantity,
    unit_code: unit,
    purUOM_Code: unit,
    priceUOM_Code: unit,
    invExchRate: 1,
    invPriceExchRate: 1,
    unitExchangeType: 0,
    unitExchangeTypePrice: 0,
    // Tax-inclusive price so that quantity × price is the budget; YonBIP computes the tax from the 税目.
    oriTaxUnitPrice: unitPriceYuan(action.budgetFen, action.quantity),
    oriSum: fenToYuan(action.budgetFen),
    taxitems_code: taxCode,
    _status: 'Insert',
  }
}

const dateTime = (date: string) => `${date} 00:00:00`

/** 请购单; the key rides in 表头自定义项 (headItem, an array in this API's own sample) because applyorder/list filters on it. */
export function requisitionBody(action: PurchaseAction, key: string, config: YonyouConfig): { data: Record<string, unknown> } {
  const org = config.orgCode
  return {
    data: {
      resubmitCheckKey: checkKey('applyorder', key),
      _status: 'Insert',
      bustype: config.purchase.requisitionType,
      org_code: org,
      vouchdate: dateTime(action.date),
      currency_code: config.currency,
      ...(action.requester.erpCode ? { operator: action.requester.erpCode } : {}),
      ...(action.department.costCenter ? { applyDept: action.department.costCenter } : {}),
      memo: `${action.requestNo} ${action.item} ${action.memo}`.trim(),
      headItem: [{ [config.purchase.keyDefine]: key }],
      applyOrders: [
        {
          rowno: 10,
          ...purchaseLine(action, config),
          requirementDate: dateTime(action.neededBy ?? action.date),
          purchaseOrg_code: org,
          receiveOrg_code: org,
          ...(action.supplierCode ? { adviseSupplier_code: action.supplierCode } : {}),
        },
      ],
    },
  }
}

/** 采购订单 to the mapped supplier; the key rides in headItem (an object in this API). */
export function orderBody(action: PurchaseAction, key: string, config: YonyouConfig): { data: Record<string, unknown> } {
  const supplier = requireCode(action.supplierCode, `采购「${action.item}」的供应商 → 用友供应商编码`, 'a purchase order needs a YonBIP supplier')
  const org = config.orgCode
  return {
    data: {
      resubmitCheckKey: checkKey('purchaseorder', key),
      _status: 'Insert',
      bustype_code: config.purchase.orderType,
      org_code: org,
      vendor_code: supplier,
      invoiceVendor_code: supplier,
      currency_code: config.currency,
      natCurrency_code: config.currency,
      exchRate: 1,
      exchRateType: config.exchangeRateType,
      vouchdate: dateTime(action.date),
      headItem: { [config.purchase.keyDefine]: key },
      purchaseOrders: [{ ...purchaseLine(action, config), inOrg_code: org, inInvoiceOrg_code: org, demandOrg_code: org}],
    },
  }
}
