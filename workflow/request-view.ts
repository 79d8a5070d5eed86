import type { Kysely } from 'kysely'
import type { Schema } from '../db/schema.js'
import { DomainError } from './errors.js'
import type { PolicyFinding } from './policy/policy-rules.js'
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
  round: number
  /** The approver the route named, when a stand-in (代理) holds the task. */
  delegatedFrom: { id: string; name: string } | null
  /** Why the system decided, when it did (de-duplication, timeout, …). */
  autoReason: string | null
}

export interface CommentView {
  authorId: string
  authorName: string
  text: string
  at: number
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
  /** Bumped by each return; tasks of older rounds are history. */
  round: number
  /** The round the current route was built in. */
  routeRound: number
  templateVersion: number | null
  tasks: TaskView[]
  /** Branch decisions that added no step. */
  routingNotes: string[]
  policyFindings: PolicyFinding[]
  comments: CommentView[]
  /** Names of everyone the route names, so a card can say who comes next. */
  people: Record<string, string>
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

  const route = JSON.parse(row.route) as RouteStep[]
  const routeIds = [...new Set(route.flatMap((s) => s.approverIds))]
  // Independent reads, run side by side: cards are re-rendered on every change, for every holder.
  const [tasks, routePeople, comments, posting] = await Promise.all([
    db
      .selectFrom('approval_tasks')
      .innerJoin('users', 'users.id', 'approval_tasks.approver_id')
      .selectAll('approval_tasks')
      .select('users.name as approver_name')
      .where('request_id', '=', requestId)
      .orderBy('step')
      .orderBy('created_at')
      .orderBy('approval_tasks.id')
      .execute(),
    routeIds.length > 0 ? db.selectFrom('users').select(['id', 'name']).where('id', 'in', routeIds).execute() : [],
    db
      .selectFrom('request_comments')
      .innerJoin('users', 'users.id', 'request_comments.author_id')
      .select(['request_comments.author_id', 'users.name', 'request_comments.text', 'request_comments.at'])
      .where('request_comments.request_id', '=', requestId)
      .orderBy('request_comments.at')
      .execute(),
    db.selectFrom('outbox').select(['status', 'document_no', 'last_error']).where('request_id', '=', requestId).executeTakeFirst(),
  ])
  const names = new Map<string, string>([...routePeople.map((u) => [u.id, u.name] as const), ...tasks.map((t) => [t.approver_id, t.approver_name] as const)])
  const delegators = [...new Set(tasks.flatMap((t) => (t.delegated_from && !names.has(t.delegated_from) ? [t.delegated_from] : [])))]
  if (delegators.length > 0) {
    for (const u of await db.selectFrom('users').select(['id', 'name']).where('id', 'in', delegators).execute()) names.set(u.id, u.name)
  }

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
    route,
    currentStep: Number(row.current_step),
    round: Number(row.round),
    routeRound: Number(row.route_round),
    templateVersion: row.template_version === null ? null : Number(row.template_version),
    routingNotes: row.routing_notes ? (JSON.parse(row.routing_notes) as string[]) : [],
    policyFindings: row.policy_findings ? (JSON.parse(row.policy_findings) as PolicyFinding[]) : [],
    people: Object.fromEntries(names),
    comments: comments.map((c) => ({ authorId: c.author_id, authorName: c.name, text: c.text, at: Number(c.at) })),
    tasks: tasks.map((t) => ({
      id: t.id,
      step: Number(t.step),
      approverId: t.approver_id,
      approverName: t.approver_name,
      status: t.status as TaskStatus,
      comment: t.comment,
      decidedAt: t.decided_at === null ? null : Number(t.decided_at),
      round: Number(t.round),
      delegatedFrom: t.delegated_from ? { id: t.delegated_from, name: names.get(t.delegated_from) ?? t.delegated_from } : null,
      autoReason: t.auto_reason,
    })),
    createdAt: Number(row.created_at),
    submittedAt: row.submitted_at === null ? null : Number(row.submitted_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
    posting: posting ? { status: posting.status, documentNo: posting.document_no, lastError: posting.last_error } : null,
  }
}
