import {
  ErpError,
  type ErpAction,
  type ErpAdapter,
  type ErpCallOptions,
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

  constructor(config: TrytonConfigInput) {
    this.config = trytonConfigSchema.parse(config)
    this.client = new TrytonClient(this.config)
  }

  async post(action: ErpAction, idempotencyKey: string, { signal }: ErpCallOptions = {}): Promise<ErpDocument> {
    switch (action.kind) {
      case 'expense.voucher':
        return this.postExpenseVoucher(action, idempotencyKey, signal)
      case 'purchase.requisition':
        return this.postRequisition(action, idempotencyKey, signal)
      case 'project.create':
        return this.postProject(action, idempotencyKey, signal)
      case 'hr.change':
        return this.postHrChange(action, idempotencyKey, signal)
    }
  }

  /** Only finished documents count: a draft left by an interrupted post is completed by the next post. */
  async find(idempotencyKey: string, { signal }: ErpCallOptions = {}): Promise<ErpDocument | null> {
    const [move, requisition, project, note] = await Promise.all([
      this.findMove(idempotencyKey, signal),
      this.findRequisition(idempotencyKey, signal),
      this.findProject(idempotencyKey, signal),
      this.findNote(idempotencyKey, signal),
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
    const company = await new TrytonMasterData(this.client, this.config).company()
    const [record] = await this.client.read<{ rec_name: string }>('company.company', [company.id], ['rec_name'])
    return { ok: true, detail: `Tryton ${version}，数据库 ${this.config.database}，用户 ${this.config.username}，公司 ${record?.rec_name ?? company.id}` }
  }

  private async postExpenseVoucher(action: ExpenseVoucherAction, key: string, signal: AbortSignal | undefined): Promise<ErpDocument> {
    checkClaimAmount(action)
    let move = await this.findMove(key, signal)
    if (!move) {
      const accountCode = this.config.expenseAccounts[action.category]
      if (!accountCode) {
        throw new ErpError('permanent', `未配置映射：费用类别 ${categoryLabel(action.category)} → Tryton 科目。No Tryton account for expense category ${action.category}.`)
      }
      const masterData = new TrytonMasterData(this.client, this.config, signal)
      const company = await masterData.company()
      const partyId = await masterData.party(action.employee)
      const [journalId, periodId, expenseAccount, payableAccount] = await Promise.all([
        masterData.journal(),
        masterData.openPeriod(company.id, action.date),
        masterData.account(accountCode, company.id, `费用类别 ${categoryLabel(action.category)}`),
        this.config.payableAccount
          ? masterData.account(this.config.payableAccount, company.id, '应付员工款')
          : masterData.partyPayable(partyId, action.employee.name, company.id),
      ])
      const refs = { companyId: company.id, journalId, periodId, employeePartyId: partyId, expenseAccount, payableAccount }
      const [id] = await this.client.create('account.move', [expenseMoveValues(action, key, refs)], signal)
      move = { id: id!, state: 'draft', post_number: null, description: key }
    }
    if (move.state !== 'posted') {
      await this.client.call('account.move', 'post', [[move.id]], signal)
      move = (await this.client.read<MoveRow>('account.move', [move.id], MOVE_FIELDS, signal))[0]!
    }
    return { documentNo: move.post_number! }
  }

  private async postRequisition(action: PurchaseAction, key: string, signal: AbortSignal | undefined): Promise<ErpDocument> {
    checkQuantityAndBudget(action)
    let requisition = await this.findRequisition(key, signal)
    if (!requisition) {
      const masterData = new TrytonMasterData(this.client, this.config, signal)
      const company = await masterData.company()
      const [employeeId, warehouseId, product, supplierId] = await Promise.all([
        masterData.employee(action.requester, company.id),
        masterData.warehouse(),
        action.materialCode ? masterData.product(action.materialCode) : undefined,
        action.supplierCode ? masterData.supplier(action.supplierCode) : undefined,
      ])
      const unitId = product?.unitId ?? (await masterData.unit())
      const refs = { companyId: company.id, employeeId, warehouseId, currencyId: company.currencyId, unitId, productId: product?.id, supplierId }
      const [id] = await this.client.create('purchase.requisition', [requisitionValues(action, key, refs)], signal)
      requisition = { id: id!, state: 'draft', number: '', description: key }
    }
    // The request was approved in our workflow, so it goes through Tryton's approval too.
    if (requisition.state === 'draft') await this.client.call('purchase.requisition', 'wait', [[requisition.id]], signal)
    if (requisition.state === 'draft' || requisition.state === 'waiting') {
      await this.client.call('purchase.requisition', 'approve', [[requisition.id]], signal)
      requisition = (await this.client.read<RequisitionRow>('purchase.requisition', [requisition.id], REQUISITION_FIELDS, signal))[0]!
    }
    if (requisition.state === 'rejected' || requisition.state === 'cancelled') {
      throw new ErpError('permanent', `Tryton 中的采购申请 ${requisition.number} 已被${requisition.state === 'rejected' ? '拒绝' : '取消'}。The requisition was ${requisition.state} in Tryton.`)
    }
    return { documentNo: requisition.number }
  }

  private async postProject(action: ProjectAction, key: string, signal: AbortSignal | undefined): Promise<ErpDocument> {
    const existing = await this.findProject(key, signal)
    if (existing) return { documentNo: `project.work,${existing.id}` }
    const company = await new TrytonMasterData(this.client, this.config, signal).company()
    const [id] = await this.client.create('project.work', [projectValues(action, key, company.id)], signal)
    return { documentNo: `project.work,${id}` }
  }

  /**
   * Tryton's employee record has start and end dates and a supervisor, but no department. A
   * resignation sets the end date; both changes leave a note on the employee, which is where the
   * key lives. A transfer cannot be applied, so it is a note only when the admin asked for that.
   */
  private async postHrChange(action: HrChangeAction, key: string, signal: AbortSignal | undefined): Promise<ErpDocument> {
    const existing = await this.findNote(key, signal)
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
    const masterData = new TrytonMasterData(this.client, this.config, signal)
    const company = await masterData.company()
    const employeeId = await masterData.employee(action.employee, company.id)
    if (action.change === 'resign') {
      await this.client.write('company.employee', [employeeId], { end_date: trytonDate(action.effectiveDate) }, signal)
    }
    const [noteId] = await this.client.create('ir.note', [{ resource: `company.employee,${employeeId}`, message: hrNoteMessage(action, key) }], signal)
    return { documentNo: `ir.note,${noteId}` }
  }

  private async findMove(key: string, signal: AbortSignal | undefined): Promise<MoveRow | undefined> {
    const rows = await this.client.searchRead<MoveRow>('account.move', [['description', 'like', keyPattern(key)]], MOVE_FIELDS, null, signal)
    return rows.find((row) => carriesKey(row.description, key))
  }

  private async findRequisition(key: string, signal: AbortSignal | undefined): Promise<RequisitionRow | undefined> {
    const rows = await this.client.searchRead<RequisitionRow>('purchase.requisition', [['description', 'like', keyPattern(key)]], REQUISITION_FIELDS, null, signal)
    return rows.find((row) => carriesKey(row.description, key))
  }

  private async findProject(key: string, signal: AbortSignal | undefined): Promise<{ id: number } | undefined> {
    const rows = await this.client.searchRead<{ id: number; comment: string | null }>(
      'project.work',
      [['type', '=', 'project'], ['comment', 'like', keyPattern(key)]],
      ['comment'],
      null,
      signal,
    )
    return rows.find((row) => carriesKey(row.comment, key))
  }

  private async findNote(key: string, signal: AbortSignal | undefined): Promise<{ id: number } | undefined> {
    const rows = await this.client.searchRead<{ id: number; message: string | null }>(
      'ir.note',
      [['message', 'like', keyPattern(key)]],
      ['message'],
      null,
      signal,
    )
    return rows.find((row) => carriesKey(row.message, key))
  }
}

type MoveRow = { id: number; state: string; post_number: string | null; description: string | null }
const MOVE_FIELDS = ['state', 'post_number', 'description']
type RequisitionRow = { id: number; state: string; number: string; description: string | null }
const REQUISITION_FIELDS = ['state', 'number', 'description']
