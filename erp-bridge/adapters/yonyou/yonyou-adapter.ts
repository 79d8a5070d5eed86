import { companyDate } from '../../../workflow/shanghai-time.js'
import { ErpError, type ErpAction, type ErpAdapter, type ErpCallOptions, type ErpDocument, type ExpenseVoucherAction, type PurchaseAction } from '../../erp-adapter.js'
import type { MappingPolicy } from '../../mapping/mapping-policy.js'
import { YonyouClient } from './yonyou-client.js'
import { yonyouConfigSchema, type YonyouConfig, type YonyouConfigInput } from './yonyou-config.js'
import { DuplicateSubmission } from './yonyou-errors.js'
import { carriesMarker, expenseBillBody, marker, orderBody, PATHS, requisitionBody, voucherBody } from './yonyou-mapping.js'

/**
 * 用友 YonBIP / YonSuite over its OpenAPI. An expense becomes a 通用报销单 or a 总账凭证, a purchase
 * request a 请购单 or a 采购订单 (then submitted and audited). The MDD 幂等 APIs take resubmitCheckKey
 * and addVoucher a businessId, both derived from our key, so YonBIP itself refuses a second
 * document; we still look the key up first, and again when YonBIP reports a duplicate, because the
 * duplicate reply does not say which document the first submission created.
 */
export class YonyouAdapter implements ErpAdapter {
  readonly name = 'yonyou'
  readonly mappingPolicy: MappingPolicy
  private readonly config: YonyouConfig
  private readonly client: YonyouClient

  constructor(config: YonyouConfigInput) {
    this.config = yonyouConfigSchema.parse(config)
    this.client = new YonyouClient(this.config)
    this.mappingPolicy = yonyouPolicy(this.config)
  }

  async post(action: ErpAction, idempotencyKey: string, { signal }: ErpCallOptions = {}): Promise<ErpDocument> {
    switch (action.kind) {
      case 'expense.voucher':
        return this.config.expense.document === 'expenseBill' ? this.postExpenseBill(action, idempotencyKey, signal) : this.postVoucher(action, idempotencyKey, signal)
      case 'purchase.requisition':
        return this.postPurchase(this.config.purchase.document, action, idempotencyKey, signal)
      case 'hr.change':
        throw new ErpError('permanent', '用友对接不处理人事变动（调岗、离职），请在用友人力服务中手工办理。The YonBIP integration does not post HR changes.', action.kind)
      case 'project.create':
        throw new ErpError('permanent', '用友对接不处理立项申请，请在用友项目管理中手工建立项目。The YonBIP integration does not create projects.', action.kind)
    }
  }

  async find(idempotencyKey: string, { signal }: ErpCallOptions = {}): Promise<ErpDocument | null> {
    const expense = this.config.expense.document === 'expenseBill' ? await this.findExpenseBill(idempotencyKey, signal) : await this.findVoucher(idempotencyKey, this.recentPeriods(), signal)
    if (expense) return expense
    const purchase = await this.findPurchase(this.config.purchase.document, idempotencyKey, signal)
    return purchase && (!this.config.autoAudit || purchase.status === AUDITED) ? { documentNo: purchase.code } : null
  }

  async testConnection(): Promise<{ ok: true; detail: string }> {
    const { gatewayUrl } = await this.client.gateway()
    await this.client.accessToken()
    // A list call proves the app is authorised for the APIs it will post to.
    if (this.config.expense.document === 'expenseBill') await this.client.post(PATHS.expenseList, { pageIndex: 1, pageSize: 1 }, false)
    else {
      const [period] = this.recentPeriods()
      await this.client.post(PATHS.voucherQuery, { pager: { pageIndex: 1, pageSize: 1 }, accbookCode: this.config.expense.accountBook, periodStart: period, periodEnd: period }, false)
    }
    await this.client.post(`${PATHS[this.config.purchase.document]}/list`, { pageIndex: 1, pageSize: 1, isSum: true }, false)
    return { ok: true, detail: `用友 YonBIP 租户 ${this.config.tenantId}，网关 ${gatewayUrl}，应用 ${this.config.appKey} 已授权报销/凭证与采购接口` }
  }

