import type { ExpenseVoucherAction, PurchaseAction } from '../../erp-adapter.js'
import { categoryLabel, checkQuantityAndBudget, positiveAmount, requireCode, unitPriceYuan } from '../document-values.js'
import type { KingdeeConfig } from './kingdee-config.js'

/**
 * Our actions as K/3 Cloud Save models. FormIds and field keys follow ../shared/ERP.md (gathered from
 * integration code; ER_ExpReimbursement's FPaySettlleTypeID really is spelled that way) and the
 * GL_VOUCHER import template header (FAccountBookID, FVOUCHERGROUPID, FEntity, FEXPLANATION,
 * FACCOUNTID, FDetailID#FF1000xx) seen in a public import script. Which keys a tenant's forms carry
 * is UNCONFIRMED per site: QueryBusinessInfo tells, and a wrong key comes back as MsgCode 9.
 *
 * K/3 Cloud has no request-id header, so the idempotency key travels as a marker `CVN:<key>;` in a
 * free-text field (事由, 备注, 摘要) that is searched with ExecuteBillQuery before every post.
 */

export interface KingdeeForm {
  formId: string
  /** Inner id field and bill number field, as ExecuteBillQuery names them. */
  idField: string
  numberField: string
  /** Where the marker lives; GL_VOUCHER's is an entry field, so a voucher comes back once per line. */
  markerField: string
  label: string
}

const FORMS = {
  reimbursement: { formId: 'ER_ExpReimbursement', idField: 'FID', numberField: 'FBillNo', markerField: 'FCausa', label: '费用报销单' },
  voucher: { formId: 'GL_VOUCHER', idField: 'FVOUCHERID', numberField: 'FBillNo', markerField: 'FEXPLANATION', label: '凭证' },
  requisition: { formId: 'PUR_Requisition', idField: 'FID', numberField: 'FBillNo', markerField: 'FNote', label: '采购申请单' },
  order: { formId: 'PUR_PurchaseOrder', idField: 'FID', numberField: 'FBillNo', markerField: 'FNote', label: '采购订单' },
} satisfies Record<string, KingdeeForm>

/** The forms this configuration posts expense and purchase requests to. */
export function configuredForms(config: KingdeeConfig): { expense: KingdeeForm; purchase: KingdeeForm } {
  const withOverride = (form: KingdeeForm): KingdeeForm => ({ ...form, markerField: config.markerFields[form.formId] ?? form.markerField })
  return {
    expense: withOverride(config.expense.document === 'reimbursement' ? FORMS.reimbursement : FORMS.voucher),
    purchase: withOverride(config.purchase.document === 'requisition' ? FORMS.requisition : FORMS.order),
  }
}

export function marker(key: string): string {
  return `CVN:${key};`
}

export function carriesMarker(value: unknown, key: string): boolean {
  return typeof value === 'string' && value.includes(marker(key))
}

/**
 * A FilterString finding the marker. LIKE wildcards in the key become `_` (any one character), so the
 * filter can over-match but never miss; callers confirm with carriesMarker. Quotes are doubled.
 */
