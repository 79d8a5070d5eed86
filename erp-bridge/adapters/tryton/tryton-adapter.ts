import {
  ErpError,
  type ErpAction,
  type ErpAdapter,
  type ErpDocument,
  type ExpenseVoucherAction,
  type HrChangeAction,
  type ProjectAction,
  type PurchaseAction,
} from '../../erp-adapter.js'
import { categoryLabel, checkClaimAmount, checkQuantityAndBudget } from '../document-values.js'
import { TrytonClient, trytonDate } from './tryton-client.js'
import { trytonConfigSchema, type TrytonConfig, type TrytonConfigInput } from './tryton-config.js'
import {
  carriesKey,
  expenseMoveValues,
  hrNoteMessage,
  keyPattern,
  projectValues,
  requisitionValues,
} from './tryton-mapping.js'
import { TrytonMasterData } from './tryton-master-data.js'

/**
 * Tryton over JSON-RPC. Each action becomes the record Tryton itself uses for it: a posted
 * account.move, an approved purchase.requisition, a project.work, a change on company.employee.
 * Every call is its own transaction in Tryton, so each post first looks for the key and finishes
 * whatever an interrupted earlier attempt left half done.
 */
export class TrytonAdapter implements ErpAdapter {
  readonly name = 'tryton'
  private readonly config: TrytonConfig
  private readonly client: TrytonClient
  private readonly masterData: TrytonMasterData

  constructor(config: TrytonConfigInput) {
    this.config = trytonConfigSchema.parse(config)
    this.client = new TrytonClient(this.config)
    this.masterData = new TrytonMasterData(this.client, this.config)
  }

  async post(action: ErpAction, idempotencyKey: string): Promise<ErpDocument> {
    switch (action.kind) {
      case 'expense.voucher':
        return this.postExpenseVoucher(action, idempotencyKey)
      case 'purchase.requisition':
        return this.postRequisition(action, idempotencyKey)
      case 'project.create':
        return this.postProject(action, idempotencyKey)
      case 'hr.change':
        return this.postHrChange(action, idempotencyKey)
    }
  }

  /** Only finished documents count: a draft left by an interrupted post is completed by the next post. */
  async find(idempotencyKey: string): Promise<ErpDocument | null> {
    const [move, requisition, project, note] = await Promise.all([
      this.findMove(idempotencyKey),
      this.findRequisition(idempotencyKey),
      this.findProject(idempotencyKey),
      this.findNote(idempotencyKey),
    ])
    if (move?.state === 'posted') return { documentNo: move.post_number! }
    if (requisition && requisition.state !== 'draft' && requisition.state !== 'waiting') return { documentNo: requisition.number }
    if (project) return { documentNo: `project.work,${project.id}` }
    if (note) return { documentNo: `ir.note,${note.id}` }
    return null
  }

  async testConnection(): Promise<{ ok: true; detail: string }> {
    const version = await this.client.serverVersion()
    await this.client.login()
    const company = await this.masterData.company()
    const [record] = await this.client.read<{ rec_name: string }>('company.company', [company.id], ['rec_name'])
    return { ok: true, detail: `Tryton ${version}，数据库 ${this.config.database}，用户 ${this.config.username}，公司 ${record?.rec_name ?? company.id}` }
  }

  private async postExpenseVoucher(action: ExpenseVoucherAction, key: string): Promise<ErpDocument> {
    checkClaimAmount(action)
    let move = await this.findMove(key)
    if (!move) {
      const accountCode = this.config.expenseAccounts[action.category]
      if (!accountCode) {
        throw new ErpError('permanent', `未配置映射：费用类别 ${categoryLabel(action.category)} → Tryton 科目。No Tryton account for expense category ${action.category}.`)
      }
      const company = await this.masterData.company()
      const partyId = await this.masterData.party(action.employee)
      const [journalId, periodId, expenseAccount, payableAccount] = await Promise.all([
        this.masterData.journal(),
        this.masterData.openPeriod(company.id, action.date),
        this.masterData.account(accountCode, company.id, `费用类别 ${categoryLabel(action.category)}`),
        this.config.payableAccount
          ? this.masterData.account(this.config.payableAccount, company.id, '应付员工款')
          : this.masterData.partyPayable(partyId, action.employee.name, company.id),
      ])
      const refs = { companyId: company.id, journalId, periodId, employeePartyId: partyId, expenseAccount, payableAccount }
      const [id] = await this.client.create('account.move', [expenseMoveValues(action, key, refs)])
      move = { id: id!, state: 'draft', post_number: null, description: key }
    }
    if (move.state !== 'posted') {
      await this.client.call('account.move', 'post', [[move.id]])
      move = (await this.client.read<MoveRow>('account.move', [move.id], MOVE_FIELDS))[0]!
    }
    return { documentNo: move.post_number! }
  }

