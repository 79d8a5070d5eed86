import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { ErpError } from '../erp-adapter.js'
import type { ActionDraft, ApprovedRequest } from './action-draft.js'
import { expenseDraft } from './expense-action.js'
import { resignationDraft, transferDraft } from './hr-action.js'
import { projectDraft } from './project-action.js'
import { purchaseDraft } from './purchase-action.js'

type DraftBuilder = (request: ApprovedRequest, db: Kysely<Schema>) => ActionDraft | Promise<ActionDraft>

/** Which ERP action each request type becomes. */
const BUILDERS: Record<string, DraftBuilder> = {
  expense: expenseDraft,
  purchase: purchaseDraft,
  'hr.transfer': transferDraft,
  'hr.resign': resignationDraft,
  project: projectDraft,
}

export function postableRequestTypes(): string[] {
  return Object.keys(BUILDERS)
}

/**
 * Turns approved requests into drafts of the ERP actions their types call for, or into the
 * permanent error that explains why one cannot be posted. Read at posting time: an approved
 * request never changes, so the action is the same on every retry. One query for the batch.
 */
export async function buildActionDrafts(db: Kysely<Schema>, requestIds: readonly string[]): Promise<Map<string, ActionDraft | ErpError>> {
  const requests = await loadApprovedRequests(db, requestIds)
  const drafts = new Map<string, ActionDraft | ErpError>()
  for (const id of requestIds) {
    const request = requests.get(id)
    drafts.set(id, request ? await buildDraft(db, request) : new ErpError('permanent', '找不到待入账的申请。The request to post was not found.', id))
  }
  return drafts
}

async function buildDraft(db: Kysely<Schema>, request: ApprovedRequest): Promise<ActionDraft | ErpError> {
  const build = BUILDERS[request.type]
  if (!build) return new ErpError('permanent', `暂不支持该申请类型入账（${request.type}）。Request type ${request.type} cannot be posted.`, request.type)
  try {
    return await build(request, db)
  } catch (error) {
    if (error instanceof ErpError) return error
    // A payload that no longer parses is a data problem no retry fixes.
    return new ErpError('permanent', `申请 ${request.requestNo} 的内容无法转换为 ERP 单据。The request cannot be turned into an ERP document.`, String(error))
  }
}

async function loadApprovedRequests(db: Kysely<Schema>, requestIds: readonly string[]): Promise<Map<string, ApprovedRequest>> {
  if (requestIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('requests')
    .innerJoin('users', 'users.id', 'requests.requester_id')
    .innerJoin('departments', 'departments.id', 'users.department_id')
    .select([
      'requests.id', 'requests.type', 'requests.request_no', 'requests.payload', 'requests.finished_at', 'requests.updated_at',
      'users.id as user_id', 'users.name as user_name', 'users.employee_no',
      'departments.id as department_id', 'departments.name as department_name', 'departments.cost_center',
    ])
    .where('requests.id', 'in', [...new Set(requestIds)])
    .execute()
  const requests = new Map<string, ApprovedRequest>()
  for (const row of rows) {
    if (!row.request_no) continue
    requests.set(row.id, {
      id: row.id,
      type: row.type,
      requestNo: row.request_no,
      payload: JSON.parse(row.payload),
      finishedAt: Number(row.finished_at ?? row.updated_at),
      requester: { id: row.user_id, name: row.user_name, employeeNo: row.employee_no },
      department: { id: row.department_id, name: row.department_name, costCenter: row.cost_center },
    })
  }
  return requests
}