export function markerFilter(field: string, key: string): string {
  const pattern = marker(key).replace(/[%_[\]]/g, '_').replace(/'/g, "''")
  return `${field} LIKE '%${pattern}%'`
}

const ref = (code: string) => ({ FNumber: code })

/** 费用报销单: one entry line for the category, paid to the employee (FRequestType "1" = 付款). */
export function reimbursementModel(action: ExpenseVoucherAction, key: string, config: KingdeeConfig): Record<string, unknown> {
  if (config.expense.document !== 'reimbursement') throw new TypeError('not configured for reimbursements')
  const amount = positiveAmount(action.amountFen)
  const staff = requireCode(action.employee.erpCode, `员工 ${action.employee.name} → 金蝶员工编码`, `no Kingdee staff number for ${action.employee.name}`)
  const dept = requireCode(action.department.costCenter, `部门 ${action.department.name} → 金蝶部门编码`, `no Kingdee department for ${action.department.name}`)
  const item = requireCode(config.expense.expenseItems[action.category], `费用类别 ${categoryLabel(action.category)} → 金蝶费用项目`, `no Kingdee expense item for ${action.category}`)
  const org = ref(config.orgNumber)
  return {
    FID: 0,
    FBillTypeID: { FNUMBER: config.expense.billType },
    FDate: action.date,
    FCurrencyID: { FNUMBER: config.currency },
    FLocCurrencyID: { FNUMBER: config.currency },
    FExchangeTypeID: { FNUMBER: config.exchangeRateType },
    FOrgID: org,
    FExpenseOrgId: org,
    FPayOrgId: org,
    FProposerID: { FSTAFFNUMBER: staff },
    FRequestDeptID: ref(dept),
    FExpenseDeptID: ref(dept),
    FCONTACTUNITTYPE: 'BD_Empinfo',
    FCONTACTUNIT: ref(staff),
    FRequestType: '1',
    FCausa: `${action.memo} ${marker(key)}`.trim(),
    FEntity: [{ FExpID: ref(item), FExpenseDeptEntryID: ref(dept), FTaxSubmitAmt: amount, FTaxAmt: 0, FRemark: action.memo }],
  }
}

/** 凭证: Dr the category's expense account, Cr what is owed to the employee; both lines carry the marker. */
export function voucherModel(action: ExpenseVoucherAction, key: string, config: KingdeeConfig): Record<string, unknown> {
  if (config.expense.document !== 'voucher') throw new TypeError('not configured for vouchers')
  const amount = positiveAmount(action.amountFen)
  const { expense } = config
  const account = requireCode(action.accountCode ?? expense.expenseAccounts[action.category], `费用类别 ${categoryLabel(action.category)} → 金蝶科目`, `no Kingdee account for ${action.category}`)
  const employeeDimension = expense.employeeFlexField
    ? { FDetailID: { [expense.employeeFlexField]: ref(requireCode(action.employee.erpCode, `员工 ${action.employee.name} → 金蝶员工编码`, `no Kingdee staff number for ${action.employee.name}`)) } }
    : {}
  const explanation = `${categoryLabel(action.category)} ${action.employee.name} ${action.requestNo} ${marker(key)}`
  const line = (accountCode: string, debit: number, credit: number) => ({
    FEXPLANATION: explanation,
    FACCOUNTID: ref(accountCode),
    FCURRENCYID: ref(config.currency),
    FEXCHANGERATETYPE: ref(config.exchangeRateType),
    FEXCHANGERATE: 1,
    FAMOUNTFOR: debit || credit,
    FDEBIT: debit,
    FCREDIT: credit,
  })
  return {
    FVOUCHERID: 0,
    FAccountBookID: ref(expense.accountBook),
    FDate: action.date,
    FVOUCHERGROUPID: ref(expense.voucherGroup),
    FEntity: [line(account, amount, 0), { ...line(expense.payableAccount, 0, amount), ...employeeDimension }],
  }
}

function purchaseBasics(action: PurchaseAction) {
  checkQuantityAndBudget(action)
  const material = requireCode(action.materialCode, `物品「${action.item}」→ 金蝶物料编码`, `no Kingdee material for ${action.item}`)
  // 6 decimals: K/3 Cloud's price precision ceiling.
  return { material, price: unitPriceYuan(action.budgetFen, action.quantity), note: `${action.requestNo} ${action.item} ${action.memo}`.trim() }
}

/** 采购申请单 of type Material with one line. */
export function requisitionModel(action: PurchaseAction, key: string, config: KingdeeConfig): Record<string, unknown> {
  const { material, price, note } = purchaseBasics(action)
  const staff = requireCode(action.requester.erpCode, `员工 ${action.requester.name} → 金蝶员工编码`, `no Kingdee staff number for ${action.requester.name}`)
  const org = ref(config.orgNumber)
  return {
    FID: 0,
    FBillTypeID: { FNUMBER: config.purchase.requisitionBillType },
    FRequestType: 'Material',
    FApplicationDate: action.date,
    FApplicationOrgId: org,
    FApplicantId: { FSTAFFNUMBER: staff },
    ...(action.department.costCenter ? { FApplicationDeptId: ref(action.department.costCenter) } : {}),
    FCurrencyId: ref(config.currency),
    FNote: `${note} ${marker(key)}`,
    FEntity: [
      {
        FMaterialId: ref(material),
        FUnitId: ref(config.purchase.unit),
        FReqQty: action.quantity,
        FEvaluatePrice: price,
        // Without a date from the requester, ask for delivery as of approval and let purchasing adjust.
        FArrivalDate: action.neededBy ?? action.date,
        FRequireOrgId: org,
        FPurchaseOrgId: org,
        FReceiveOrgId: org,
        ...(action.supplierCode ? { FSuggestSupplierId: ref(action.supplierCode) } : {}),
        FEntryNote: action.item,
      },
    ],
  }
}

/** 采购订单 with one tax-inclusive line; needs the supplier. */
export function orderModel(action: PurchaseAction, key: string, config: KingdeeConfig): Record<string, unknown> {
  const { material, price, note } = purchaseBasics(action)
  const supplier = requireCode(action.supplierCode, `采购「${action.item}」的供应商 → 金蝶供应商编码`, `a purchase order needs a Kingdee supplier`)
  const org = ref(config.orgNumber)
  return {
    FID: 0,
    FBillTypeID: { FNUMBER: config.purchase.orderBillType },
    FDate: action.date,
    FSupplierId: ref(supplier),
    FPurchaseOrgId: org,
    FPOOrderFinance: { FSettleCurrId: ref(config.currency), FLocalCurrId: ref(config.currency), FExchangeTypeId: ref(config.exchangeRateType), FIsIncludedTax: true },
    FNote: `${note} ${marker(key)}`,
    FPOOrderEntry: [
      {
        FMaterialId: ref(material),
        FUnitId: ref(config.purchase.unit),
        FQty: action.quantity,
        FTaxPrice: price,
        FEntryTaxRate: config.purchase.taxRate,
        FDeliveryDate: action.neededBy ?? action.date,
        FRequireOrgId: org,
        FReceiveOrgId: org,
        FEntryNote: action.item,
      },
    ],
  }
}
