import type { DbHandle } from '../../db/connect.js'
import { seedDemoOrg } from '../../db/seeds/demo-org.js'
import type { FlowResult } from '../../workflow/actions/flow-action.js'
import { verifyAuditChain } from '../../workflow/audit-chain.js'
import { DecisionService } from '../../workflow/decisions.js'
import { PolicyStore } from '../../workflow/policy/policy-store.js'
import { RequestService } from '../../workflow/request-service.js'
import type { PayloadOf, RequestType } from '../../workflow/request-types.js'
import { loadRequestView, type RequestView } from '../../workflow/request-view.js'
import type { FlowDefinition, FlowNode, FlowSettings } from '../../workflow/templates/flow-definition.js'
import { Delegations } from '../../workflow/time/delegations.js'
import { SlaTimers } from '../../workflow/time/sla-timers.js'
import { createWorkflowContext, type WorkflowContext } from '../../workflow/workflow-context.js'
import { freshDatabase, type TestDbKind } from '../helpers/databases.js'

/** 2026-11-25 10:00 Asia/Shanghai. */
export const T0 = Date.parse('2026-11-25T02:00:00Z')
export const HOUR = 3_600_000

export const STANDARD: FlowSettings = { dedup: true, initiatorIsApprover: 'auto-pass', resignedApprover: 'supervisor' }

/** A one-type flow from a list of nodes, with Feishu's default rules unless told otherwise. */
export function flow(nodes: FlowNode[], settings: Partial<FlowSettings> = {}): FlowDefinition {
  return { name: '测试流程', settings: { ...STANDARD, ...settings }, nodes }
}

let nodeCounter = 0
/** An approver node; ids are unique so templates can reuse the helper freely. */
export function approver(node: Partial<Extract<FlowNode, { kind: 'approver' }>> & Pick<Extract<FlowNode, { kind: 'approver' }>, 'sources'>): FlowNode {
  nodeCounter++
  return { kind: 'approver', id: `n${nodeCounter}`, name: `节点${nodeCounter}`, mode: 'or-sign', ...node }
}

export const users = (...userIds: string[]) => [{ kind: 'users' as const, userIds }]

/**
 * The real domain services on a real, seeded database, with a clock the test moves. No chat: the
 * scenario tests speak to the workflow the way the bot does.
 */
export class FlowHarness {
  clock = T0
  readonly ctx: WorkflowContext
  readonly requests: RequestService
  readonly decisions: DecisionService
  readonly timers: SlaTimers
  readonly delegations: Delegations
  readonly policies: PolicyStore

  private constructor(readonly database: DbHandle) {
    this.ctx = createWorkflowContext(database.db, () => this.clock)
    this.requests = new RequestService(this.ctx)
    this.decisions = new DecisionService(this.ctx)
    this.timers = new SlaTimers(this.ctx)
    this.delegations = new Delegations(database.db, () => this.clock)
    this.policies = new PolicyStore(database.db, () => this.clock)
  }

  static async open(kind: TestDbKind): Promise<FlowHarness> {
    const database = await freshDatabase(kind)
    await seedDemoOrg(database.db, T0)
    return new FlowHarness(database)
  }

  get db() {
    return this.database.db
  }

  async close(): Promise<void> {
    await this.database.close()
  }

  async publish(type: RequestType, definition: FlowDefinition): Promise<number> {
    return (await this.requests.templates.publish(type, definition, 'admin')).version
  }

  async draft<T extends RequestType>(requesterId: string, type: T, payload: PayloadOf<T>) {
    this.clock += 1000
    return this.requests.createDraft(type, requesterId, payload)
  }

  /** Draft and submit in one go; the clock moves a second so events are ordered. */
  async submit<T extends RequestType>(requesterId: string, type: T, payload: PayloadOf<T>, selections?: Record<string, string[]>): Promise<FlowResult> {
    const draft = await this.draft(requesterId, type, payload)
    this.clock += 1000
    return this.requests.submit(draft.id, requesterId, { selections })
  }

  expense(requesterId: string, yuan: number, extra: Partial<PayloadOf<'expense'>> = {}) {
    return this.submit(requesterId, 'expense', { category: 'travel', amountFen: yuan * 100, ...extra })
  }

  async approve(requestId: string, actorId: string, comment?: string) {
    this.clock += 1000
    return this.decisions.decide({ requestId, actorId, decision: 'approve', comment })
  }

  async reject(requestId: string, actorId: string, comment?: string) {
    this.clock += 1000
    return this.decisions.decide({ requestId, actorId, decision: 'reject', comment })
  }

  view(requestId: string): Promise<RequestView> {
    return loadRequestView(this.db, requestId)
  }

  /** Who must act now, sorted. */
  async pending(requestId: string): Promise<string[]> {
    const view = await this.view(requestId)
    return view.tasks.filter((t) => t.status === 'pending').map((t) => t.approverId).sort()
  }

  async status(requestId: string): Promise<string> {
    return (await this.view(requestId)).status
  }

  async setActive(userId: string, active: boolean): Promise<void> {
    await this.db.updateTable('users').set({ active: active ? 1 : 0 }).where('id', '=', userId).execute()
  }

  /** Everything an action could change, to prove a refusal changed nothing. */
  async snapshot() {
    return {
      requests: await this.db.selectFrom('requests').select(['id', 'status', 'current_step', 'route', 'round']).orderBy('id').execute(),
      tasks: await this.db.selectFrom('approval_tasks').select(['id', 'approver_id', 'status', 'step']).orderBy('id').execute(),
      comments: (await this.db.selectFrom('request_comments').select('id').execute()).length,
      audit: (await this.db.selectFrom('audit_log').select('id').execute()).length,
    }
  }

  async chainIsIntact(): Promise<boolean> {
    return (await verifyAuditChain(this.db)).ok
  }
}
