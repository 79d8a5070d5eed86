import { z } from 'zod'

/**
 * A flow template is plain JSON so admins can edit it and every version can be stored as it was
 * published. These schemas are the single definition of what a template may say.
 */

export type ApproverSource =
  /** Named people. */
  | { kind: 'users'; userIds: string[] }
  /** Everyone holding a role; scope department: the nearest holders up the requester's department tree. */
  | { kind: 'role'; role: string; scope?: 'company' | 'department' }
  /** The requester's direct supervisor (the department head when none is recorded). */
  | { kind: 'supervisor' }
  /** The supervisor `level` steps up (1 = direct supervisor). */
  | { kind: 'nthSupervisor'; level: number }
  /** Supervisors one after another, up to `upToLevel` levels or up to the first holder of `upToRole`. */
  | { kind: 'supervisorChain'; upToLevel?: number; upToRole?: string }
  /** The head of the requester's department (level 1) or of a department above it (level 2, …). */
  | { kind: 'departmentHead'; level?: number }
  /** 发起人自选: the requester names them at submit. */
  | { kind: 'initiatorSelected'; multiple?: boolean }
  /** The requester himself (e.g. to confirm a handover); never skipped as "initiator is approver". */
  | { kind: 'initiator' }

export type ConditionOp = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'ne' | 'in' | 'notIn'
export type ConditionValue = number | string | boolean | Array<number | string>

/**
 * Fields: amount (fen), category, department (the requester's department id; a picked department
 * covers its sub-departments), requesterLevel, type, or payload.<name> for any field of the
 * request's payload.
 */
export type Condition = { field: string; op: ConditionOp; value: ConditionValue } | { all: Condition[] } | { any: Condition[] }

export type ApproverMode = 'sequential' | 'countersign' | 'or-sign' | 'vote'

export interface SlaPolicy {
  /** Remind the pending approvers once after this many hours. */
  remindAfterHours?: number
  /** Then, after this many hours from the task's creation, act on its behalf. */
  timeoutAfterHours?: number
  onTimeout?: 'approve' | 'reject' | 'escalate'
}

export interface ApproverNode {
  kind: 'approver'
  id: string
  name: string
  /** Why the step exists, shown on the cards. */
  reason?: string
  sources: ApproverSource[]
  mode: ApproverMode
  /** Vote only: share of approvals needed, e.g. 0.6. */
  passRatio?: number
  /** When the sources give nobody: pass the step, send it to the admins, or reject the request. */
  emptyApprover?: 'auto-pass' | 'admin' | 'reject'
  sla?: SlaPolicy
}

export interface CcNode {
  kind: 'cc'
  id: string
  name: string
  reason?: string
  sources: ApproverSource[]
}

export interface ConditionBranch {
  name: string
  when: Condition
  /** Appended to the condition's explanation: "金额 8,000.00 > 5,000.00，增加部门负责人审批". */
  reason?: string
  nodes: FlowNode[]
}

export interface ConditionNode {
  kind: 'condition'
  id: string
  name?: string
  /** Evaluated in order; the first branch whose condition holds is taken. */
  branches: ConditionBranch[]
  else: { name?: string; reason?: string; nodes: FlowNode[] }
}

/** Ends the flow where it stands (e.g. in a branch for small amounts). */
export interface EndNode {
  kind: 'end'
  id: string
}

export type FlowNode = ApproverNode | CcNode | ConditionNode | EndNode

export interface FlowSettings {
  /** 去重: auto-pass an approver who already approved this request (not after a return, never for 加签). */
  dedup: boolean
  initiatorIsApprover: 'auto-pass' | 'keep'
  resignedApprover: 'supervisor' | 'admin'
}

export interface FlowDefinition {
  name: string
  settings: FlowSettings
  nodes: FlowNode[]
}

const id = z.string().trim().min(1).max(64)
const name = z.string().trim().min(1).max(100)

