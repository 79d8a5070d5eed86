import type { Transaction } from 'kysely'
import type { ApprovalTaskRow, RequestRow, Schema } from '../../db/schema.js'
import { enqueuePosting } from '../outbox.js'
import { OrgDirectory } from '../org.js'
import type { RequestStatus } from '../request-types.js'
import { NOBODY_TO_REPLACE, replaceResigned } from '../routing/approver-sources.js'
import { approvalsNeeded, isCcStep, replaceMember, seatsOf, type RouteStep } from '../routing/route.js'
import type { FlowSettings } from '../templates/flow-definition.js'
import { activeDelegation } from '../time/delegations.js'
import type { WorkflowContext } from '../workflow-context.js'

const HOUR_MS = 60 * 60 * 1000

/** Requests from before templates existed ran with these rules, minus de-duplication. */
const LEGACY_SETTINGS: FlowSettings = { dedup: false, initiatorIsApprover: 'auto-pass', resignedApprover: 'supervisor' }

export type StepOutcome = 'passed' | 'rejected' | 'waiting'
type MemberState = 'approved' | 'rejected' | 'pending' | 'open'

/**
 * One request's flow inside one transaction, after its row lock was taken: the route, the tasks,
 * and the moves that open, settle and finish steps. Every action builds one, changes it, saves it.
 *
 * Invariants it keeps: at most one current step; pending tasks only on the current step and only
 * while the request is pending; a finished request has no pending task.
 */
export class FlowRun {
  readonly route: RouteStep[]
  readonly org: OrgDirectory
  /** Every task this run created, whatever became of it since. */
  private readonly created: ApprovalTaskRow[] = []
  /** CC recipients reached by this run. */
  readonly ccReached: string[] = []

  private constructor(
    readonly trx: Transaction<Schema>,
    readonly ctx: WorkflowContext,
    public request: RequestRow,
    public tasks: ApprovalTaskRow[],
    readonly settings: FlowSettings,
    readonly now: number,
  ) {
    this.route = JSON.parse(request.route) as RouteStep[]
    this.org = new OrgDirectory(trx)
  }

  static async load(trx: Transaction<Schema>, ctx: WorkflowContext, request: RequestRow): Promise<FlowRun> {
    const tasks = await trx.selectFrom('approval_tasks').selectAll().where('request_id', '=', request.id).orderBy('created_at').orderBy('id').execute()
    let settings = LEGACY_SETTINGS
    if (request.template_version !== null) {
      const template = await trx
        .selectFrom('flow_templates')
        .select('definition')
        .where('type', '=', request.type)
        .where('version', '=', Number(request.template_version))
        .executeTakeFirst()
      if (template) settings = (JSON.parse(template.definition) as { settings: FlowSettings }).settings
    }
    return new FlowRun(trx, ctx, request, tasks, settings, ctx.now())
  }

  /**
   * Tasks this run created that still wait: each approver gets a card. A task cancelled in the same
   * run (its 或签 step passed by 去重 the moment it opened) is left out: a card for it could do nothing.
   */
  get opened(): ApprovalTaskRow[] {
    return this.created.filter((t) => t.status === 'pending')
  }

  get status(): RequestStatus {
    return this.request.status as RequestStatus
  }

  get current(): number {
    return Number(this.request.current_step)
  }

  get round(): number {
    return Number(this.request.round)
  }

  /** The person a task stands for on its step (a stand-in acts for the named approver). */
  memberOf(task: ApprovalTaskRow): string {
    return task.delegated_from ?? task.approver_id
  }

  tasksOfStep(step: number, round = this.round): ApprovalTaskRow[] {
    return this.tasks.filter((t) => Number(t.step) === step && Number(t.round) === round)
  }

  pendingOnCurrent(): ApprovalTaskRow[] {
    return this.status === 'pending' ? this.tasksOfStep(this.current).filter((t) => t.status === 'pending') : []
  }

  private memberState(step: number, member: string): MemberState {
    const mine = this.tasksOfStep(step).filter((t) => this.memberOf(t) === member)
    if (mine.some((t) => t.status === 'approved')) return 'approved'
    if (mine.some((t) => t.status === 'rejected')) return 'rejected'
    if (mine.some((t) => t.status === 'pending')) return 'pending'
    return 'open'
  }

  /** A shared seat (或签 among its people) is settled by the first decision in it. */
  private seatState(step: number, seat: string[]): MemberState {
    const states = seat.map((m) => this.memberState(step, m))
    for (const state of ['approved', 'rejected', 'pending'] as const) if (states.includes(state)) return state
    return 'open'
  }

