import { ErpError, type ErpAction, type ErpAdapter, type ErpCallOptions, type ErpDocument, type ExpenseVoucherAction, type PurchaseAction } from '../../erp-adapter.js'
import { joinShared } from '../../erp-fetch.js'
import type { MappingPolicy } from '../../mapping/mapping-policy.js'
import { checkClaimAmount, checkQuantityAndBudget } from '../document-values.js'
import { OdooClient } from './odoo-client.js'
import { odooConfigSchema, type OdooConfig, type OdooConfigInput } from './odoo-config.js'
import { carriesKey, employeeExpenseValues, journalEntryValues, keyPrefixPattern, purchaseOrderValues } from './odoo-mapping.js'

type MoveRow = { id: number; name: string; state: string }
type OrderRow = { id: number; name: string; state: string }
type ExpenseRow = { id: number; name: string }

/**
 * Odoo over JSON-RPC (≤ 18) or JSON-2 (19+). An expense voucher becomes a posted account.move
 * (or an hr.expense, by setting); a purchase request becomes a purchase.order, confirmed by
 * button_confirm. Every call is its own transaction in Odoo, so each post first searches the key
 * and finishes what an interrupted attempt left: it posts a draft entry, confirms a draft order.
 */
export class OdooAdapter implements ErpAdapter {
  readonly name = 'odoo'
  readonly mappingPolicy: MappingPolicy
  private readonly config: OdooConfig
  private readonly client: OdooClient
  private models: Promise<Set<string>> | null = null

  constructor(config: OdooConfigInput) {
    this.config = odooConfigSchema.parse(config)
    this.client = new OdooClient(this.config)
    this.mappingPolicy = {
      required: {
        'expense.voucher': this.config.expenseDocument === 'employee_expense' ? ['employee'] : ['expense_category'],
        'purchase.requisition': this.config.purchaseProduct ? ['supplier'] : ['supplier', 'purchase_item'],
      },
      masterCodes: ['department'],
    }
  }

  async post(action: ErpAction, idempotencyKey: string, { signal }: ErpCallOptions = {}): Promise<ErpDocument> {
    switch (action.kind) {
      case 'expense.voucher':
        return this.config.expenseDocument === 'employee_expense' ? this.postEmployeeExpense(action, idempotencyKey, signal) : this.postJournalEntry(action, idempotencyKey, signal)
      case 'purchase.requisition':
        return this.postPurchaseOrder(action, idempotencyKey, signal)
      case 'hr.change':
        throw new ErpError('permanent', 'Odoo 连接不处理人事变动（调岗/离职），请在 Odoo 员工档案中手工办理。HR changes are not posted to Odoo.')
      case 'project.create':
        throw new ErpError('permanent', 'Odoo 连接不创建项目，请在 Odoo 项目应用中手工立项。Projects are not posted to Odoo.')
    }
  }

  async find(idempotencyKey: string, { signal }: ErpCallOptions = {}): Promise<ErpDocument | null> {
    const models = await this.installedModels(signal)
    if (this.config.expenseDocument === 'journal_entry') {
      const move = await this.findMove(idempotencyKey, signal)
      if (move?.state === 'posted') return { documentNo: move.name }
    } else if (models.has('hr.expense')) {
      const expense = await this.findExpense(idempotencyKey, signal)
      if (expense) return { documentNo: `hr.expense,${expense.id}` }
    }
    if (models.has('purchase.order')) {
      const order = await this.findOrder(idempotencyKey, signal)
      if (order && (!this.config.confirmPurchaseOrders || order.state === 'purchase' || order.state === 'done')) return { documentNo: order.name }
    }
    return null
  }

