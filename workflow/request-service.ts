import type { Kysely, Transaction } from 'kysely'
import { takeNamedLocks, takeNextNumber } from '../db/counters.js'
import { inTransaction } from '../db/transaction.js'
import type { RequestRow, Schema } from '../db/schema.js'
import { finishedError, runFlowAction, type FlowResult } from './actions/flow-action.js'
import { appendAudit } from './audit.js'
import { FlowRun } from './engine/flow-run.js'
import { DomainError, PolicyBlockedError } from './errors.js'
import { OrgDirectory, type Employee } from './org.js'
import { checkExpensePolicies, invoiceKeys, type PolicyFinding } from './policy/policy-check.js'
import { ExpenseDateError, REQUEST_TYPES, expenseDateProblem, isRequestType, type ExpensePayload, type PayloadOf, type RequestStatus, type RequestType } from './request-types.js'
import { buildRoute, type ResolvedRoute } from './routing/build-route.js'
import type { RoutingFacts } from './routing/conditions.js'
import type { RouteStep } from './routing/route.js'
import { companyDate, companyMonth } from './shanghai-time.js'
import { FlowTemplates, type FlowTemplate } from './templates/flow-templates.js'
import { lockRequest, type WorkflowContext } from './workflow-context.js'

export type SubmitResult = FlowResult

export interface SubmitOptions {
  /** 发起人自选: approvers by template node id. */
  selections?: Record<string, string[]>
}

/** A requester may urge (催办) a request once in this interval. */
export const URGE_INTERVAL_MS = 30 * 60_000

export interface UrgeResult {
  request: RequestRow
  /** Who holds the pending tasks and should be reminded. */
  approverIds: string[]
}

/** Drafts become requests: payload checks, policy checks, numbering, routing, first tasks. */
export class RequestService {
  readonly templates: FlowTemplates

  constructor(private readonly ctx: WorkflowContext) {
    this.templates = new FlowTemplates(ctx.db, ctx.now)
  }

  async createExpenseDraft(requesterId: string, input: ExpensePayload): Promise<RequestRow> {
    return this.createDraft('expense', requesterId, input)
  }

  /**
   * A draft of any request type. The confirmation card shows its route preview and the policy
   * findings, so the requester learns what will happen (and what to fix) before submitting.
   */
  async createDraft<T extends RequestType>(type: T, requesterId: string, input: PayloadOf<T>): Promise<RequestRow> {
    if (!isRequestType(type)) throw new DomainError('VALIDATION', `未知的申请类型：${String(type)}`, `unknown request type: ${String(type)}`)
    const payload = parsePayload(type, input)
    const now = this.ctx.now()
    checkExpenseDays(type, payload, now)
    const requester = await this.ctx.org.employee(requesterId)
    if (!requester?.active) throw new DomainError('NOT_FOUND', '找不到申请人', 'requester not found')
    const spec = REQUEST_TYPES[type]
    const row: RequestRow = {
      id: this.ctx.newId(),
      request_no: null,
      type,
      requester_id: requesterId,
      title: (spec.title as (p: unknown) => string)(payload),
      payload: JSON.stringify(payload),
      amount_fen: (spec.amountFen as (p: unknown) => number)(payload),
      status: 'draft',
      route: '[]',
      current_step: 0,
      version: 0,
      created_at: now,
      submitted_at: null,
      updated_at: now,
      finished_at: null,
      template_version: null,
      round: 0,
      route_round: 0,
      policy_findings: null,
      routing_notes: null,
      occurred_on: occurredOn(type, payload, now),
      last_urged_at: null,
    }
    const preview = await this.preview(this.ctx.db, row, requester)
    Object.assign(row, preview)
    await inTransaction(this.ctx.db, async (trx) => {
      await trx.insertInto('requests').values(row).execute()
      await appendAudit(trx, { at: now, actorId: requesterId, action: 'request.drafted', entityType: 'request', entityId: row.id, after: { status: 'draft', type, payload } })
    })
    return row
  }