  /** Whether the step's votes so far pass it, fail it, or leave it waiting. */
  outcomeOf(stepIndex: number): StepOutcome {
    const step = this.route[stepIndex]!
    const members = seatsOf(step)
    if (members.length === 0) return 'passed'
    const states = members.map((seat) => this.seatState(stepIndex, seat))
    const approved = states.filter((s) => s === 'approved').length
    const rejected = states.filter((s) => s === 'rejected').length
    const needed = approvalsNeeded(step)
    if (step.mode === 'any') return approved > 0 ? 'passed' : rejected > 0 ? 'rejected' : 'waiting'
    if (step.mode === 'vote') {
      if (approved >= needed) return 'passed'
      return members.length - rejected < needed ? 'rejected' : 'waiting'
    }
    if (rejected > 0) return 'rejected'
    return approved === members.length ? 'passed' : 'waiting'
  }

  /** From step `from` on: informs CC steps, skips what needs no decision, opens the first step that does. */
  async advanceFrom(from: number): Promise<void> {
    for (let i = from; i < this.route.length; i++) {
      const step = this.route[i]!
      if (step.skippedBecause) continue
      if (isCcStep(step)) {
        step.reachedAt = this.now
        for (const id of step.approverIds) if (!this.ccReached.includes(id)) this.ccReached.push(id)
        continue
      }
      if (step.rejectWhenReached) {
        this.note(i, step.rejectWhenReached)
        this.request.current_step = i
        await this.finish('rejected')
        return
      }
      await this.openStep(i)
      return
    }
    await this.finish('approved')
  }

  /** Makes step i current and gives each member who has not yet approved it (this round) a task. */
  async openStep(i: number): Promise<void> {
    this.request.current_step = i
    this.request.status = 'pending'
    this.request.finished_at = null
    await this.openSeats(i)
  }

  /**
   * Gives the step's open seats their tasks (依次: only the next one), after replacing members who
   * left since submit, or since the step opened when a 依次 member's turn comes.
   */
  private async openSeats(i: number): Promise<void> {
    await this.replaceResignedMembers(i)
    const step = this.route[i]!
    const open = seatsOf(step).filter((seat) => this.seatState(i, seat) === 'open')
    const toOpen = step.mode === 'sequential' ? open.slice(0, 1) : open
    for (const member of toOpen.flat()) await this.createTask(i, member)
    await this.settle(i)
  }

  /** After a vote on step i: move on, end the request, or (sequential) hand the step to the next member. */
  async settle(i: number): Promise<void> {
    const outcome = this.outcomeOf(i)
    if (outcome === 'rejected') return this.finish('rejected')
    if (outcome === 'passed') {
      await this.cancelPending((t) => Number(t.step) === i)
      return this.advanceFrom(i + 1)
    }
    const step = this.route[i]!
    // The rest of a shared seat that one of them settled need not act any more.
    const settled = seatsOf(step).filter((seat) => seat.length > 1 && ['approved', 'rejected'].includes(this.seatState(i, seat)))
    await this.cancelPending((t) => Number(t.step) === i && settled.some((seat) => seat.includes(this.memberOf(t))))
    const waitsForNobody = !this.tasksOfStep(i).some((t) => t.status === 'pending')
    if (step.mode === 'sequential' && waitsForNobody && seatsOf(step).some((seat) => this.seatState(i, seat) === 'open')) return this.openSeats(i)
    this.request.current_step = i
  }

  async finish(status: 'approved' | 'rejected' | 'withdrawn'): Promise<void> {
    await this.cancelPending(() => true)
    this.request.status = status
    this.request.finished_at = this.now
  }

  /** Tasks nobody needs to act on any more (or-sign settled, request finished, step paused). */
  async cancelPending(which: (task: ApprovalTaskRow) => boolean, reason?: string): Promise<void> {
    for (const task of this.tasks.filter((t) => t.status === 'pending' && which(t))) {
      await this.setTask(task, { status: 'cancelled', decided_at: this.now, ...(reason ? { auto_reason: reason } : {}) })
    }
  }

  async setTask(task: ApprovalTaskRow, changes: Partial<Pick<ApprovalTaskRow, 'status' | 'comment' | 'decided_at' | 'auto_reason' | 'due_at' | 'remind_at'>>): Promise<void> {
    await this.trx.updateTable('approval_tasks').set(changes).where('id', '=', task.id).execute()
    Object.assign(task, changes)
  }

