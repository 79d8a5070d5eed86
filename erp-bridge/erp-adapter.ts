/**
 * The ERP port. The outbox worker hands an adapter one approved action at a time, with an
 * idempotency key (derived from our request number) that the adapter stores in a searchable
 * field of the ERP document, so a retry after a timeout can find what was already posted.
 */
import type { MappingPolicy } from './mapping/mapping-policy.js'

export interface ErpParty {
  /** Our employee id and name. */
  id: string
  name: string
  /** The employee's code in the ERP, from master-data mapping when configured. */
  erpCode?: string
}

export interface ExpenseVoucherAction {
  kind: 'expense.voucher'
  requestNo: string
  /** Accounting date, YYYY-MM-DD (Asia/Shanghai). */
  date: string
  employee: ErpParty
  department: { id: string; name: string; costCenter?: string }
  category: string
  /** The ERP account for the category, from the mapping table; adapters with their own chart may go without. */
  accountCode?: string
  /** Integer fen; never floats. */
  amountFen: number
  memo: string
}

export interface PurchaseAction {
  kind: 'purchase.requisition'
  requestNo: string
  date: string
  requester: ErpParty
  department: { id: string; name: string; costCenter?: string }
  item: string
  quantity: number
  budgetFen: number
  materialCode?: string
  /** The ERP supplier the item is bought from, when one is mapped: the ERP may then raise a purchase order. */
  supplierCode?: string
  /** YYYY-MM-DD the goods are needed by, when the requester said. */
  neededBy?: string
  memo: string
}

export interface HrChangeAction {
  kind: 'hr.change'
  requestNo: string
  employee: ErpParty
  change: 'transfer' | 'resign'
  effectiveDate: string
  toDepartment?: { id: string; name: string; costCenter?: string }
  toPosition?: string
  /** The head of the department moved to, who becomes the supervisor. */
  newSupervisor?: ErpParty
  memo: string
}

export interface ProjectAction {
  kind: 'project.create'
  requestNo: string
  date: string
  title: string
  owner: ErpParty
  /** The owner's department: where the project's costs are carried. */
  department?: { id: string; name: string; costCenter?: string }
  budgetFen: number
  memo: string
}

export type ErpAction = ExpenseVoucherAction | PurchaseAction | HrChangeAction | ProjectAction

export interface ErpDocument {
  /** The ERP's own document number (voucher no, PO no, ...). */
  documentNo: string
}

export interface ErpCallOptions {
  /**
   * The outbox worker's fence: it aborts once the worker's claim on the row may have run out (by
   * the worker's own clock) or the row was handed back, when another worker may look the key up
   * and post it. From then on no call of this posting may start, and one under way is dropped; the
   * adapter reports that as `unknown`, since what it sent before may have landed.
   */
  signal?: AbortSignal
}

export interface ErpAdapter {
  readonly name: string
  /** What this ERP needs mapped before posting; without it nothing is required up front. */
  readonly mappingPolicy?: MappingPolicy
  /** Post the action; must not create a second document for a key it has already posted. */
  post(action: ErpAction, idempotencyKey: string, options?: ErpCallOptions): Promise<ErpDocument>
  /** The document earlier posted under this key, if any. */
  find(idempotencyKey: string, options?: ErpCallOptions): Promise<ErpDocument | null>
  testConnection(): Promise<{ ok: true; detail: string }>
}

/**
 * transient: worth retrying (outage, timeout, throttling); permanent: retrying cannot help
 * (validation, closed period, missing mapping); unknown: the call may or may not have landed.
 */
export type ErpFailureKind = 'transient' | 'permanent' | 'unknown'

export class ErpError extends Error {
  constructor(
    readonly kind: ErpFailureKind,
    /** A sentence a finance person understands, Chinese first. */
    readonly userMessage: string,
    readonly detail?: string,
  ) {
    super(`${userMessage}${detail ? ` (${detail})` : ''}`)
    this.name = 'ErpError'
  }
}