  /** Submits a draft: the final policy check, a number, the route from the latest template, first tasks. */
  async submit(requestId: string, actorId: string, options: SubmitOptions = {}): Promise<SubmitResult> {
    const draft = await this.ctx.db.selectFrom('requests').selectAll().where('id', '=', requestId).executeTakeFirst()
    if (!draft) throw new DomainError('NOT_FOUND', '找不到该申请', 'request not found')
    const locks = claimLocks(draft)
    return inTransaction(this.ctx.db, async (trx) => {
      await takeNamedLocks(trx, locks)
      const request = await lockRequest(trx, requestId)
      if (request.requester_id !== actorId) throw new DomainError('FORBIDDEN', '只有申请人本人可以提交', 'only the requester can submit')
      if (request.status !== 'draft') {
        throw new DomainError('INVALID_STATE', `该申请已提交（${request.request_no ?? ''}），无需重复提交`, 'already submitted')
      }
      const template = await this.templates.latest(request.type as RequestType, trx)
      return this.route(trx, request, template, options.selections ?? {}, 'request.submitted')
    })
  }

  /** After a return to the initiator: optionally changed payload, same template version, from the first step. */
  async resubmit(requestId: string, actorId: string, changes: { payload?: Record<string, unknown> } & SubmitOptions = {}): Promise<SubmitResult> {
    const current = await this.ctx.db.selectFrom('requests').selectAll().where('id', '=', requestId).executeTakeFirst()
    if (!current) throw new DomainError('NOT_FOUND', '找不到该申请', 'request not found')
    const type = current.type as RequestType
    const edit = (row: RequestRow): RequestRow => (changes.payload ? withPayloadChanges(row, changes.payload, this.ctx.now()) : row)
    const locks = claimLocks(edit(current))
    return inTransaction(this.ctx.db, async (trx) => {
      await takeNamedLocks(trx, locks)
      const request = edit(await lockRequest(trx, requestId))
      if (request.requester_id !== actorId) throw new DomainError('FORBIDDEN', '只有申请人本人可以重新提交', 'only the requester can resubmit')
      if (request.status !== 'returned') throw new DomainError('INVALID_STATE', '只有被退回的申请可以重新提交', 'only a returned request can be resubmitted')
      const template = request.template_version === null ? await this.templates.latest(type, trx) : await this.templates.version(type, Number(request.template_version), trx)
      const previous = previousSelections(JSON.parse(request.route) as RouteStep[])
      return this.route(trx, request, template, { ...previous, ...changes.selections }, 'request.resubmitted')
    })
  }

  private async route(trx: Transaction<Schema>, request: RequestRow, template: FlowTemplate, selections: Record<string, string[]>, action: string): Promise<SubmitResult> {
    const org = new OrgDirectory(trx)
    const requester = await org.employee(request.requester_id)
    if (!requester?.active) throw new DomainError('NOT_FOUND', '找不到申请人', 'requester not found')
    const now = this.ctx.now()
    const findings = await this.checkPolicies(trx, request, requester)
    const blocking = findings.filter((f) => f.severity === 'block')
    if (blocking.length > 0) throw new PolicyBlockedError(blocking)
    const resolved = await buildRoute({ definition: template.definition, org, requester, facts: await routingFacts(org, request, requester), selections })

    const beforeStatus = request.status
    const first = request.request_no === null
    if (first) {
      const prefix = `${REQUEST_TYPES[request.type as RequestType].numberPrefix}-${companyMonth(now)}`
      request.request_no = `${prefix}-${String(await takeNextNumber(trx, prefix)).padStart(4, '0')}`
      request.submitted_at = now
    }
    Object.assign(request, {
      template_version: template.version,
      route: JSON.stringify(resolved.steps),
      routing_notes: JSON.stringify(resolved.notes),
      policy_findings: JSON.stringify(findings),
      route_round: request.round,
      current_step: 0,
      status: 'pending',
      finished_at: null,
    } satisfies Partial<RequestRow>)
    await trx
      .updateTable('requests')
      .set({
        request_no: request.request_no,
        submitted_at: request.submitted_at,
        payload: request.payload,
        title: request.title,
        amount_fen: request.amount_fen,
        occurred_on: request.occurred_on,
        template_version: request.template_version,
        routing_notes: request.routing_notes,
        policy_findings: request.policy_findings,
        route_round: request.route_round,
      })
      .where('id', '=', request.id)
      .execute()
    await this.claimInvoices(trx, request, now)

    const run = await FlowRun.load(trx, this.ctx, request)
    await run.advanceFrom(0)
    const saved = await run.save(beforeStatus as RequestStatus)
    await appendAudit(trx, {
      at: now,
      actorId: request.requester_id,
      action,
      entityType: 'request',
      entityId: request.id,
      before: { status: beforeStatus },
      after: { status: saved.status, requestNo: saved.request_no, templateVersion: template.version, route: resolved.steps, routingNotes: resolved.notes, findings: findings.map((f) => f.code) },
    })
    return { request: saved, outcome: 'submitted', openedTasks: run.opened, ccIds: run.ccReached }
  }

