/**
 * The bills of a fake K/3 Cloud data center: Save with base-data and balance checks, Submit and
 * Audit state changes, and ExecuteBillQuery over FieldKeys and a FilterString. Written from the
 * WebAPI documentation and SDK sources, independently of the adapter, so the adapter's mistakes
 * (wrong reference key case, unknown field, unescaped filter, unbalanced voucher) show up here.
 */

export interface MasterData {
  orgs: string[]
  currencies: string[]
  rateTypes: string[]
  billTypes: string[]
  staff: Record<string, string>
  departments: Record<string, string>
  expenseItems: Record<string, string>
  accounts: Record<string, string>
  accountBooks: string[]
  voucherGroups: string[]
  materials: Record<string, string>
  suppliers: Record<string, string>
  units: string[]
}

/** A reference field: which base data it points to, and the exact key its object must use. */
type RefSpec = { master: keyof MasterData; key: string; label: string; required?: boolean }

interface FormSpec {
  label: string
  prefix: string
  idField: string
  entryKey: string
  header: Record<string, RefSpec>
  entry: Record<string, RefSpec>
  /** Scalar fields the form has (queryable); anything else in FieldKeys is MsgCode 9. */
  scalars: string[]
  required: string[]
}

const ref = (master: keyof MasterData, label: string, key = 'FNumber', required = true): RefSpec => ({ master, key, label, required })

export const FORM_SPECS: Record<string, FormSpec> = {
  ER_ExpReimbursement: {
    label: '费用报销单',
    prefix: 'FYBX',
    idField: 'FID',
    entryKey: 'FEntity',
    header: {
      FBillTypeID: ref('billTypes', '单据类型', 'FNUMBER'),
      FCurrencyID: ref('currencies', '币别', 'FNUMBER'),
      FLocCurrencyID: ref('currencies', '本位币', 'FNUMBER'),
      FExchangeTypeID: ref('rateTypes', '汇率类型', 'FNUMBER'),
      FOrgID: ref('orgs', '申请组织'),
      FExpenseOrgId: ref('orgs', '费用承担组织'),
      FPayOrgId: ref('orgs', '付款组织'),
      FProposerID: ref('staff', '申请人', 'FSTAFFNUMBER'),
      FRequestDeptID: ref('departments', '申请部门'),
      FExpenseDeptID: ref('departments', '费用承担部门'),
      FCONTACTUNIT: ref('staff', '往来单位'),
    },
    entry: { FExpID: ref('expenseItems', '费用项目'), FExpenseDeptEntryID: ref('departments', '费用承担部门', 'FNumber', false) },
    scalars: ['FDate', 'FCausa', 'FRequestType', 'FCONTACTUNITTYPE', 'FTaxSubmitAmt', 'FTaxAmt', 'FRemark'],
    required: ['FDate', 'FCausa'],
  },
  GL_VOUCHER: {
    label: '凭证',
    prefix: 'PZ',
    idField: 'FVOUCHERID',
    entryKey: 'FEntity',
    header: { FAccountBookID: ref('accountBooks', '账簿'), FVOUCHERGROUPID: ref('voucherGroups', '凭证字') },
    entry: { FACCOUNTID: ref('accounts', '科目编码'), FCURRENCYID: ref('currencies', '币别'), FEXCHANGERATETYPE: ref('rateTypes', '汇率类型') },
    scalars: ['FDate', 'FEXPLANATION', 'FAMOUNTFOR', 'FDEBIT', 'FCREDIT', 'FEXCHANGERATE', 'FVOUCHERGROUPNO'],
    required: ['FDate'],
  },
  PUR_Requisition: {
    label: '采购申请单',
    prefix: 'CGSQ',
    idField: 'FID',
    entryKey: 'FEntity',
    header: {
      FBillTypeID: ref('billTypes', '单据类型', 'FNUMBER'),
      FApplicationOrgId: ref('orgs', '申请组织'),
      FApplicantId: ref('staff', '申请人', 'FSTAFFNUMBER'),
      FApplicationDeptId: ref('departments', '申请部门', 'FNumber', false),
      FCurrencyId: ref('currencies', '币别'),
    },
    entry: {
      FMaterialId: ref('materials', '物料编码'),
      FUnitId: ref('units', '申请单位'),
      FRequireOrgId: ref('orgs', '需求组织'),
      FPurchaseOrgId: ref('orgs', '采购组织'),
      FReceiveOrgId: ref('orgs', '收料组织'),
      FSuggestSupplierId: ref('suppliers', '建议供应商', 'FNumber', false),
    },
    scalars: ['FApplicationDate', 'FRequestType', 'FNote', 'FReqQty', 'FEvaluatePrice', 'FArrivalDate', 'FEntryNote'],
    required: ['FApplicationDate', 'FRequestType'],
  },
  PUR_PurchaseOrder: {
    label: '采购订单',
    prefix: 'CGDD',
    idField: 'FID',
    entryKey: 'FPOOrderEntry',
    header: { FBillTypeID: ref('billTypes', '单据类型', 'FNUMBER'), FSupplierId: ref('suppliers', '供应商'), FPurchaseOrgId: ref('orgs', '采购组织') },
    entry: { FMaterialId: ref('materials', '物料编码'), FUnitId: ref('units', '采购单位'), FRequireOrgId: ref('orgs', '需求组织'), FReceiveOrgId: ref('orgs', '收料组织') },
    scalars: ['FDate', 'FNote', 'FQty', 'FTaxPrice', 'FEntryTaxRate', 'FDeliveryDate', 'FEntryNote'],
    required: ['FDate'],
  },
}