  private async postExpenseBill(action: ExpenseVoucherAction, key: string, signal: AbortSignal | undefined): Promise<ErpDocument> {
    const body = expenseBillBody(action, key, this.config)
    const existing = await this.findExpenseBill(key, signal)
    if (existing) return existing
    const result = await this.saveOnce(() => this.client.post<{ code?: string }>(PATHS.expenseSave, body, true, signal), () => this.findExpenseBill(key, signal))
    return 'found' in result ? result.found : { documentNo: String(result.saved.code) }
  }

  private async postVoucher(action: ExpenseVoucherAction, key: string, signal: AbortSignal | undefined): Promise<ErpDocument> {
    const body = voucherBody(action, key, this.config)
    const period = action.date.slice(0, 7)
    const existing = await this.findVoucher(key, [period], signal)
    if (existing) return existing
    const result = await this.saveOnce(() => this.client.post<VoucherSaved>(PATHS.voucherAdd, body, true, signal), () => this.findVoucher(key, [period], signal))
    if ('found' in result) return result.found
    return { documentNo: voucherNo(result.saved.period ?? period, result.saved.billCode ?? result.saved.voucherId) }
  }

  private async postPurchase(kind: 'requisition' | 'order', action: PurchaseAction, key: string, signal: AbortSignal | undefined): Promise<ErpDocument> {
    const body = kind === 'requisition' ? requisitionBody(action, key, this.config) : orderBody(action, key, this.config)
    const base = PATHS[kind]
    let doc = await this.findPurchase(kind, key, signal)
    if (!doc) {
      const result = await this.saveOnce(() => this.client.post<PurchaseDoc>(`${base}/singleSave_v1`, body, true, signal), () => this.findPurchase(kind, key, signal))
      doc = 'found' in result ? result.found : { id: String(result.saved.id), code: String(result.saved.code), status: OPEN }
    }
    if (this.config.autoAudit) {
      // 0 开立 → batchsubmit → 3 审核中 → batchaudit → 1 已审核; a retry picks up where the last attempt stopped.
      if (doc.status === OPEN) {
        await this.batch(`${base}/batchsubmit`, doc.id, signal)
        doc.status = IN_REVIEW
      }
      if (doc.status === IN_REVIEW) {
        await this.batch(`${base}/batchaudit`, doc.id, signal)
        doc.status = AUDITED
      }
    }
    return { documentNo: doc.code }
  }

  /** Saves; when YonBIP reports a duplicate submission, finds what the first submission created instead. */
  private async saveOnce<T, F>(save: () => Promise<T>, lookup: () => Promise<F | null>): Promise<{ saved: T } | { found: F }> {
    try {
      return { saved: await save() }
    } catch (error) {
      if (!(error instanceof DuplicateSubmission)) throw error
      const found = await lookup()
      if (found) return { found }
      throw lostDuplicate(`${error.code} ${error.erpMessage}`)
    }
  }

  /** Batch submit/audit answer code 200 even when a row failed; failCount tells. */
  private async batch(path: string, id: string, signal: AbortSignal | undefined): Promise<void> {
    const result = await this.client.post<{ failCount?: number; messages?: unknown[] }>(path, { data: [{ id }] }, true, signal)
    if (Number(result?.failCount ?? 0) > 0) {
      const said = (result.messages ?? []).map((m) => (typeof m === 'string' ? m : String((m as { message?: string }).message ?? JSON.stringify(m)))).join('；')
      throw new ErpError('permanent', `用友拒绝了此单据：${said || '批量操作失败'}（YonBIP rejected the document）`, `${path}: failCount ${result.failCount}`)
    }
  }