  /**
   * The invoices this request uses, indexed so later claims see them. Rows are touched by primary
   * key only: a range DELETE would take gap locks that deadlock concurrent submitters on MySQL.
   */
  private async claimInvoices(trx: Transaction<Schema>, request: RequestRow, now: number): Promise<void> {
    const keys = request.type === 'expense' ? invoiceKeys(JSON.parse(request.payload) as ExpensePayload) : []
    const held = (await trx.selectFrom('request_invoices').select('invoice_key').where('request_id', '=', request.id).execute()).map((r) => r.invoice_key)
    for (const key of held.filter((k) => !keys.includes(k))) {
      await trx.deleteFrom('request_invoices').where('invoice_key', '=', key).where('request_id', '=', request.id).execute()
    }
    const added = keys.filter((k) => !held.includes(k))
    if (added.length > 0) await trx.insertInto('request_invoices').values(added.map((key) => ({ invoice_key: key, request_id: request.id, created_at: now }))).execute()
  }

  private async checkPolicies(db: Kysely<Schema>, request: RequestRow, requester: Employee): Promise<PolicyFinding[]> {
    if (request.type !== 'expense') return []
    const payload = JSON.parse(request.payload) as ExpensePayload
    return checkExpensePolicies(db, { requestId: request.id, requester, payload, occurredOn: request.occurred_on ?? companyDate(this.ctx.now()), now: this.ctx.now() })
  }

  /** Route preview and findings for a draft; a route that cannot be built is explained, not thrown. */
  private async preview(db: Kysely<Schema>, row: RequestRow, requester: Employee): Promise<Pick<RequestRow, 'route' | 'routing_notes' | 'policy_findings' | 'template_version'>> {
    const org = new OrgDirectory(db)
    const template = await this.templates.latest(row.type as RequestType, db)
    let resolved: ResolvedRoute
    try {
      resolved = await buildRoute({ definition: template.definition, org, requester, facts: await routingFacts(org, row, requester), preview: true })
    } catch (error) {
      if (!(error instanceof DomainError)) throw error
      resolved = { steps: [], notes: [error.zh] }
    }
    const findings = await this.checkPolicies(db, row, requester)
    return { route: JSON.stringify(resolved.steps), routing_notes: JSON.stringify(resolved.notes), policy_findings: JSON.stringify(findings), template_version: template.version }
  }

  /**
   * A change the requester makes on the confirmation card (修改): the payload is checked again, and
   * the route preview and policy findings are recomputed, so the card shows what the change does.
   */
  async reviseDraft(requestId: string, actorId: string, changes: Record<string, unknown>): Promise<RequestRow> {
    const current = await this.ctx.db.selectFrom('requests').selectAll().where('id', '=', requestId).executeTakeFirst()
    if (!current) throw new DomainError('NOT_FOUND', '找不到该申请', 'request not found')
    const requester = await this.ctx.org.employee(current.requester_id)
    if (!requester?.active) throw new DomainError('NOT_FOUND', '找不到申请人', 'requester not found')
    const now = this.ctx.now()
    const preview = await this.preview(this.ctx.db, withPayloadChanges(current, changes, now), requester)
    return inTransaction(this.ctx.db, async (trx) => {
      const request = await lockRequest(trx, requestId)
      if (request.requester_id !== actorId) throw new DomainError('FORBIDDEN', '只有申请人本人可以修改', 'only the requester can change the request')
      if (request.status !== 'draft') throw new DomainError('INVALID_STATE', '该申请已提交或已取消，不能再修改', 'the request is no longer a draft')
      const revised = { ...withPayloadChanges(request, changes, now), ...preview, updated_at: now }
      const { payload, title, amount_fen, occurred_on, route, routing_notes, policy_findings, template_version } = revised
      await trx.updateTable('requests').set({ payload, title, amount_fen, occurred_on, route, routing_notes, policy_findings, template_version, updated_at: now }).where('id', '=', requestId).execute()
      await appendAudit(trx, { at: now, actorId, action: 'request.revised', entityType: 'request', entityId: requestId, before: { payload: JSON.parse(request.payload) }, after: { payload: JSON.parse(payload) } })
      return revised
    })
  }

