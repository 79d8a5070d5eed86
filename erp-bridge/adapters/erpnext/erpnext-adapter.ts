import { ErpError, type ErpAction, type ErpAdapter, type ErpCallOptions, type ErpDocument, type ExpenseVoucherAction, type PurchaseAction } from '../../erp-adapter.js'
import type { MappingPolicy } from '../../mapping/mapping-policy.js'
import { categoryLabel, checkClaimAmount, checkQuantityAndBudget } from '../document-values.js'
import { ErpNextClient } from './erpnext-client.js'
import { erpnextConfigSchema, type ErpNextConfig, type ErpNextConfigInput } from './erpnext-config.js'
import { DOCTYPE, expenseClaimDoc, journalEntryDoc, materialRequestDoc, projectDoc, purchaseOrderDoc } from './erpnext-mapping.js'

type KeyedRow = { name: string; docstatus: number }

/**
 * ERPNext over Frappe's REST API. Expense vouchers become a submitted Journal Entry (or Expense
 * Claim), purchase requests a submitted Material Request (or Purchase Order), project requests a
 * Project. The key lives in a unique custom field: each post looks it up first, and a race that
 * loses to another worker shows up as the unique-field error and is answered with the winner.
 */
export class ErpNextAdapter implements ErpAdapter {
  readonly name = 'erpnext'
  readonly mappingPolicy: MappingPolicy
  private readonly config: ErpNextConfig
  private readonly client: ErpNextClient

  constructor(config: ErpNextConfigInput) {
    this.config = erpnextConfigSchema.parse(config)
    this.client = new ErpNextClient(this.config)
    const purchaseNeeds = [...(this.config.purchaseItem ? [] : (['purchase_item'] as const)), ...(this.config.purchaseDocument === 'purchase_order' ? (['supplier'] as const) : [])]
    this.mappingPolicy = {
      required: {
        'expense.voucher': this.config.expenseDocument === 'expense_claim' ? ['employee'] : ['expense_category', 'employee'],
        'purchase.requisition': purchaseNeeds,
      },
      masterCodes: ['department'],
    }
  }

  async post(action: ErpAction, idempotencyKey: string, { signal }: ErpCallOptions = {}): Promise<ErpDocument> {
    switch (action.kind) {
      case 'expense.voucher':
        return this.postExpense(action, idempotencyKey, signal)
      case 'purchase.requisition':
        return this.postPurchase(action, idempotencyKey, signal)
      case 'project.create':
        return this.postKeyed(DOCTYPE.project, idempotencyKey, () => projectDoc(action, idempotencyKey, this.config), signal, false)
      case 'hr.change':
        throw new ErpError('permanent', 'ERPNext 连接不处理人事变动（调岗/离职），请在 ERPNext HR 中手工办理。HR changes are not posted to ERPNext.')
    }
  }

  async find(idempotencyKey: string, { signal }: ErpCallOptions = {}): Promise<ErpDocument | null> {
    const found = await Promise.all(this.doctypes().map(async (doctype) => ({ doctype, row: await this.findKeyed(doctype, idempotencyKey, signal) })))
    const done = found.find(({ doctype, row }) => row && (row.docstatus === 1 || doctype === DOCTYPE.project))
    return done ? { documentNo: done.row!.name } : null
  }

  async testConnection(): Promise<{ ok: true; detail: string }> {
    const user = await this.client.method<string>('frappe.auth.get_logged_user')
    const doctypes = this.doctypes()
    const fields = await this.client.list<{ dt: string }>('Custom Field', [['dt', 'in', doctypes], ['fieldname', '=', this.config.keyField]], ['dt'], 50)
    const missing = doctypes.filter((d) => !fields.some((f) => f.dt === d))
    if (missing.length) {
      throw new ErpError('permanent', `ERPNext 缺少唯一自定义字段 ${this.config.keyField}：${missing.join('、')}。请用"自定义表单"添加（勾选"唯一"）。The key field is missing on these doctypes.`)
    }
    return { ok: true, detail: `ERPNext ${this.config.url}，用户 ${user}，公司 ${this.config.company}。ERPNext reachable.` }
  }