export interface StoredBill {
  formId: string
  id: number
  number: string
  status: 'A' | 'B' | 'C' | 'D'
  model: Record<string, unknown>
}

export class BillError extends Error {
  constructor(
    message: string,
    readonly msgCode: number,
    readonly fieldName: string | null = null,
  ) {
    super(message)
  }
}

export class K3Bills {
  readonly bills: StoredBill[] = []
  private nextId = 100_001
  private readonly counters = new Map<string, number>()

  constructor(readonly master: MasterData) {}

  save(formId: string, data: Record<string, unknown>): StoredBill {
    const spec = specOf(formId)
    const model = data.Model as Record<string, unknown> | undefined
    if (!model || typeof model !== 'object') throw new BillError('data 数据包中的参数 Model 的值不能为空', 8)
    const needs = String(data.IsVerifyBaseDataField ?? 'false').toLowerCase() === 'true'
    for (const field of spec.required) {
      if (model[field] === undefined || model[field] === '') throw new BillError(`字段“${field}”是必录项。`, 11, field)
    }
    this.checkRefs(spec.header, model, needs)
    const entries = model[spec.entryKey]
    if (!Array.isArray(entries) || entries.length === 0) throw new BillError(`单据体“${spec.entryKey}”至少需要一行数据。`, 11, spec.entryKey)
    for (const entry of entries as Record<string, unknown>[]) this.checkRefs(spec.entry, entry, needs)
    if (formId === 'GL_VOUCHER') checkBalanced(entries as Record<string, unknown>[])
    if (formId === 'ER_ExpReimbursement') {
      for (const entry of entries as Record<string, unknown>[]) {
        if (!(Number(entry.FTaxSubmitAmt) > 0)) throw new BillError('申请报销金额必须大于0。', 11, 'FTaxSubmitAmt')
      }
    }
    const sequence = (this.counters.get(spec.prefix) ?? 0) + 1
    this.counters.set(spec.prefix, sequence)
    const bill: StoredBill = { formId, id: this.nextId++, number: `${spec.prefix}${String(sequence).padStart(6, '0')}`, status: 'A', model }
    this.bills.push(bill)
    return bill
  }