  private async findExpenseBill(key: string, signal: AbortSignal | undefined): Promise<ErpDocument | null> {
    const page = await this.client.post<ListPage<{ code: string; vreason?: string }>>(PATHS.expenseList, { pageIndex: 1, pageSize: 20, vreason: marker(key) }, false, signal)
    const bill = (page?.recordList ?? []).find((r) => carriesMarker(r.vreason, key))
    return bill ? { documentNo: String(bill.code) } : null
  }

  private async findVoucher(key: string, periods: string[], signal: AbortSignal | undefined): Promise<ErpDocument | null> {
    if (this.config.expense.document !== 'voucher') return null
    const { accountBook } = this.config.expense
    for (const period of periods) {
      for (let pageIndex = 1; pageIndex <= 50; pageIndex++) {
        const pageSize = 100
        const page = await this.client.post<ListPage<{ header?: VoucherHeader }>>(PATHS.voucherQuery, { pager: { pageIndex, pageSize }, accbookCode: accountBook, periodStart: period, periodEnd: period }, false, signal)
        const hit = (page?.recordList ?? []).map((r) => r.header).find((h) => carriesMarker(h?.description, key))
        if (hit) return { documentNo: voucherNo(hit.period ?? period, hit.billCode ?? hit.id) }
        if (pageIndex * pageSize >= Number(page?.recordCount ?? 0)) break
      }
    }
    return null
  }

  private async findPurchase(kind: 'requisition' | 'order', key: string, signal: AbortSignal | undefined): Promise<PurchaseDoc | null> {
    const field = `headItem.${this.config.purchase.keyDefine}`
    const page = await this.client.post<ListPage<PurchaseRecord>>(`${PATHS[kind]}/list`, { pageIndex: 1, pageSize: 20, isSum: true, simpleVOs: [{ field, op: 'eq', value1: key }] }, false, signal)
    const record = (page?.recordList ?? []).find((r) => r.headItem?.[this.config.purchase.keyDefine] === key)
    return record ? { id: String(record.id), code: String(record.code), status: Number(record.status) } : null
  }

  /** The current period and the ones before it, in the company's time zone. */
  private recentPeriods(): string[] {
    const months = this.config.expense.document === 'voucher' ? this.config.expense.lookbackMonths : 1
    const [year, month] = companyDate(Date.now()).split('-').map(Number) as [number, number]
    return Array.from({ length: months }, (_, back) => {
      const index = year * 12 + (month - 1) - back
      return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`
    })
  }
}

/**
 * What each document needs mapped: the 报销单 names the employee and the department, vouchers the
 * category's account unless the settings list them, purchases the material (and the supplier for an
 * order). Our 工号 and the department's cost centre count as YonBIP codes when nothing is mapped.
 */
function yonyouPolicy(config: YonyouConfig): MappingPolicy {
  const { expense, purchase } = config
  const expenseKinds =
    expense.document === 'expenseBill'
      ? (['employee', 'department'] as const)
      : [...(Object.keys(expense.expenseAccounts).length ? [] : (['expense_category'] as const)), ...(expense.employeeAuxiliary ? (['employee'] as const) : [])]
  return {
    required: {
      'expense.voucher': expenseKinds,
      'purchase.requisition': purchase.document === 'requisition' ? ['purchase_item'] : ['purchase_item', 'supplier'],
    },
    masterCodes: ['department', 'employee'],
  }
}

const OPEN = 0
const AUDITED = 1
const IN_REVIEW = 3

type ListPage<R> = { recordCount?: number; recordList?: R[] }
type PurchaseRecord = { id: string | number; code: string; status: number | string; headItem?: Record<string, unknown> }
type PurchaseDoc = { id: string; code: string; status: number }
type VoucherSaved = { voucherId?: string; billCode?: string | number; period?: string }
type VoucherHeader = { id?: string; billCode?: string | number; period?: string; description?: string }

function voucherNo(period: string, billCode: unknown): string {
  return `${period} 第${String(billCode)}号`
}

function lostDuplicate(detail: string): ErpError {
  return new ErpError('unknown', '用友报告该单据已提交过，但暂时查不到已生成的单据，需要核对后再重试（YonBIP reports a duplicate it cannot show yet）', detail)
}