  async testConnection(): Promise<{ ok: true; detail: string }> {
    const { major, api } = await this.client.describe()
    const context = await this.client.call<{ uid?: number }>('res.users', 'context_get')
    const models = await this.installedModels(undefined)
    const missing = ['account.move', this.config.expenseDocument === 'employee_expense' ? 'hr.expense' : null, 'purchase.order'].filter((m): m is string => !!m && !models.has(m))
    if (missing.length) throw new ErpError('permanent', `Odoo 缺少模块：${missing.join('、')}，请安装会计/费用/采购应用。Missing Odoo apps.`)
    if (this.config.expenseDocument === 'journal_entry') await this.journalId(undefined)
    return { ok: true, detail: `Odoo ${major}（${api === 'json2' ? 'JSON-2' : 'JSON-RPC'}），数据库 ${this.config.database}，用户 #${context.uid ?? '?'}。Odoo reachable.` }
  }

  private async postJournalEntry(action: ExpenseVoucherAction, key: string, signal: AbortSignal | undefined): Promise<ErpDocument> {
    checkClaimAmount(action)
    let move = await this.findMove(key, signal)
    if (!move) {
      if (!action.accountCode) throw new ErpError('permanent', `未配置映射：费用类别 ${action.category} → Odoo 科目。No Odoo account is mapped for this category.`)
      if (!this.config.employeePayableAccount) throw new ErpError('permanent', 'Odoo 连接设置缺少"应付员工科目"（employeePayableAccount）。The employee payable account is not set.')
      const [{ major }, journalId, expenseAccountId, payableAccountId, analyticId] = await Promise.all([
        this.client.describe(),
        this.journalId(signal),
        this.codeId('account.account', action.accountCode, `科目 ${action.accountCode}`, signal),
        this.codeId('account.account', this.config.employeePayableAccount, `应付员工科目 ${this.config.employeePayableAccount}`, signal),
        this.analyticId(action.department.costCenter, signal),
      ])
      const [id] = await this.client.call<number[]>('account.move', 'create', { vals_list: [journalEntryValues(action, key, { journalId, expenseAccountId, payableAccountId, analyticId }, major)] }, signal)
      move = { id: id!, name: '/', state: 'draft' }
    }
    if (move.state === 'cancel') throw new ErpError('permanent', `Odoo 中该凭证已取消（${move.name}），请财务核对后处理。The entry was cancelled in Odoo.`)
    if (move.state === 'draft') {
      await this.client.call('account.move', 'action_post', { ids: [move.id] }, signal)
      move = (await this.client.call<MoveRow[]>('account.move', 'read', { ids: [move.id], fields: ['name', 'state'] }, signal))[0]!
    }
    return { documentNo: move.name }
  }

  private async postEmployeeExpense(action: ExpenseVoucherAction, key: string, signal: AbortSignal | undefined): Promise<ErpDocument> {
    checkClaimAmount(action)
    const existing = await this.findExpense(key, signal)
    if (existing) return { documentNo: `hr.expense,${existing.id}` }
    if (!action.employee.erpCode) throw new ErpError('permanent', `未配置映射：员工 ${action.employee.name} → Odoo 员工。No Odoo employee is mapped.`)
    const [{ major }, employeeId, productId, accountId, analyticId] = await Promise.all([
      this.client.describe(),
      this.codeId('hr.employee', action.employee.erpCode, `员工 ${action.employee.name}（${action.employee.erpCode}）`, signal, this.config.employeeCodeField),
      this.codeId('product.product', this.config.expenseProduct, `费用产品 ${this.config.expenseProduct}`, signal, 'default_code'),
      action.accountCode ? this.codeId('account.account', action.accountCode, `科目 ${action.accountCode}`, signal) : undefined,
      this.analyticId(action.department.costCenter, signal),
    ])
    const [id] = await this.client.call<number[]>('hr.expense', 'create', { vals_list: [employeeExpenseValues(action, key, { employeeId, productId, accountId, analyticId }, major)] }, signal)
    return { documentNo: `hr.expense,${id}` }
  }