  async cancelDraft(requestId: string, actorId: string): Promise<RequestRow> {
    return inTransaction(this.ctx.db, async (trx) => {
      const request = await lockRequest(trx, requestId)
      if (request.requester_id !== actorId) throw new DomainError('FORBIDDEN', '只有申请人本人可以取消', 'only the requester can cancel')
      if (request.status !== 'draft') throw new DomainError('INVALID_STATE', '该申请已提交，不能取消', 'already submitted')
      const now = this.ctx.now()
      await trx.updateTable('requests').set({ status: 'cancelled', updated_at: now, finished_at: now }).where('id', '=', requestId).execute()
      // Its files wait again for the claim typed next (the same one, retyped), as if just sent.
      await trx.updateTable('attachments').set({ request_id: null, linked_at: null }).where('request_id', '=', requestId).execute()
      await appendAudit(trx, { at: now, actorId, action: 'request.cancelled', entityType: 'request', entityId: requestId, before: { status: 'draft' }, after: { status: 'cancelled' } })
      return { ...request, status: 'cancelled', updated_at: now, finished_at: now }
    })
  }

  /**
   * 撤回 by the requester while nobody has decided on the current step in this round, or while the
   * request waits for him after a return. The open tasks are cancelled; the request ends withdrawn.
   */
  async withdraw(requestId: string, actorId: string, reason?: string): Promise<FlowResult> {
    return runFlowAction(this.ctx, requestId, async (run) => {
      if (run.request.requester_id !== actorId) throw new DomainError('FORBIDDEN', '只有申请人本人可以撤回', 'only the requester can withdraw')
      if (run.status === 'pending') {
        const decided = run.tasksOfStep(run.current).some((t) => (t.status === 'approved' || t.status === 'rejected') && t.auto_reason === null)
        if (decided) throw new DomainError('INVALID_STATE', '当前节点已有人审批，不能撤回；如需修改请联系审批人退回', 'someone already decided on the current step; ask an approver to return it')
      } else if (run.status !== 'returned') {
        throw run.status === 'draft' ? finishedError('draft') : new DomainError('INVALID_STATE', '该申请已结束，不能撤回', 'the request is already finished')
      }
      await run.finish('withdrawn')
      run.note(run.current, `${await run.nameOf(actorId)} 撤回了申请${reason ? `：${reason}` : ''}`)
      return { action: 'request.withdrawn', actorId, after: { reason: reason ?? null } }
    })
  }