  private async postRequisition(action: PurchaseAction, key: string): Promise<ErpDocument> {
    checkQuantityAndBudget(action)
    let requisition = await this.findRequisition(key)
    if (!requisition) {
      const company = await this.masterData.company()
      const [employeeId, warehouseId, product, supplierId] = await Promise.all([
        this.masterData.employee(action.requester, company.id),
        this.masterData.warehouse(),
        action.materialCode ? this.masterData.product(action.materialCode) : undefined,
        action.supplierCode ? this.masterData.supplier(action.supplierCode) : undefined,
      ])
      const unitId = product?.unitId ?? (await this.masterData.unit())
      const refs = { companyId: company.id, employeeId, warehouseId, currencyId: company.currencyId, unitId, productId: product?.id, supplierId }
      const [id] = await this.client.create('purchase.requisition', [requisitionValues(action, key, refs)])
      requisition = { id: id!, state: 'draft', number: '', description: key }
    }
    // The request was approved in our workflow, so it goes through Tryton's approval too.
    if (requisition.state === 'draft') await this.client.call('purchase.requisition', 'wait', [[requisition.id]])
    if (requisition.state === 'draft' || requisition.state === 'waiting') {
      await this.client.call('purchase.requisition', 'approve', [[requisition.id]])
      requisition = (await this.client.read<RequisitionRow>('purchase.requisition', [requisition.id], REQUISITION_FIELDS))[0]!
    }
    if (requisition.state === 'rejected' || requisition.state === 'cancelled') {
      throw new ErpError('permanent', `Tryton 中的采购申请 ${requisition.number} 已被${requisition.state === 'rejected' ? '拒绝' : '取消'}。The requisition was ${requisition.state} in Tryton.`)
    }
    return { documentNo: requisition.number }
  }

  private async postProject(action: ProjectAction, key: string): Promise<ErpDocument> {
    const existing = await this.findProject(key)
    if (existing) return { documentNo: `project.work,${existing.id}` }
    const company = await this.masterData.company()
    const [id] = await this.client.create('project.work', [projectValues(action, key, company.id)])
    return { documentNo: `project.work,${id}` }
  }

  /**
   * Tryton's employee record has start and end dates and a supervisor, but no department. A
   * resignation sets the end date; both changes leave a note on the employee, which is where the
   * key lives. A transfer cannot be applied, so it is a note only when the admin asked for that.
   */
  private async postHrChange(action: HrChangeAction, key: string): Promise<ErpDocument> {
    const existing = await this.findNote(key)
    if (existing) return { documentNo: `ir.note,${existing.id}` }
    if (action.change === 'transfer') {
      if (!action.toDepartment) throw new ErpError('permanent', '调岗申请缺少转入部门。The transfer names no department.')
      if (!this.config.recordTransferAsNote) {
        throw new ErpError(
          'permanent',
          `Tryton 的员工档案没有部门，调岗（${action.employee.name} → ${action.toDepartment.name}）无法写入 Tryton；请在 Tryton 中手工处理，或在连接设置中开启"调岗记为员工备注"。Tryton employees have no department, so a transfer cannot be posted.`,
        )
      }
    }
    const company = await this.masterData.company()
    const employeeId = await this.masterData.employee(action.employee, company.id)
    if (action.change === 'resign') {
      await this.client.write('company.employee', [employeeId], { end_date: trytonDate(action.effectiveDate) })
    }
    const [noteId] = await this.client.create('ir.note', [{ resource: `company.employee,${employeeId}`, message: hrNoteMessage(action, key) }])
    return { documentNo: `ir.note,${noteId}` }
  }

  private async findMove(key: string): Promise<MoveRow | undefined> {
    const rows = await this.client.searchRead<MoveRow>('account.move', [['description', 'like', keyPattern(key)]], MOVE_FIELDS)
    return rows.find((row) => carriesKey(row.description, key))
  }

  private async findRequisition(key: string): Promise<RequisitionRow | undefined> {
    const rows = await this.client.searchRead<RequisitionRow>('purchase.requisition', [['description', 'like', keyPattern(key)]], REQUISITION_FIELDS)
    return rows.find((row) => carriesKey(row.description, key))
  }

  private async findProject(key: string): Promise<{ id: number } | undefined> {
    const rows = await this.client.searchRead<{ id: number; comment: string | null }>(
      'project.work',
      [['type', '=', 'project'], ['comment', 'like', keyPattern(key)]],
      ['comment'],
    )
    return rows.find((row) => carriesKey(row.comment, key))
  }

  private async findNote(key: string): Promise<{ id: number } | undefined> {
    const rows = await this.client.searchRead<{ id: number; message: string | null }>(
      'ir.note',
      [['message', 'like', keyPattern(key)]],
      ['message'],
    )
    return rows.find((row) => carriesKey(row.message, key))
  }
}

type MoveRow = { id: number; state: string; post_number: string | null; description: string | null }
const MOVE_FIELDS = ['state', 'post_number', 'description']
type RequisitionRow = { id: number; state: string; number: string; description: string | null }
const REQUISITION_FIELDS = ['state', 'number', 'description']