  /** Submit or Audit by `Ids` ("1,2") or `Numbers` (["X"]). */
  operate(operation: 'Submit' | 'Audit', formId: string, data: Record<string, unknown>): StoredBill[] {
    const spec = specOf(formId)
    const ids = typeof data.Ids === 'string' && data.Ids ? data.Ids.split(',').map((s) => Number(s.trim())) : null
    const numbers = Array.isArray(data.Numbers) ? (data.Numbers as string[]) : null
    if (!ids && !numbers) throw new BillError('data 数据包中的参数 Ids 或 Numbers 的值不能为空', 8)
    const targets = this.bills.filter((b) => b.formId === formId && (ids ? ids.includes(b.id) : numbers!.includes(b.number)))
    if (targets.length === 0) throw new BillError(`未找到要${operation === 'Submit' ? '提交' : '审核'}的${spec.label}。`, 11)
    for (const bill of targets) {
      if (operation === 'Submit') {
        if (bill.status !== 'A' && bill.status !== 'D') throw new BillError(`单据编号为“${bill.number}”的${spec.label}，单据已经提交！`, 11)
        bill.status = 'B'
      } else {
        if (bill.status === 'C') throw new BillError(`单据编号为“${bill.number}”的${spec.label}，单据已经审核！`, 11)
        if (bill.status !== 'B') throw new BillError(`单据编号为“${bill.number}”的${spec.label}，单据未提交，不能审核！`, 11)
        bill.status = 'C'
      }
    }
    return targets
  }

  /** ExecuteBillQuery: one row per bill, or per entry line when an entry field is asked for. */
  query(data: Record<string, unknown>): unknown[][] {
    const formId = String(data.FormId ?? '')
    const spec = specOf(formId)
    const keys = String(data.FieldKeys ?? '').split(',').map((k) => k.trim()).filter(Boolean)
    if (keys.length === 0) throw new BillError('data 数据包中的参数 FieldKeys 的值不能为空', 8)
    const entryFields = new Set([...Object.keys(spec.entry), ...spec.scalars.filter((s) => isEntryScalar(formId, s))])
    for (const key of keys) {
      if (!knownField(spec, key)) throw new BillError(`元数据中标识为 ${key} 的字段不存在`, 9)
    }
    const conditions = parseFilter(String(data.FilterString ?? ''), spec)
    const perEntry = [...keys, ...conditions.map((c) => c.field)].some((k) => entryFields.has(k))
    const rows: unknown[][] = []
    for (const bill of this.bills.filter((b) => b.formId === formId)) {
      const lines = perEntry ? ((bill.model[spec.entryKey] as Record<string, unknown>[]) ?? []) : [undefined]
      for (const line of lines) {
        const value = (field: string) => fieldValue(spec, bill, line, field)
        if (conditions.every((c) => c.test(value(c.field)))) rows.push(keys.map(value))
      }
    }
    const top = Number(data.TopRowCount ?? 0)
    return top > 0 ? rows.slice(0, top) : rows
  }

  private checkRefs(specs: Record<string, RefSpec>, values: Record<string, unknown>, verify: boolean): void {
    for (const [field, spec] of Object.entries(specs)) {
      const value = values[field]
      if (value === undefined) {
        if (spec.required) throw new BillError(`字段“${spec.label}”是必录项。`, 11, field)
        continue
      }
      const code = value && typeof value === 'object' ? (value as Record<string, unknown>)[spec.key] : undefined
      if (typeof code !== 'string' || !code) throw new BillError(`字段“${spec.label}”的值格式不正确，应为 {"${spec.key}": "编码"}。`, 11, field)
      const known = this.master[spec.master]
      const exists = Array.isArray(known) ? known.includes(code) : code in known
      if (verify && !exists) throw new BillError(`“${spec.label}”字段的值“${code}”不存在，或未审核、已禁用。`, 11, field)
    }
  }
}

function specOf(formId: string): FormSpec {
  const spec = FORM_SPECS[formId]
  if (!spec) throw new BillError(`标识为“${formId}”的业务对象不存在，或者被删除`, 4)
  return spec
}