  /** 催办: reminds the pending approvers; at most once per URGE_INTERVAL_MS per request. */
  async urge(requestId: string, actorId: string): Promise<UrgeResult> {
    return inTransaction(this.ctx.db, async (trx) => {
      const request = await lockRequest(trx, requestId)
      if (request.requester_id !== actorId) throw new DomainError('FORBIDDEN', '只有申请人本人可以催办', 'only the requester can urge')
      if (request.status !== 'pending') throw new DomainError('INVALID_STATE', '该申请不在审批中，无需催办', 'the request is not waiting for approval')
      const now = this.ctx.now()
      const last = request.last_urged_at === null ? null : Number(request.last_urged_at)
      if (last !== null && now - last < URGE_INTERVAL_MS) {
        const minutes = Math.ceil((URGE_INTERVAL_MS - (now - last)) / 60_000)
        throw new DomainError('INVALID_STATE', `催办过于频繁，请 ${minutes} 分钟后再试`, `you urged recently; try again in ${minutes} min`)
      }
      const pending = await trx
        .selectFrom('approval_tasks')
        .select('approver_id')
        .where('request_id', '=', requestId)
        .where('status', '=', 'pending')
        .where('step', '=', Number(request.current_step))
        .execute()
      const approverIds = [...new Set(pending.map((t) => t.approver_id))]
      await trx.updateTable('requests').set({ last_urged_at: now }).where('id', '=', requestId).execute()
      await appendAudit(trx, { at: now, actorId, action: 'request.urged', entityType: 'request', entityId: requestId, after: { approverIds } })
      return { request: { ...request, last_urged_at: now }, approverIds }
    })
  }
}

/**
 * What a claim's checks depend on besides itself: the requester's other claims (monthly caps,
 * split claims) and everyone's use of its invoices. Submitters holding these locks go one after
 * the other, so the second one's checks see the first one's claim.
 */
function claimLocks(request: RequestRow): string[] {
  if (request.type !== 'expense') return []
  const invoices = invoiceKeys(JSON.parse(request.payload) as ExpensePayload).map((key) => `inv:${key}`)
  return [`claims:${request.requester_id}`.slice(0, 64), ...invoices]
}

function parsePayload(type: RequestType, input: unknown): unknown {
  const result = REQUEST_TYPES[type].schema.safeParse(input)
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    throw new DomainError('VALIDATION', `申请内容不完整或不正确：${detail}`, `invalid ${type} request: ${detail}`)
  }
  return result.data
}

/** The day the request belongs to: the cost's date, the period's end, or the effective date. */
function occurredOn(type: RequestType, payload: unknown, now: number): string {
  const p = payload as { date?: string; period?: { to: string }; effectiveDate?: string; startDate?: string; neededBy?: string }
  const day = type === 'expense' ? (p.date ?? p.period?.to) : (p.effectiveDate ?? p.startDate ?? p.neededBy)
  return day ?? companyDate(now)
}

/** An expense's day must be one it can be claimed for; see expenseDateProblem. */
function checkExpenseDays(type: RequestType, payload: unknown, now: number): void {
  if (type !== 'expense') return
  const today = companyDate(now)
  const problem = expenseDateProblem(payload as ExpensePayload, today)
  if (problem) throw new ExpenseDateError(problem, today)
}

/** The row with its payload changed and what derives from the payload (title, amount, date) recomputed. */
function withPayloadChanges(row: RequestRow, changes: Record<string, unknown>, now: number): RequestRow {
  const type = row.type as RequestType
  const payload = parsePayload(type, { ...(JSON.parse(row.payload) as object), ...changes })
  // Only a changed day is checked: a claim returned weeks later keeps the day it was submitted with.
  if ('date' in changes || 'period' in changes) checkExpenseDays(type, payload, now)
  const spec = REQUEST_TYPES[type]
  return {
    ...row,
    payload: JSON.stringify(payload),
    title: (spec.title as (p: unknown) => string)(payload),
    amount_fen: (spec.amountFen as (p: unknown) => number)(payload),
    occurred_on: occurredOn(type, payload, now),
  }
}

async function routingFacts(org: OrgDirectory, request: RequestRow, requester: Employee): Promise<RoutingFacts> {
  const payload = JSON.parse(request.payload) as Record<string, unknown>
  const department = await org.department(requester.departmentId)
  return {
    type: request.type,
    amountFen: Number(request.amount_fen),
    category: typeof payload.category === 'string' ? payload.category : undefined,
    departmentId: requester.departmentId,
    departmentName: department?.name ?? requester.departmentId,
    requesterLevel: requester.level,
    payload,
  }
}

/** Initiator-selected approvers of the previous route, kept for a resubmission. */
function previousSelections(route: RouteStep[]): Record<string, string[]> {
  return Object.fromEntries(route.flatMap((s) => (s.id && s.selected ? [[s.id, s.selected]] : [])))
}
