import type { Kysely } from 'kysely'
import type { Schema } from '../db/schema.js'
import { DomainError } from './errors.js'
import { REQUEST_TYPES, type RequestStatus, type RequestType, type TaskStatus } from './request-types.js'
import type { RouteStep } from './routing/route.js'

export interface TaskView {
  id: string
  step: number
  approverId: string
  approverName: string
  status: TaskStatus
  comment: string | null
  decidedAt: number | null
}

export interface PostingView {
  status: string
  documentNo: string | null
  lastError: string | null
}

/** Everything a card, a status reply or an admin page needs to show one request. */
export interface RequestView {
  id: string
  requestNo: string | null
  type: RequestType
  typeLabel: string
  title: string
  status: RequestStatus
  requester: { id: string; name: string; departmentName: string }
  payload: Record<string, unknown>
  amountFen: number
  route: RouteStep[]
  currentStep: number
  tasks: TaskView[]
  createdAt: number
  submittedAt: number | null
  finishedAt: number | null
  posting: PostingView | null
}

export async function loadRequestView(db: Kysely<Schema>, requestId: string): Promise<RequestView> {
  const row = await db
    .selectFrom('requests')
    .innerJoin('users', 'users.id', 'requests.requester_id')
    .leftJoin('departments', 'departments.id', 'users.department_id')
    .selectAll('requests')
    .select(['users.name as requester_name', 'departments.name as department_name'])
    .where('requests.id', '=', requestId)
    .executeTakeFirst()
  if (!row) throw new DomainError('NOT_FOUND', '找不到该申请', 'request not found')

  const tasks = await db
    .selectFrom('approval_tasks')
    .innerJoin('users', 'users.id', 'approval_tasks.approver_id')
    .selectAll('approval_tasks')
    .select('users.name as approver_name')
    .where('request_id', '=', requestId)
    .orderBy('step')
    .orderBy('created_at')
    .execute()
  const posting = await db
    .selectFrom('outbox')
    .select(['status', 'document_no', 'last_error'])
    .where('request_id', '=', requestId)
    .executeTakeFirst()

  const type = row.type as RequestType
  return {
    id: row.id,
    requestNo: row.request_no,
    type,
    typeLabel: REQUEST_TYPES[type]?.label ?? row.type,
    title: row.title,
    status: row.status as RequestStatus,
    requester: { id: row.requester_id, name: row.requester_name, departmentName: row.department_name ?? '' },
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    amountFen: Number(row.amount_fen),
    route: JSON.parse(row.route) as RouteStep[],
    currentStep: Number(row.current_step),
    tasks: tasks.map((t) => ({
      id: t.id,
      step: Number(t.step),
      approverId: t.approver_id,
      approverName: t.approver_name,
      status: t.status as TaskStatus,
      comment: t.comment,
      decidedAt: t.decided_at === null ? null : Number(t.decided_at),
    })),
    createdAt: Number(row.created_at),
    submittedAt: row.submitted_at === null ? null : Number(row.submitted_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
    posting: posting ? { status: posting.status, documentNo: posting.document_no, lastError: posting.last_error } : null,
  }
}