const sourceSchema: z.ZodType<ApproverSource> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('users'), userIds: z.array(id).min(1) }),
  z.object({ kind: z.literal('role'), role: id, scope: z.enum(['company', 'department']).optional() }),
  z.object({ kind: z.literal('supervisor') }),
  z.object({ kind: z.literal('nthSupervisor'), level: z.number().int().min(1).max(20) }),
  z
    .object({ kind: z.literal('supervisorChain'), upToLevel: z.number().int().min(1).max(20).optional(), upToRole: id.optional() })
    .refine((s) => s.upToLevel !== undefined || s.upToRole !== undefined, '连续多级上级需要 upToLevel 或 upToRole / supervisorChain needs upToLevel or upToRole'),
  z.object({ kind: z.literal('departmentHead'), level: z.number().int().min(1).max(20).optional() }),
  z.object({ kind: z.literal('initiatorSelected'), multiple: z.boolean().optional() }),
  z.object({ kind: z.literal('initiator') }),
])

const conditionValue = z.union([z.number(), z.string(), z.boolean(), z.array(z.union([z.number(), z.string()]))])

const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ field: z.string().regex(/^(amount|category|department|requesterLevel|type|payload\.[A-Za-z0-9_.]+)$/), op: z.enum(['gt', 'gte', 'lt', 'lte', 'eq', 'ne', 'in', 'notIn']), value: conditionValue }),
    z.object({ all: z.array(conditionSchema).min(1) }),
    z.object({ any: z.array(conditionSchema).min(1) }),
  ]),
)

const slaSchema = z
  .object({
    remindAfterHours: z.number().positive().max(24 * 365).optional(),
    timeoutAfterHours: z.number().positive().max(24 * 365).optional(),
    onTimeout: z.enum(['approve', 'reject', 'escalate']).optional(),
  })
  .refine((s) => (s.timeoutAfterHours === undefined) === (s.onTimeout === undefined), '超时时长与超时动作需同时设置 / timeoutAfterHours and onTimeout go together')

const nodeSchema: z.ZodType<FlowNode> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('approver'),
        id,
        name,
        reason: z.string().max(200).optional(),
        sources: z.array(sourceSchema).min(1),
        mode: z.enum(['sequential', 'countersign', 'or-sign', 'vote']),
        passRatio: z.number().gt(0).max(1).optional(),
        emptyApprover: z.enum(['auto-pass', 'admin', 'reject']).optional(),
        sla: slaSchema.optional(),
      })
      .refine((n) => (n.mode === 'vote') === (n.passRatio !== undefined), '票签节点需要 passRatio，其他节点不需要 / passRatio is for vote nodes only'),
    z.object({ kind: z.literal('cc'), id, name, reason: z.string().max(200).optional(), sources: z.array(sourceSchema).min(1) }),
    z.object({
      kind: z.literal('condition'),
      id,
      name: name.optional(),
      branches: z.array(z.object({ name, when: conditionSchema, reason: z.string().max(200).optional(), nodes: z.array(nodeSchema) })).min(1),
      else: z.object({ name: name.optional(), reason: z.string().max(200).optional(), nodes: z.array(nodeSchema) }),
    }),
    z.object({ kind: z.literal('end'), id }),
  ]),
)

export const flowDefinitionSchema: z.ZodType<FlowDefinition> = z
  .object({
    name,
    settings: z.object({
      dedup: z.boolean(),
      initiatorIsApprover: z.enum(['auto-pass', 'keep']),
      resignedApprover: z.enum(['supervisor', 'admin']),
    }),
    nodes: z.array(nodeSchema),
  })
  .refine((d) => uniqueNodeIds(d.nodes), '节点 id 不能重复 / node ids must be unique')

function uniqueNodeIds(nodes: FlowNode[]): boolean {
  const seen = new Set<string>()
  const visit = (list: FlowNode[]): boolean =>
    list.every((node) => {
      if (seen.has(node.id)) return false
      seen.add(node.id)
      return node.kind !== 'condition' || (node.branches.every((b) => visit(b.nodes)) && visit(node.else.nodes))
    })
  return visit(nodes)
}