  /**
   * A task for one member: auto-approved when de-duplication applies, else pending for him or
   * his stand-in, with the step's reminder and timeout times.
   */
  async createTask(i: number, member: string, options: { dedup?: boolean } = {}): Promise<ApprovalTaskRow> {
    const step = this.route[i]!
    const earlier = options.dedup === false ? undefined : this.dedupSource(i, member)
    const base: ApprovalTaskRow = {
      id: this.ctx.newId(),
      request_id: this.request.id,
      step: i,
      approver_id: member,
      status: 'pending',
      comment: null,
      decided_at: null,
      created_at: this.now,
      round: this.round,
      delegated_from: null,
      auto_reason: null,
      remind_at: null,
      reminded_at: null,
      due_at: null,
    }
    let task: ApprovalTaskRow
    if (earlier !== undefined) {
      const reason = `自动通过：与第${earlier + 1}步审批人相同`
      task = { ...base, status: 'approved', decided_at: this.now, auto_reason: reason }
    } else {
      task = { ...base, ...this.timers(step) }
      const away = await activeDelegation(this.trx, member, this.now)
      if (away && away.delegateId !== this.request.requester_id && (await this.org.employee(away.delegateId))?.active) {
        task = { ...task, approver_id: away.delegateId, delegated_from: member }
        this.note(i, `${await this.nameOf(member)} 休假中（至 ${away.until}），由 ${await this.nameOf(away.delegateId)} 代理审批`)
      }
    }
    await this.trx.insertInto('approval_tasks').values(task).execute()
    this.tasks.push(task)
    this.created.push(task)
    return task
  }

  timers(step: RouteStep): Pick<ApprovalTaskRow, 'remind_at' | 'due_at'> {
    const sla = step.sla
    return {
      remind_at: sla?.remindAfterHours ? this.now + sla.remindAfterHours * HOUR_MS : null,
      due_at: sla?.timeoutAfterHours ? this.now + sla.timeoutAfterHours * HOUR_MS : null,
    }
  }

  /**
   * 去重: the earlier step this member already approved himself in this round. Steps added by 加签
   * neither get nor give de-duplication, and a return starts a new round, as in Feishu.
   */
  private dedupSource(i: number, member: string): number | undefined {
    if (!this.settings.dedup || this.route[i]!.addedBy) return undefined
    const approvedBefore = this.tasks.find(
      (t) =>
        Number(t.round) === this.round &&
        Number(t.step) !== i &&
        t.status === 'approved' &&
        t.auto_reason === null &&
        this.memberOf(t) === member &&
        !this.route[Number(t.step)]?.addedBy,
    )
    return approvedBefore ? Number(approvedBefore.step) : undefined
  }

  /** Members who left since submit, or since a 依次 step opened, are replaced now, as at submit and at hand-over. */
  private async replaceResignedMembers(i: number): Promise<void> {
    const step = this.route[i]!
    for (const id of [...step.approverIds]) {
      if (this.memberState(i, id) !== 'open') continue
      const person = await this.org.employee(id)
      if (!person || person.active) continue
      const replacement = await replaceResigned(this.org, person, this.settings.resignedApprover, { requesterId: this.request.requester_id, onStep: step.approverIds })
      this.note(i, replacement?.note ?? NOBODY_TO_REPLACE(person))
      replaceMember(step, id, replacement?.ids ?? [])
    }
  }

  note(i: number, text: string): void {
    const step = this.route[i]!
    step.notes = [...(step.notes ?? []), text]
  }

  async nameOf(userId: string): Promise<string> {
    return (await this.org.employee(userId))?.name ?? userId
  }

  /** Shifts tasks of steps at or after `from` by one, making room for an inserted step. */
  async shiftStepsFrom(from: number): Promise<void> {
    await this.trx
      .updateTable('approval_tasks')
      .set((eb) => ({ step: eb('step', '+', 1) }))
      .where('request_id', '=', this.request.id)
      .where('step', '>=', from)
      .execute()
    for (const t of this.tasks) if (Number(t.step) >= from) t.step = Number(t.step) + 1
  }

  /** Writes the request row; posting goes out in the same transaction when the flow just approved it. */
  async save(before: RequestStatus): Promise<RequestRow> {
    this.request.route = JSON.stringify(this.route)
    this.request.updated_at = this.now
    await this.trx
      .updateTable('requests')
      .set({
        status: this.request.status,
        route: this.request.route,
        current_step: this.request.current_step,
        round: this.request.round,
        updated_at: this.now,
        finished_at: this.request.finished_at,
      })
      .where('id', '=', this.request.id)
      .execute()
    if (this.request.status === 'approved' && before !== 'approved') await enqueuePosting(this.trx, this.request, this.ctx.newId, this.now, this.ctx.traceId())
    return this.request
  }
}
