import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { ErpError } from '../erp-adapter.js'
import type { ActionDraft, ApprovedRequest } from './action-draft.js'
import { expenseDraft } from './expense-action.js'

type DraftBuilder = (request: ApprovedRequest, db: Kysely<Schema>) => ActionDraft | Promise<ActionDraft>

/** Which ERP action each request type becomes. */
const BUILDERS: Record<string, DraftBuilder> = {
  expense: expenseDraft,
}

export function postableRequestTypes(): string[] {
  return Object.keys(BUILDERS)
}

/**
 * Turns an approved request into the draft of the ERP action its type calls for. Read at posting
 * time: an approved request never changes, so the action is the same on every retry.
 */
export async function buildActionDraft(db: Kysely<Schema>, requestId: string): Promise<ActionDraft> {
  const request = await loadApprovedRequest(db, requestId)
  const build = BUILDERS[request.type]
  if (!build) throw new ErpError('permanent', `暂不支持该申请类型入账（${request.type}）。Request type ${request.type} cannot be posted.`, request.type)
  try {
    return await build(request, db)
  } catch (error) {
    if (error instanceof ErpError) throw error
    // A payload that no longer parses is a data problem no retry fixes.
    throw new ErpError('permanent', `申请 ${request.requestNo} 的内容无法转换为 ERP 单据。The request cannot be turned into an ERP document.`, String(error))
  }
}

export async function loadApprovedRequest(db: Kysely<Schema>, requestId: string): Promise<ApprovedRequest> {
  const row = await db
    .selectFrom('requests')
    .innerJoin('users', 'users.id', 'requests.requester_id')
    .innerJoin('departments', 'departments.id', 'users.department_id')
    .select([
      'requests.id', 'requests.type', 'requests.request_no', 'requests.payload', 'requests.finished_at', 'requests.updated_at',
      'users.id as user_id', 'users.name as user_name', 'users.employee_no',
      'departments.id as department_id', 'departments.name as department_name', 'departments.cost_center',
    ])
    .where('requests.id', '=', requestId)
    .executeTakeFirst()
  if (!row?.request_no) throw new ErpError('permanent', '找不到待入账的申请。The request to post was not found.', requestId)
  return {
    id: row.id,
    type: row.type,
    requestNo: row.request_no,
    payload: JSON.parse(row.payload),
    finishedAt: Number(row.finished_at ?? row.updated_at),
    requester: { id: row.user_id, name: row.user_name, employeeNo: row.employee_no },
    department: { id: row.department_id, name: row.department_name, costCenter: row.cost_center },
  }
}
