import { inTransaction } from '../../db/transaction.js'
import { runFlowAction, type FlowResult } from '../actions/flow-action.js'
import { appendAudit } from '../audit.js'
import type { FlowRun } from '../engine/flow-run.js'
import type { Employee } from '../org.js'
import { supervisorOf } from '../routing/approver-sources.js'
import { replaceMember } from '../routing/route.js'
import type { WorkflowContext } from '../workflow-context.js'

export interface Reminder {
  requestId: string
  approverId: string
  /** When the task was created, so the message can say how long it waited. */
  waitingSince: number
}

export interface TimeoutApplied {
  requestId: string
  taskId: string
  action: 'approve' | 'reject' | 'escalate'
  result: FlowResult
}

export interface TimerRun {
  reminders: Reminder[]
  timeouts: TimeoutApplied[]
}

/** Rows handled per call, so one call stays short however much is overdue. */
const BATCH = 100

/**
 * Per-step SLA (remind after X, then approve / reject / escalate after Y), driven by the worker
 * loop. Timers are columns on the tasks, so they survive restarts; every firing is a conditional
 * update under the request lock, so two workers never fire one timer twice.
 */
export class SlaTimers {
  constructor(private readonly ctx: WorkflowContext) {}

  async runDueTimers(now: number = this.ctx.now()): Promise<TimerRun> {
    return { reminders: await this.remind(now), timeouts: await this.timeOut(now) }
  }

  private async remind(now: number): Promise<Reminder[]> {
    const due = await this.ctx.db
      .selectFrom('approval_tasks')
      .innerJoin('requests', 'requests.id', 'approval_tasks.request_id')
      .select(['approval_tasks.id', 'approval_tasks.request_id', 'approval_tasks.approver_id', 'approval_tasks.created_at'])
      .where('approval_tasks.status', '=', 'pending')
      .where('approval_tasks.remind_at', '<=', now)
      .where('approval_tasks.reminded_at', 'is', null)
      .where('requests.status', '=', 'pending')
      .orderBy('approval_tasks.remind_at')
      .limit(BATCH)
      .execute()
    const sent: Reminder[] = []
    for (const task of due) {
      const claimed = await inTransaction(this.ctx.db, async (trx) => {
        const updated = await trx
          .updateTable('approval_tasks')
          .set({ reminded_at: now })
          .where('id', '=', task.id)
          .where('status', '=', 'pending')
          .where('reminded_at', 'is', null)
          .executeTakeFirst()
        if (Number(updated.numUpdatedRows) !== 1) return false
        await appendAudit(trx, { at: now, actorId: null, action: 'task.reminded', entityType: 'request', entityId: task.request_id, after: { taskId: task.id, approverId: task.approver_id } })
        return true
      })
      if (claimed) sent.push({ requestId: task.request_id, approverId: task.approver_id, waitingSince: Number(task.created_at) })
    }
    return sent
  }

  private async timeOut(now: number): Promise<TimeoutApplied[]> {
    const due = await this.ctx.db
      .selectFrom('approval_tasks')
      .innerJoin('requests', 'requests.id', 'approval_tasks.request_id')
      .select(['approval_tasks.id', 'approval_tasks.request_id'])
      .where('approval_tasks.status', '=', 'pending')
      .where('approval_tasks.due_at', '<=', now)
      .where('requests.status', '=', 'pending')
      .orderBy('approval_tasks.due_at')
      .limit(BATCH)
      .execute()
    const applied: TimeoutApplied[] = []
    for (const task of due) {
      const fired: { action?: TimeoutApplied['action'] } = {}
      const result = await runFlowAction({ ...this.ctx, now: () => now }, task.request_id, async (run) => {
        const live = run.pendingOnCurrent().find((t) => t.id === task.id)
        const onTimeout = run.route[run.current]?.sla?.onTimeout
        // Decided, moved on or withdrawn since the query: nothing is due any more.
        if (!live || !onTimeout || live.due_at === null || Number(live.due_at) > now) return null
        fired.action = onTimeout
        return this.apply(run, live.id, onTimeout)
      })
      if (fired.action) applied.push({ requestId: task.request_id, taskId: task.id, action: fired.action, result })
    }
    return applied
  }

  private async apply(run: FlowRun, taskId: string, onTimeout: 'approve' | 'reject' | 'escalate') {
    const task = run.tasks.find((t) => t.id === taskId)!
    const i = run.current
    const name = await run.nameOf(task.approver_id)
    if (onTimeout === 'escalate') {
      // Up from the approver the route named, not from a stand-in.
      const named = await run.org.employee(run.memberOf(task))
      const boss = named && (await supervisorOf(run.org, named))
      const target = boss?.active && boss.id !== run.request.requester_id && !run.route[i]!.approverIds.includes(boss.id) ? boss : null
      if (!target) {
        // The task stays with its approver, without a further deadline. We do not skip a level when
        // the supervisor is on this step already: Feishu and DingTalk escalate to the direct
        // supervisor only, and he already has the request before him; a skip-level manager on a
        // step the template never gave him would surprise both. The note says which case it was.
        await run.setTask(task, { due_at: null })
        run.note(i, `${name} 超时未处理，${boss ? whyNotEscalated(run, boss) : '无可升级的上级'}，继续等待`)
        return { action: 'task.timeout_escalate_failed', actorId: null, after: { supervisor: boss?.id ?? null }, outcome: 'recorded' as const }
      }
      const member = run.memberOf(task)
      const step = run.route[i]!
      replaceMember(step, member, [target.id])
      await run.setTask(task, { status: 'transferred', decided_at: run.now, auto_reason: '超时未处理，已升级给上级' })
      run.note(i, `${name} 超时未处理，已升级给 ${target.name}`)
      const escalated = await run.createTask(i, target.id, { dedup: false })
      // The escalated task keeps its reminder but gets no deadline of its own: one escalation per task.
      await run.setTask(escalated, { due_at: null })
      return { action: 'task.timeout_escalated', actorId: null, after: { from: task.approver_id, to: target.id }, outcome: 'transferred' as const }
    }
    const approve = onTimeout === 'approve'
    const reason = approve ? '超时自动同意' : '超时自动驳回'
    await run.setTask(task, { status: approve ? 'approved' : 'rejected', decided_at: run.now, auto_reason: reason })
    run.note(i, `${name} ${reason}`)
    await run.settle(i)
    return { action: approve ? 'task.timeout_approved' : 'task.timeout_rejected', actorId: null, after: { taskId } }
  }
}

/** Why the approver's supervisor did not take an escalated task, in the words the card shows. */
function whyNotEscalated(run: FlowRun, boss: Employee): string {
  if (!boss.active) return `上级 ${boss.name} 已离职，无可升级的上级`
  if (boss.id === run.request.requester_id) return `上级 ${boss.name} 即发起人，不升级`
  return `上级 ${boss.name} 已在本步审批中，不再升级`
}
