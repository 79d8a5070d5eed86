import { ErpError, type ErpAction, type ErpAdapter, type ErpCallOptions, type ErpDocument, type ExpenseVoucherAction, type PurchaseAction } from '../../erp-adapter.js'
import type { MappingPolicy } from '../../mapping/mapping-policy.js'
import { checkClaimAmount, checkQuantityAndBudget } from '../document-values.js'
import { SapClient } from './sap-client.js'
import { sapAuth, sapConfigSchema, type SapConfig, type SapConfigInput } from './sap-config.js'
import { journalEntryRejected } from './sap-errors.js'
import {
  JOURNAL_ENTRY_SOAP_ACTION,
  journalEntryEnvelope,
  odataLiteral,
  purchaseOrderBody,
  readJournalEntryConfirmation,
  requisitionBody,
  fitsReference,
  sapReference,
} from './sap-mapping.js'

const REQUISITIONS = 'API_PURCHASEREQ_PROCESS_SRV'
const ORDERS = 'API_PURCHASEORDER_PROCESS_SRV'
/** "Operational Journal Entry Item - Read (A2X)", published for Cloud and on-premise; filterable by DocumentReferenceID. */
const JOURNAL_ITEMS = 'API_OPLACCTGDOCITEMCUBE_SRV'

/**
 * SAP S/4HANA: expense vouchers become journal entries through the synchronous SOAP service
 * JournalEntryBulkCreateRequest; purchase requests become purchase requisitions (OData deep
 * insert), and with `purchasing.document: order` also a purchase order that references the
 * requisition. SAP has no idempotent create on these APIs (the RequestID/Repeatability headers
 * work only where a service enables them, which is not documented for these), so the key goes into
 * a searchable field (DocumentReferenceID; PurReqnDescription) and every post looks it up first.
 */
export class SapAdapter implements ErpAdapter {
  readonly name = 'sap'
  readonly mappingPolicy: MappingPolicy
  private readonly config: SapConfig
  private readonly client: SapClient

  constructor(config: SapConfigInput) {
    this.config = sapConfigSchema.parse(config)
    this.client = new SapClient({ ...this.config, auth: sapAuth(this.config) })
    this.mappingPolicy = {
      required: {
        'expense.voucher': ['expense_category', 'department'],
        'purchase.requisition': this.config.purchasing.document === 'order' ? ['department', 'supplier'] : ['department'],
      },
      masterCodes: ['department'],
    }
  }

  async post(action: ErpAction, idempotencyKey: string, { signal }: ErpCallOptions = {}): Promise<ErpDocument> {
    switch (action.kind) {
      case 'expense.voucher':
        return this.postJournalEntry(action, idempotencyKey, signal)
      case 'purchase.requisition':
        return this.postPurchase(action, idempotencyKey, signal)
      case 'hr.change':
        throw new ErpError(
          'permanent',
          'SAP 连接不处理人事变动：S/4HANA 的员工主数据在 HCM 或 SuccessFactors 中，本系统未对接，请在 SAP 中手工办理。SAP HR changes are not supported by this connection.',
        )
      case 'project.create':
        throw new ErpError('permanent', 'SAP 连接不创建项目：请在 SAP 中手工立项，或把立项改为过账到其他系统。Creating projects in SAP is not supported by this connection.')
    }
  }

  /** A journal entry, or the purchase order (when orders are on) else the requisition, posted under the key. */
  async find(idempotencyKey: string, { signal }: ErpCallOptions = {}): Promise<ErpDocument | null> {
    const [entry, requisition] = await Promise.all([this.findJournalEntry(idempotencyKey, signal), this.findRequisition(idempotencyKey, signal)])
    if (entry) return entry
    if (!requisition) return null
    if (this.config.purchasing.document === 'requisition') return { documentNo: requisition }
    const order = await this.findOrder(requisition, signal)
    return order ? { documentNo: order } : null
  }

  async testConnection(): Promise<{ ok: true; detail: string }> {
    // A CSRF fetch proves the credentials and that each OData service we write to is active.
    const services = this.config.purchasing.document === 'order' ? [REQUISITIONS, ORDERS, JOURNAL_ITEMS] : [REQUISITIONS, JOURNAL_ITEMS]
    for (const service of services) await this.client.fetchCsrfToken(service)
    return { ok: true, detail: `SAP ${this.config.url}，公司代码 ${this.config.companyCode}，服务 ${services.join('、')} 可用。SAP services reachable.` }
  }

