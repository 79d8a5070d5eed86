import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'

/**
 * The typed schema. Timestamps are epoch milliseconds (BIGINT) and money is integer fen, so both
 * dialects store and return exactly the same values. JSON documents are TEXT, parsed at the edge.
 */
export interface DepartmentTable {
  id: string
  name: string
  parent_id: string | null
  head_user_id: string | null
  cost_center: string | null
  created_at: number
}

export interface UserTable {
  id: string
  employee_no: string
  name: string
  department_id: string
  manager_id: string | null
  title: string | null
  level: number
  /** JSON array of role names. */
  roles: string
  mobile: string | null
  email: string | null
  active: number
  created_at: number
}

export interface UserIdentityTable {
  platform: string
  external_id: string
  user_id: string
  created_at: number
}

export interface RequestTable {
  id: string
  request_no: string | null
  type: string
  requester_id: string
  title: string
  /** JSON of the request type's payload (category, period, amountFen, ...). */
  payload: string
  amount_fen: number
  status: string
  /** JSON of the resolved approval route (steps with approvers and reasons). */
  route: string
  current_step: number
  version: number
  created_at: number
  submitted_at: number | null
  updated_at: number
  finished_at: number | null
  /** The flow template version the request started with; it keeps using it. */
  template_version: number | null
  /** Bumped by every return and resubmit: earlier approvals no longer de-duplicate. */
  round: Generated<number>
  /** The round the current route was built in (submit/resubmit): older tasks belong to an older route. */
  route_round: Generated<number>
  /** JSON array of policy findings (code, severity, message, fix) from the last check. */
  policy_findings: string | null
  /** JSON array of routing decisions that added no step (a branch not taken, …). */
  routing_notes: string | null
  /** YYYY-MM-DD the cost or event belongs to (company zone), for monthly caps. */
  occurred_on: string | null
  last_urged_at: number | null
}

export interface ApprovalTaskTable {
  id: string
  request_id: string
  step: number
  approver_id: string
  status: string
  comment: string | null
  decided_at: number | null
  created_at: number
  round: Generated<number>
  /** Set when the task went to a stand-in (代理): the approver the route named. */
  delegated_from: string | null
  /** Set when the system decided (de-duplication, timeout): why. */
  auto_reason: string | null
  remind_at: number | null
  reminded_at: number | null
  /** When the step's timeout action (approve/reject/escalate) applies. */
  due_at: number | null
}

export interface CounterTable {
  name: string
  value: number
}

export interface CardTable {
  id: string
  request_id: string
  recipient_id: string
  /** requester | approver: decides what the recipient sees and may tap. */
  audience: string
  platform: string
  message_id: string
  created_at: number
  updated_at: number
}

export interface ConversationTable {
  user_id: string
  state: string
  expires_at: number
  updated_at: number
}

export interface InboundEventTable {
  platform: string
  event_id: string
  received_at: number
}

export interface AuditLogTable {
  id: Generated<number>
  at: number
  actor_id: string | null
  action: string
  entity_type: string
  entity_id: string
  before_state: string | null
  after_state: string | null
  /** Position in the hash chain (1, 2, …); null only while a row is being appended. */
  seq: number | null
  prev_hash: string | null
  /** SHA-256 over the row's content and prev_hash. */
  hash: string | null
}

export interface AuditChainTable {
  id: string
  seq: number
  last_hash: string
}

export interface FlowTemplateTable {
  id: string
  type: string
  version: number
  name: string
  /** JSON of the FlowDefinition. */
  definition: string
  created_at: number
  created_by: string | null
}

export interface DelegationTable {
  id: string
  principal_id: string
  delegate_id: string
  starts_at: number
  /** Exclusive. */
  ends_at: number
  reason: string | null
  created_at: number
  revoked_at: number | null
}

export interface PolicyTable {
  code: string
  kind: string
  /** block | warn */
  severity: string
  /** JSON of the rule's parameters. */
  params: string
  active: number
  updated_at: number
}

export interface RequestInvoiceTable {
  /** Normalised invoice identity: the 20-digit number, or code-number for older invoices. */
  invoice_key: string
  request_id: string
  created_at: number
}

export interface RequestCommentTable {
  id: string
  request_id: string
  author_id: string
  text: string
  at: number
}

export interface OutboxTable {
  id: string
  request_id: string
  action_kind: string
  idempotency_key: string
  /** JSON of the ErpAction. */
  payload: string
  status: string
  attempts: number
  next_attempt_at: number
  locked_until: number | null
  last_error: string | null
  document_no: string | null
  /** x-request-id of the callback that approved the request (migration 0008); optional on insert. */
  trace_id: ColumnType<string | null, string | null | undefined, string | null>
  created_at: number
  updated_at: number
}

export interface LedgerAccountTable {
  code: string
  name: string
  kind: string
}

export interface LedgerVoucherTable {
  id: string
  voucher_no: string
  external_key: string
  request_no: string
  voucher_date: string
  memo: string
  created_at: number
}

export interface LedgerLineTable {
  id: Generated<number>
  voucher_id: string
  line_no: number
  account_code: string
  partner: string | null
  debit_fen: number
  credit_fen: number
  cost_center: string | null
}