  private doctypes(): string[] {
    return [
      this.config.expenseDocument === 'expense_claim' ? DOCTYPE.expenseClaim : DOCTYPE.journalEntry,
      this.config.purchaseDocument === 'purchase_order' ? DOCTYPE.purchaseOrder : DOCTYPE.materialRequest,
      DOCTYPE.project,
    ]
  }

  private postExpense(action: ExpenseVoucherAction, key: string, signal: AbortSignal | undefined): Promise<ErpDocument> {
    checkClaimAmount(action)
    if (this.config.expenseDocument === 'journal_entry') {
      return this.postKeyed(DOCTYPE.journalEntry, key, () => {
        if (!action.accountCode) throw new ErpError('permanent', `未配置映射：费用类别 ${categoryLabel(action.category)} → ERPNext 科目。No ERPNext account is mapped.`)
        return journalEntryDoc(action, key, action.accountCode, this.config)
      }, signal)
    }
    return this.postKeyed(DOCTYPE.expenseClaim, key, () => {
      const expenseType = this.config.expenseClaimTypes[action.category]
      if (!expenseType) throw new ErpError('permanent', `未配置：费用类别 ${categoryLabel(action.category)} → ERPNext 报销类型（Expense Claim Type）。No expense claim type for this category.`)
      if (!action.employee.erpCode) throw new ErpError('permanent', `未配置映射：员工 ${action.employee.name} → ERPNext 员工编号。No ERPNext employee is mapped.`)
      return expenseClaimDoc(action, key, action.employee.erpCode, expenseType, this.config)
    }, signal)
  }

  private postPurchase(action: PurchaseAction, key: string, signal: AbortSignal | undefined): Promise<ErpDocument> {
    checkQuantityAndBudget(action)
    const ordering = this.config.purchaseDocument === 'purchase_order'
    return this.postKeyed(ordering ? DOCTYPE.purchaseOrder : DOCTYPE.materialRequest, key, () => {
      const itemCode = action.materialCode ?? this.config.purchaseItem
      if (!itemCode) throw new ErpError('permanent', `未配置映射：采购物品 ${action.item} → ERPNext 物料。No ERPNext item is mapped.`)
      if (!ordering) return materialRequestDoc(action, key, itemCode, this.config)
      if (!action.supplierCode) throw new ErpError('permanent', '未配置映射：供应商 → ERPNext 供应商；采购订单必须有供应商。A purchase order needs a mapped supplier.')
      return purchaseOrderDoc(action, key, itemCode, action.supplierCode, this.config)
    }, signal)
  }

  /** Looks the key up, submits a draft someone left, or inserts the document built by `build`. */
  private async postKeyed(doctype: string, key: string, build: () => Record<string, unknown>, signal: AbortSignal | undefined, submittable = true): Promise<ErpDocument> {
    const existing = await this.findKeyed(doctype, key, signal)
    if (existing) return this.finish(doctype, existing, submittable, signal)
    const result = await this.client.insert<KeyedRow>(doctype, build(), signal)
    if ('created' in result) return { documentNo: result.created.name }
    const winner = await this.findKeyed(doctype, key, signal)
    if (!winner) throw new ErpError('transient', `ERPNext 报告 ${doctype} 的编号 ${key} 重复，但查不到该单据，稍后会重试。Duplicate key reported but not found.`)
    return this.finish(doctype, winner, submittable, signal)
  }

  private async finish(doctype: string, row: KeyedRow, submittable: boolean, signal: AbortSignal | undefined): Promise<ErpDocument> {
    if (row.docstatus === 2) throw new ErpError('permanent', `ERPNext 中该单据已取消（${doctype} ${row.name}），请财务核对后处理。The document was cancelled in ERPNext.`)
    if (submittable && row.docstatus === 0) await this.client.update(doctype, row.name, { docstatus: 1 }, signal)
    return { documentNo: row.name }
  }

  private async findKeyed(doctype: string, key: string, signal: AbortSignal | undefined): Promise<KeyedRow | null> {
    const rows = await this.client.list<KeyedRow>(doctype, [[this.config.keyField, '=', key]], ['name', 'docstatus'], 1, signal)
    return rows[0] ?? null
  }
}