  private async postJournalEntry(action: ExpenseVoucherAction, key: string, signal: AbortSignal | undefined): Promise<ErpDocument> {
    checkClaimAmount(action)
    if (!action.accountCode) {
      throw new ErpError('permanent', `未配置映射：费用类别 ${action.category} → SAP 总账科目。No G/L account is mapped for this expense category.`)
    }
    const existing = await this.findJournalEntry(key, signal)
    if (existing) return existing
    const envelope = journalEntryEnvelope(action, key, action.accountCode, this.config, new Date())
    const confirmation = readJournalEntryConfirmation(await this.client.soap(this.config.journalEntryPath, JOURNAL_ENTRY_SOAP_ACTION, envelope, signal))
    if (confirmation.maxSeverity >= 3 || !/[1-9]/.test(confirmation.accountingDocument)) {
      throw journalEntryRejected(confirmation.notes.filter((n) => n.severity >= 3))
    }
    return { documentNo: `${confirmation.accountingDocument}/${confirmation.fiscalYear}` }
  }

  private async postPurchase(action: PurchaseAction, key: string, signal: AbortSignal | undefined): Promise<ErpDocument> {
    checkQuantityAndBudget(action)
    const ordering = this.config.purchasing.document === 'order'
    if (ordering && !action.supplierCode) {
      throw new ErpError('permanent', `未配置映射：供应商 → SAP 供应商编号；SAP 采购订单必须有供应商。A purchase order needs a mapped supplier.`)
    }
    let requisition = await this.findRequisition(key, signal)
    if (!requisition) {
      const created = await this.client.odataCreate<{ PurchaseRequisition: string }>(REQUISITIONS, 'A_PurchaseRequisitionHeader', requisitionBody(action, key, this.config), signal)
      requisition = created.PurchaseRequisition
    }
    if (!ordering) return { documentNo: requisition }
    // A requisition left without its order by an interrupted post gets the order now.
    const existingOrder = await this.findOrder(requisition, signal)
    if (existingOrder) return { documentNo: existingOrder }
    const order = await this.client.odataCreate<{ PurchaseOrder: string }>(ORDERS, 'A_PurchaseOrder', purchaseOrderBody(action, action.supplierCode!, requisition, this.config), signal)
    return { documentNo: order.PurchaseOrder }
  }

  private async findJournalEntry(key: string, signal: AbortSignal | undefined): Promise<ErpDocument | null> {
    // A key too long for DocumentReferenceID was never posted as a journal entry.
    if (!fitsReference(key, 'journal')) return null
    const reference = sapReference(key, 'journal')
    // A reversal copies the reference of the entry it reverses, so only the original counts.
    const rows = await this.client.odataGet<{ AccountingDocument: string; FiscalYear: string }[]>(JOURNAL_ITEMS, 'A_OperationalAcctgDocItemCube', {
      $filter: `CompanyCode eq ${odataLiteral(this.config.companyCode)} and DocumentReferenceID eq ${odataLiteral(reference)} and IsReversal eq false`,
      $select: 'AccountingDocument,FiscalYear',
      $top: '1',
    }, signal)
    const row = rows[0]
    return row ? { documentNo: `${row.AccountingDocument}/${row.FiscalYear}` } : null
  }

  private async findRequisition(key: string, signal: AbortSignal | undefined): Promise<string | null> {
    const rows = await this.client.odataGet<{ PurchaseRequisition: string }[]>(REQUISITIONS, 'A_PurchaseRequisitionHeader', {
      $filter: `PurReqnDescription eq ${odataLiteral(sapReference(key, 'requisition'))}`,
      $select: 'PurchaseRequisition',
      $top: '1',
    }, signal)
    return rows[0]?.PurchaseRequisition ?? null
  }

  private async findOrder(requisition: string, signal: AbortSignal | undefined): Promise<string | null> {
    const rows = await this.client.odataGet<{ PurchaseOrder: string }[]>(ORDERS, 'A_PurchaseOrderItem', {
      $filter: `PurchaseRequisition eq ${odataLiteral(requisition)}`,
      $select: 'PurchaseOrder',
      $top: '1',
    }, signal)
    return rows[0]?.PurchaseOrder ?? null
  }
}