/** A configured ERP; at most one is active. Secrets are sealed, never stored in `settings`. */
export interface ErpConnectionTable {
  id: string
  name: string
  adapter: string
  /** JSON of the adapter's non-secret settings. */
  settings: string
  /** AES-GCM sealed JSON of the secret settings. */
  secrets: string | null
  active: number
  last_tested_at: number | null
  last_test_ok: number | null
  last_test_detail: string | null
  created_at: number
  updated_at: number
}

/** Our master data (employee, department, expense category, item, supplier) → the ERP's code. */
export interface ErpMappingTable {
  kind: string
  local_key: string
  erp_code: string
  erp_name: string | null
  updated_at: number
}

/** The built-in ledger's register of approved non-accounting documents (requisitions, HR changes, projects). */
export interface LedgerDocumentTable {
  id: string
  document_no: string
  external_key: string
  request_no: string
  kind: string
  document_date: string
  /** JSON of the recorded action. */
  content: string
  created_at: number
}

export interface SimMessageTable {
  id: Generated<number>
  user_id: string
  /** in: typed by the user; out: sent by the bot. */
  direction: string
  text: string | null
  /** JSON of the rendered card, updated in place. */
  card: string | null
  at: number
}

/** A file sent to the bot (receipt photo, e-invoice PDF/XML); the bytes live in the attachment store. */
export interface AttachmentTable {
  id: string
  owner_id: string
  request_id: string | null
  platform: string
  name: string
  mime_type: string
  size_bytes: number
  sha256: string
  storage_key: string
  /** invoice | manual */
  reading: string
  reading_note: string | null
  /** JSON of the invoice read from the file. */
  invoice: string | null
  /** Normalised invoice identity, as in request_invoices. */
  invoice_key: string | null
  created_at: number
  linked_at: number | null
}

/** Settings an admin changes at run time (company tax ids, pilot departments); value is JSON. */
export interface AppSettingTable {
  name: string
  value: string
  updated_at: number
  updated_by: string | null
}

/** An LLM's short summary of a long request, shown to approvers as AI text; never read by the workflow. */
export interface RequestSummaryTable {
  request_id: string
  summary: string
  /** SHA-256 (hex) of the text summarised: a summary of an older text is not shown. */
  text_sha256: string
  model: string
  created_at: number
}

/**
 * An outbound chat message the platform refused for a while (429, 5xx, no answer), kept until it goes
 * out (bot/delivery). Deleted once delivered.
 */
export interface ChatDeliveryTable {
  id: string
  /** text | card | card_update */
  kind: string
  platform: string
  recipient_id: string | null
  /** A request card (row in `cards`): re-rendered at every try. */
  card_id: string | null
  /** For a card update: the platform message the card is in. */
  message_id: string | null
  /** The text, or the card's JSON as first tried. */
  body: string | null
  /** Feishu's `uuid`: the same at every try, so a send that landed unseen is not repeated. */
  idempotency_key: string
  /** `update:<card id>` for card updates: one row per card. */
  coalesce_key: string | null
  generation: Generated<number>
  /** pending | sending | failed | dead */
  status: string
  attempts: Generated<number>
  next_attempt_at: number
  locked_until: number | null
  last_error: string | null
  created_at: number
  updated_at: number
}

export interface Schema {
  departments: DepartmentTable
  users: UserTable
  user_identities: UserIdentityTable
  requests: RequestTable
  approval_tasks: ApprovalTaskTable
  counters: CounterTable
  cards: CardTable
  conversations: ConversationTable
  inbound_events: InboundEventTable
  audit_log: AuditLogTable
  audit_chain: AuditChainTable
  flow_templates: FlowTemplateTable
  delegations: DelegationTable
  policies: PolicyTable
  request_invoices: RequestInvoiceTable
  request_comments: RequestCommentTable
  outbox: OutboxTable
  ledger_accounts: LedgerAccountTable
  ledger_vouchers: LedgerVoucherTable
  ledger_lines: LedgerLineTable
  ledger_documents: LedgerDocumentTable
  erp_connections: ErpConnectionTable
  erp_mappings: ErpMappingTable
  sim_messages: SimMessageTable
  attachments: AttachmentTable
  app_settings: AppSettingTable
  request_summaries: RequestSummaryTable
  chat_deliveries: ChatDeliveryTable
}

export type UserRow = Selectable<UserTable>
export type DepartmentRow = Selectable<DepartmentTable>
export type RequestRow = Selectable<RequestTable>
export type ApprovalTaskRow = Selectable<ApprovalTaskTable>
export type OutboxRow = Selectable<OutboxTable>
export type CardRow = Selectable<CardTable>
export type ErpConnectionRow = Selectable<ErpConnectionTable>
export type ErpMappingRow = Selectable<ErpMappingTable>
export type NewAuditEntry = Insertable<AuditLogTable>
export type RequestUpdate = Updateable<RequestTable>
export type AttachmentRow = Selectable<AttachmentTable>
export type ChatDeliveryRow = Selectable<ChatDeliveryTable>