  private async postPurchaseOrder(action: PurchaseAction, key: string, signal: AbortSignal | undefined): Promise<ErpDocument> {
    checkQuantityAndBudget(action)
    let order = await this.findOrder(key, signal)
    if (!order) {
      if (!action.supplierCode) throw new ErpError('permanent', '未配置映射：供应商 → Odoo 供应商；Odoo 采购订单必须有供应商。A purchase order needs a mapped supplier.')
      const productCode = action.materialCode ?? this.config.purchaseProduct
      if (!productCode) throw new ErpError('permanent', `未配置映射：采购物品 ${action.item} → Odoo 产品。No Odoo product is mapped for this item.`)
      const [partnerId, productId] = await Promise.all([
        this.codeId('res.partner', action.supplierCode, `供应商 ${action.supplierCode}`, signal, 'ref'),
        this.codeId('product.product', productCode, `产品 ${productCode}`, signal, 'default_code'),
      ])
      const [id] = await this.client.call<number[]>('purchase.order', 'create', { vals_list: [purchaseOrderValues(action, key, { partnerId, productId })] }, signal)
      order = { id: id!, name: '', state: 'draft' }
    }
    if (order.state === 'cancel') throw new ErpError('permanent', `Odoo 中该采购订单已取消（${order.name}）。The purchase order was cancelled in Odoo.`)
    if (this.config.confirmPurchaseOrders && (order.state === 'draft' || order.state === 'sent')) {
      await this.client.call('purchase.order', 'button_confirm', { ids: [order.id] }, signal)
    }
    if (!order.name) order = (await this.client.call<OrderRow[]>('purchase.order', 'read', { ids: [order.id], fields: ['name', 'state'] }, signal))[0]!
    return { documentNo: order.name }
  }

  private async findMove(key: string, signal: AbortSignal | undefined): Promise<MoveRow | undefined> {
    const rows = await this.client.call<MoveRow[]>('account.move', 'search_read', { domain: [['ref', '=', key], ['move_type', '=', 'entry']], fields: ['name', 'state'], limit: 1 }, signal)
    return rows[0]
  }

  private async findExpense(key: string, signal: AbortSignal | undefined): Promise<ExpenseRow | undefined> {
    const rows = await this.client.call<ExpenseRow[]>('hr.expense', 'search_read', { domain: [['name', '=like', keyPrefixPattern(key)]], fields: ['name'] }, signal)
    return rows.find((row) => carriesKey(row.name, key))
  }

  private async findOrder(key: string, signal: AbortSignal | undefined): Promise<OrderRow | undefined> {
    const rows = await this.client.call<OrderRow[]>('purchase.order', 'search_read', { domain: [['origin', '=', key]], fields: ['name', 'state'], limit: 1 }, signal)
    return rows[0]
  }

  /** Asked once, for every posting. */
  private installedModels(signal: AbortSignal | undefined): Promise<Set<string>> {
    return joinShared(signal, 'ir.model.search_read', () =>
      (this.models ??= this.client
        .call<{ model: string }[]>('ir.model', 'search_read', { domain: [['model', 'in', ['account.move', 'hr.expense', 'purchase.order']]], fields: ['model'] })
        .then((rows) => new Set(rows.map((r) => r.model)))
        .catch((error: unknown) => {
          this.models = null
          throw error
        })),
    )
  }

  private journalId(signal: AbortSignal | undefined): Promise<number> {
    return this.codeId('account.journal', this.config.journalCode, `日记账 ${this.config.journalCode}`, signal)
  }

  private async analyticId(costCenter: string | undefined, signal: AbortSignal | undefined): Promise<number | undefined> {
    return costCenter ? this.codeId('account.analytic.account', costCenter, `分析账户（成本中心）${costCenter}`, signal) : undefined
  }

  /** The one record whose code field holds this code; a missing one is a mapping problem, said plainly. */
  private async codeId(model: string, code: string, label: string, signal: AbortSignal | undefined, field = 'code'): Promise<number> {
    const rows = await this.client.call<{ id: number }[]>(model, 'search_read', { domain: [[field, '=', code]], fields: ['id'], limit: 2 }, signal)
    if (rows.length === 1) return rows[0]!.id
    throw new ErpError(
      'permanent',
      rows.length ? `Odoo 中有多个${label}，无法确定用哪一个。More than one ${model} has ${field} ${code}.` : `Odoo 中找不到${label}，请检查映射或在 Odoo 中创建。No ${model} with ${field} ${code} in Odoo.`,
    )
  }
}
