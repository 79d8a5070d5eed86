import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { EXPENSE_CATEGORY_LABELS, REQUEST_TYPES } from '../../workflow/request-types.js'
import { departmentRef, employeeRef } from '../actions/action-draft.js'
import { buildActionDrafts, postableRequestTypes } from '../actions/build-action.js'
import { mapDrafts } from '../actions/prepare-action.js'
import { ErpError } from '../erp-adapter.js'
import type { ErpTarget } from '../erp-target.js'
import { describeMissing, normalizeFreeText, type MappingKind, type MappingRef } from './mapping-kinds.js'
import { requiredKinds, type ActionKind } from './mapping-policy.js'
import { codeKey, type MappingStore } from './mapping-store.js'

/** Which ERP action each request type becomes, and which master data it can name. */
const REQUEST_ACTIONS: Record<string, { action: ActionKind; names: readonly MappingKind[] }> = {
  expense: { action: 'expense.voucher', names: ['employee', 'department', 'expense_category'] },
  purchase: { action: 'purchase.requisition', names: ['employee', 'department', 'purchase_item', 'supplier'] },
  'hr.transfer': { action: 'hr.change', names: ['employee', 'department'] },
  'hr.resign': { action: 'hr.change', names: ['employee', 'department'] },
  project: { action: 'project.create', names: ['employee', 'department'] },
}

export interface MissingMapping {
  kind: MappingKind
  localKey: string
  label: string
  /** "部门 研发部 → 成本中心" */
  sentence: string
}

export interface RequestTypeCheck {
  requestType: string
  label: string
  action: ActionKind
  required: MappingKind[]
  /** Master data (active employees, departments, categories, items asked for so far) without a required code. */
  missing: MissingMapping[]
  /** Approved requests not yet posted that would fail for a missing mapping. */
  blocked: { requestNo: string; status: string; missing: string[] }[]
}

export interface MappingCheckReport {
  erp: string
  types: RequestTypeCheck[]
  /** Missing master-data codes plus blocked postings; 0 means every request type can post. */
  problems: number
}

/**
 * The dry run behind `npm run erp:check` and the admin app: for every request type, what the
 * configured ERP requires and which of our master data has no code for it yet. Reads only.
 */
export async function checkMappings(db: Kysely<Schema>, mappings: MappingStore, target: ErpTarget): Promise<MappingCheckReport> {
  const probes = await masterDataProbes(db)
  const codes = await mappings.codesOf([...probes.values()].flat())
  const hasCode = (ref: MappingRef) => codes.has(codeKey(ref)) || (target.policy.masterCodes.includes(ref.kind) && Boolean(ref.masterCode))
  const blocked = await blockedPostings(db, mappings, target)

  const types: RequestTypeCheck[] = []
  for (const requestType of postableRequestTypes()) {
    const spec = REQUEST_ACTIONS[requestType]
    if (!spec) continue
    const required = requiredKinds(target.policy, spec.action).filter((kind) => spec.names.includes(kind))
    const missing = required.flatMap((kind) => (probes.get(kind) ?? []).filter((ref) => !hasCode(ref))).map(toMissing)
    types.push({
      requestType,
      label: (REQUEST_TYPES as Record<string, { label: string }>)[requestType]?.label ?? requestType,
      action: spec.action,
      required,
      missing,
      blocked: blocked.get(requestType) ?? [],
    })
  }
  const problems = types.reduce((n, t) => n + t.missing.length + t.blocked.length, 0)
  return { erp: target.adapter.name, types, problems }
}

function toMissing(ref: MappingRef): MissingMapping {
  return { kind: ref.kind, localKey: ref.localKey, label: ref.label, sentence: describeMissing(ref) }
}

/** Everything a posting could name today, per kind. Purchase items are free text: those asked for so far. */
async function masterDataProbes(db: Kysely<Schema>): Promise<Map<MappingKind, MappingRef[]>> {
  const people = await db
    .selectFrom('users')
    .select(['id', 'name', 'employee_no', 'department_id'])
    .where('active', '=', 1)
    .orderBy('employee_no')
    .execute()
  const departments = await db.selectFrom('departments').select(['id', 'name', 'cost_center']).orderBy('id').execute()
  const purchases = await db.selectFrom('requests').select('payload').where('type', '=', 'purchase').where('request_no', 'is not', null).execute()
  const items = new Map<string, string>()
  for (const { payload } of purchases) {
    const item = (JSON.parse(payload) as { item?: unknown }).item
    if (typeof item === 'string' && item.trim()) items.set(normalizeFreeText(item), item.trim())
  }
  const itemRefs = (kind: MappingKind) => [...items].map(([localKey, label]): MappingRef => ({ kind, localKey, label }))
  return new Map<MappingKind, MappingRef[]>([
    ['employee', people.map((p) => employeeRef({ id: p.id, name: p.name, employeeNo: p.employee_no }))],
    ['department', departments.map((d) => departmentRef({ id: d.id, name: d.name, costCenter: d.cost_center }))],
    ['expense_category', Object.entries(EXPENSE_CATEGORY_LABELS).map(([code, label]): MappingRef => ({ kind: 'expense_category', localKey: code, label }))],
    ['purchase_item', itemRefs('purchase_item')],
    ['supplier', itemRefs('supplier')],
  ])
}

/** Outbox rows still to post (or failed) whose request would hit a missing mapping, per request type. */
async function blockedPostings(db: Kysely<Schema>, mappings: MappingStore, target: ErpTarget): Promise<Map<string, RequestTypeCheck['blocked']>> {
  const rows = await db
    .selectFrom('outbox')
    .innerJoin('requests', 'requests.id', 'outbox.request_id')
    .select(['outbox.request_id', 'outbox.status', 'requests.type', 'requests.request_no'])
    .where('outbox.status', 'in', ['pending', 'unknown', 'failed', 'dead'])
    .orderBy('outbox.created_at')
    .execute()
  const drafts = await buildActionDrafts(db, rows.map((r) => r.request_id))
  const buildable = [...drafts.values()].filter((d) => !(d instanceof ErpError))
  const mapped = new Map((await mapDrafts(mappings, buildable, target.policy)).map((m) => [m.draft, m.missing]))
  const blocked = new Map<string, RequestTypeCheck['blocked']>()
  for (const row of rows) {
    const draft = drafts.get(row.request_id)!
    const missing = draft instanceof ErpError ? [draft.userMessage] : (mapped.get(draft) ?? []).map(describeMissing)
    if (missing.length === 0) continue
    const list = blocked.get(row.type) ?? []
    list.push({ requestNo: row.request_no ?? row.request_id, status: row.status, missing })
    blocked.set(row.type, list)
  }
  return blocked
}
