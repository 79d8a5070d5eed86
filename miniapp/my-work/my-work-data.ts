import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { REQUEST_TYPES, type RequestType } from '../../workflow/request-types.js'

export interface MyRequestRow {
  id: string
  requestNo: string | null
  typeLabel: string
  title: string
  status: string
  amountFen: number
  createdAt: number
  submittedAt: number | null
  finishedAt: number | null
  /** Who the request waits for now (names), empty when it is not pending. */
  waitingFor: string[]
  postingStatus: string | null
  documentNo: string | null
}

export interface MyTaskRow {
  taskId: string
  requestId: string
  requestNo: string | null
  title: string
  requesterName: string
  departmentName: string | null
  amountFen: number
  step: number
  stepName: string
  waitingSince: number
}

const typeLabel = (type: string) => REQUEST_TYPES[type as RequestType]?.label ?? type

/** A page of "my requests" starts below the last row of the one before: its created_at, then its id. */
export interface RequestCursor {
  createdAt: number
  id: string
}

export const cursorOf = (row: { createdAt: number; id: string }): string => `${row.createdAt}:${row.id}`

export function parseCursor(text: string): RequestCursor | undefined {
  const match = /^(\d{1,15}):(.{1,64})$/.exec(text)
  return match ? { createdAt: Number(match[1]), id: match[2]! } : undefined
}

/**
 * The requests someone filed, newest first, with whom each one is waiting for. The id breaks ties
 * between requests created in the same millisecond, so a cursor neither skips nor repeats one.
 */
export async function myRequests(db: Kysely<Schema>, userId: string, page: { before?: RequestCursor; limit?: number } = {}): Promise<MyRequestRow[]> {
  const { before, limit = 50 } = page
  let query = db
    .selectFrom('requests')
    .leftJoin('outbox', 'outbox.request_id', 'requests.id')
    .select([
      'requests.id',
      'requests.request_no',
      'requests.type',
      'requests.title',
      'requests.status',
      'requests.amount_fen',
      'requests.current_step',
      'requests.created_at',
      'requests.submitted_at',
      'requests.finished_at',
      'outbox.status as posting_status',
      'outbox.document_no',
    ])
    .where('requests.requester_id', '=', userId)
  if (before) {
    query = query.where((eb) => eb.or([eb('requests.created_at', '<', before.createdAt), eb.and([eb('requests.created_at', '=', before.createdAt), eb('requests.id', '<', before.id)])]))
  }
  const rows = await query.orderBy('requests.created_at', 'desc').orderBy('requests.id', 'desc').limit(limit).execute()
  const pendingIds = rows.filter((r) => r.status === 'pending').map((r) => r.id)
  const waiting = pendingIds.length
    ? await db
        .selectFrom('approval_tasks')
        .innerJoin('requests', 'requests.id', 'approval_tasks.request_id')
        .innerJoin('users', 'users.id', 'approval_tasks.approver_id')
        .select(['approval_tasks.request_id', 'users.name'])
        .where('approval_tasks.request_id', 'in', pendingIds)
        .where('approval_tasks.status', '=', 'pending')
        .whereRef('approval_tasks.step', '=', 'requests.current_step')
        .execute()
    : []
  return rows.map((r) => ({
    id: r.id,
    requestNo: r.request_no,
    typeLabel: typeLabel(r.type),
    title: r.title,
    status: r.status,
    amountFen: Number(r.amount_fen),
    createdAt: Number(r.created_at),
    submittedAt: r.submitted_at === null ? null : Number(r.submitted_at),
    finishedAt: r.finished_at === null ? null : Number(r.finished_at),
    waitingFor: waiting.filter((w) => w.request_id === r.id).map((w) => w.name),
    postingStatus: r.posting_status,
    documentNo: r.document_no,
  }))
}

export async function countMyRequests(db: Kysely<Schema>, userId: string): Promise<number> {
  const row = await db.selectFrom('requests').select((eb) => eb.fn.countAll<number>().as('n')).where('requester_id', '=', userId).executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Tasks someone can decide right now: pending, on the request's current step. Oldest first. */
export async function myPendingTasks(db: Kysely<Schema>, userId: string): Promise<MyTaskRow[]> {
  const rows = await db
    .selectFrom('approval_tasks')
    .innerJoin('requests', 'requests.id', 'approval_tasks.request_id')
    .innerJoin('users', 'users.id', 'requests.requester_id')
    .leftJoin('departments', 'departments.id', 'users.department_id')
    .select([
      'approval_tasks.id as task_id',
      'approval_tasks.step',
      'approval_tasks.created_at as task_created_at',
      'requests.id as request_id',
      'requests.request_no',
      'requests.title',
      'requests.amount_fen',
      'requests.route',
      'users.name as requester_name',
      'departments.name as department_name',
    ])
    .where('approval_tasks.approver_id', '=', userId)
    .where('approval_tasks.status', '=', 'pending')
    .where('requests.status', '=', 'pending')
    .whereRef('approval_tasks.step', '=', 'requests.current_step')
    .orderBy('approval_tasks.created_at')
    .execute()
  return rows.map((r) => {
    const route = JSON.parse(r.route) as { name?: string }[]
    const step = Number(r.step)
    return {
      taskId: r.task_id,
      requestId: r.request_id,
      requestNo: r.request_no,
      title: r.title,
      requesterName: r.requester_name,
      departmentName: r.department_name,
      amountFen: Number(r.amount_fen),
      step,
      stepName: route[step]?.name ?? `第 ${step + 1} 步`,
      waitingSince: Number(r.task_created_at),
    }
  })
}

/** May this person see this request? Its requester, anyone who holds or held a task on it. */
export async function takesPartIn(db: Kysely<Schema>, requestId: string, userId: string): Promise<boolean> {
  const request = await db.selectFrom('requests').select('requester_id').where('id', '=', requestId).executeTakeFirst()
  if (!request) return false
  if (request.requester_id === userId) return true
  const task = await db.selectFrom('approval_tasks').select('id').where('request_id', '=', requestId).where('approver_id', '=', userId).limit(1).executeTakeFirst()
  return task !== undefined
}