function isEntryScalar(formId: string, field: string): boolean {
  const entryScalars: Record<string, string[]> = {
    ER_ExpReimbursement: ['FTaxSubmitAmt', 'FTaxAmt', 'FRemark'],
    GL_VOUCHER: ['FEXPLANATION', 'FAMOUNTFOR', 'FDEBIT', 'FCREDIT', 'FEXCHANGERATE'],
    PUR_Requisition: ['FReqQty', 'FEvaluatePrice', 'FArrivalDate', 'FEntryNote'],
    PUR_PurchaseOrder: ['FQty', 'FTaxPrice', 'FEntryTaxRate', 'FDeliveryDate', 'FEntryNote'],
  }
  return entryScalars[formId]?.includes(field) ?? false
}

function knownField(spec: FormSpec, field: string): boolean {
  return [spec.idField, 'FBillNo', 'FDocumentStatus', ...Object.keys(spec.header), ...Object.keys(spec.entry), ...spec.scalars].includes(field)
}

function fieldValue(spec: FormSpec, bill: StoredBill, line: Record<string, unknown> | undefined, field: string): unknown {
  if (field === spec.idField) return bill.id
  if (field === 'FBillNo') return bill.number
  if (field === 'FDocumentStatus') return bill.status
  const raw = field in (line ?? {}) ? line![field] : bill.model[field]
  const refSpec = spec.header[field] ?? spec.entry[field]
  return refSpec && raw && typeof raw === 'object' ? (raw as Record<string, unknown>)[refSpec.key] : (raw ?? null)
}

function checkBalanced(lines: Record<string, unknown>[]): void {
  const sum = (key: string) => Math.round(lines.reduce((total, l) => total + Number(l[key] ?? 0), 0) * 100)
  if (sum('FDEBIT') !== sum('FCREDIT')) throw new BillError('凭证借贷方金额不平衡，不能保存。', 11, 'FEntity')
  if (sum('FDEBIT') === 0) throw new BillError('凭证金额不能为零。', 11, 'FEntity')
}

type Condition = { field: string; test: (value: unknown) => boolean }

/** `F = 'v'` and `F LIKE 'pattern'` joined by AND; strings use SQL quoting ('' is a quote). */
function parseFilter(filter: string, spec: FormSpec): Condition[] {
  if (!filter.trim()) return []
  const conditions: Condition[] = []
  const clause = /^\s*(F\w+)\s+(=|LIKE)\s+'((?:[^']|'')*)'\s*(?:AND\s+|$)/i
  let rest = filter
  while (rest.trim()) {
    const match = clause.exec(rest)
    if (!match) throw new BillError(`GetRealExpress error: 过滤条件“${filter}”不正确`, 4)
    const [whole, field, op, quoted] = match as unknown as [string, string, string, string]
    if (!knownField(spec, field)) throw new BillError(`元数据中标识为 ${field} 的字段不存在`, 9)
    const literal = quoted.replace(/''/g, "'")
    conditions.push({ field, test: op === '=' ? (v) => String(v ?? '') === literal : likeMatcher(literal) })
    rest = rest.slice(whole.length)
  }
  return conditions
}

function likeMatcher(pattern: string): (value: unknown) => boolean {
  // SQL Server LIKE: % any run, _ any one character, [..] a character class.
  let source = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '%') source += '.*'
    else if (c === '_') source += '.'
    else if (c === '[') {
      const end = pattern.indexOf(']', i)
      if (end < 0) throw new BillError(`GetRealExpress error: LIKE 模式“${pattern}”不正确`, 4)
      source += `[${pattern.slice(i + 1, end).replace(/\\/g, '\\\\')}]`
      i = end
    } else source += c.replace(/[.*+?^${}()|\\\]]/g, '\\$&')
  }
  const regex = new RegExp(`^${source}$`, 's')
  return (value) => regex.test(String(value ?? ''))
}
