import { ErpError, type ErpAction, type ErpAdapter, type ErpCallOptions, type ErpDocument } from '../../erp-adapter.js'
import type { MappingPolicy } from '../../mapping/mapping-policy.js'
import { KingdeeClient } from './kingdee-client.js'
import { kingdeeConfigSchema, type KingdeeConfig, type KingdeeConfigInput } from './kingdee-config.js'
import {
  carriesMarker,
  configuredForms,
  markerFilter,
  orderModel,
  reimbursementModel,
  requisitionModel,
  voucherModel,
  type KingdeeForm,
} from './kingdee-mapping.js'

/**
 * 金蝶云·星空 over its WebAPI. An expense becomes a 费用报销单 or a 凭证, a purchase request a 采购申请单
 * or a 采购订单, each saved, submitted and audited (the request was approved in our workflow).
 * Save, Submit and Audit are separate calls, so every post first looks for the marker with
 * ExecuteBillQuery and finishes whatever an interrupted attempt left: a saved bill is submitted, a
 * submitted one audited. Nothing is saved twice for one key.
 */
export class KingdeeAdapter implements ErpAdapter {
  readonly name = 'kingdee'
  readonly mappingPolicy: MappingPolicy
  private readonly config: KingdeeConfig
  private readonly client: KingdeeClient
  private readonly forms: { expense: KingdeeForm; purchase: KingdeeForm }

  constructor(config: KingdeeConfigInput) {
    this.config = kingdeeConfigSchema.parse(config)
    this.client = new KingdeeClient(this.config)
    this.forms = configuredForms(this.config)
    this.mappingPolicy = kingdeePolicy(this.config)
  }

  async post(action: ErpAction, idempotencyKey: string, { signal }: ErpCallOptions = {}): Promise<ErpDocument> {
    switch (action.kind) {
      case 'expense.voucher': {
        const model = this.config.expense.document === 'reimbursement' ? reimbursementModel(action, idempotencyKey, this.config) : voucherModel(action, idempotencyKey, this.config)
        return this.postBill(this.forms.expense, model, idempotencyKey, signal)
      }
      case 'purchase.requisition': {
        const model = this.config.purchase.document === 'requisition' ? requisitionModel(action, idempotencyKey, this.config) : orderModel(action, idempotencyKey, this.config)
        return this.postBill(this.forms.purchase, model, idempotencyKey, signal)
      }
      case 'hr.change':
        throw new ErpError('permanent', '金蝶云·星空对接不处理人事变动（调岗、离职），请在金蝶人力模块中手工办理。The Kingdee integration does not post HR changes.', action.kind)
      case 'project.create':
        throw new ErpError('permanent', '金蝶云·星空对接不处理立项申请，请在金蝶中手工建立项目。The Kingdee integration does not create projects.', action.kind)
    }
  }

  /** Only finished bills count: a bill an interrupted post left unaudited is finished by the next post. */
  async find(idempotencyKey: string, { signal }: ErpCallOptions = {}): Promise<ErpDocument | null> {
    for (const form of [this.forms.expense, this.forms.purchase]) {
      const bill = await this.findBill(form, idempotencyKey, signal)
      if (bill && (!this.config.autoAudit || bill.status === 'C')) return { documentNo: bill.number }
    }
    return null
  }

  async testConnection(): Promise<{ ok: true; detail: string }> {
    await this.client.login()
    const forms = [this.forms.expense, this.forms.purchase]
    // Asking for the marker fields makes a form or field the tenant lacks fail here, not on the first post.
    for (const form of forms) {
      await this.client.billQuery({ FormId: form.formId, FieldKeys: `${form.idField},${form.numberField},${form.markerField}`, FilterString: '', TopRowCount: 1, Limit: 1 })
    }
    const reachable = forms.map((f) => `${f.label} ${f.formId}（标记字段 ${f.markerField}）`).join('、')
    return { ok: true, detail: `金蝶云·星空 ${this.config.url}，账套 ${this.config.acctId}，用户 ${this.config.username}；可查询 ${reachable}` }
  }

  private async postBill(form: KingdeeForm, model: Record<string, unknown>, key: string, signal: AbortSignal | undefined): Promise<ErpDocument> {
    let bill = await this.findBill(form, key, signal)
    if (!bill) {
      const saved = await this.client.save(
        form.formId,
        {
          Model: model,
          NeedReturnFields: [form.numberField],
          IsDeleteEntry: 'true',
          IsVerifyBaseDataField: 'true',
          ValidateFlag: 'true',
          NumberSearch: 'true',
          IsAutoSubmitAndAudit: 'false',
        },
        signal,
      )
      bill = { ...saved, status: 'A' }
    }
    if (this.config.autoAudit) {
      // A 创建 (A) or 重新审核 (D) bill is submitted, a 审核中 (B) one audited; C is done.
      if (bill.status === 'A' || bill.status === 'D') {
        await this.client.operate('Submit', form.formId, [bill.id], signal)
        bill.status = 'B'
      }
      if (bill.status === 'B') {
        await this.client.operate('Audit', form.formId, [bill.id], signal)
        bill.status = 'C'
      }
    }
    return { documentNo: bill.number }
  }

  private async findBill(form: KingdeeForm, key: string, signal: AbortSignal | undefined): Promise<Bill | null> {
    const rows = await this.client.billQuery(
      {
        FormId: form.formId,
        FieldKeys: `${form.idField},${form.numberField},FDocumentStatus,${form.markerField}`,
        FilterString: markerFilter(form.markerField, key),
      },
      signal,
    )
    const bills = rows
      .filter((row) => carriesMarker(row[3], key))
      .map((row): Bill => ({ id: String(row[0]), number: String(row[1]), status: String(row[2]) }))
    // A voucher comes back once per entry line; should a key ever sit on two bills, report the furthest along.
    bills.sort((a, b) => STATUS_RANK.indexOf(b.status) - STATUS_RANK.indexOf(a.status))
    return bills[0] ?? null
  }
}

/**
 * What each document needs mapped: 报销单 and 采购申请单 name the employee (员工编码), vouchers the
 * category's account unless the settings list them, every purchase the material. Our 工号 and the
 * department's cost centre count as Kingdee codes when nothing is mapped.
 */
function kingdeePolicy(config: KingdeeConfig): MappingPolicy {
  const { expense, purchase } = config
  const expenseKinds =
    expense.document === 'reimbursement'
      ? (['employee', 'department'] as const)
      : [...(Object.keys(expense.expenseAccounts).length ? [] : (['expense_category'] as const)), ...(expense.employeeFlexField ? (['employee'] as const) : [])]
  return {
    required: {
      'expense.voucher': expenseKinds,
      'purchase.requisition': purchase.document === 'requisition' ? ['employee', 'purchase_item'] : ['purchase_item', 'supplier'],
    },
    masterCodes: ['department', 'employee'],
  }
}

type Bill = { id: string; number: string; status: string }
/** FDocumentStatus: Z 暂存, A 创建, D 重新审核, B 审核中, C 已审核. */
const STATUS_RANK = ['Z', 'A', 'D', 'B', 'C']
