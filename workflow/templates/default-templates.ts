import type { RequestType } from '../request-types.js'
import type { FlowDefinition, FlowSettings } from './flow-definition.js'

/** Feishu's defaults: de-duplicate, never approve your own request, resigned approvers go up. */
const STANDARD: FlowSettings = { dedup: true, initiatorIsApprover: 'auto-pass', resignedApprover: 'supervisor' }

const SUPERVISOR_SLA = { remindAfterHours: 24, timeoutAfterHours: 72, onTimeout: 'escalate' } as const

/**
 * Version 1 of every request type's flow, published on first use or by the demo seed. The expense
 * flow is the skeleton's route: supervisor → department head above 5,000 yuan → finance (或签).
 */
export const DEFAULT_TEMPLATES: Record<RequestType, FlowDefinition> = {
  expense: {
    name: '费用报销审批',
    settings: STANDARD,
    nodes: [
      { kind: 'approver', id: 'supervisor', name: '直属上级审批', reason: '报销需直属上级审批', sources: [{ kind: 'supervisor' }], mode: 'or-sign', emptyApprover: 'auto-pass', sla: SUPERVISOR_SLA },
      {
        kind: 'condition',
        id: 'amount-check',
        name: '金额判断',
        branches: [
          {
            name: '大额',
            when: { field: 'amount', op: 'gt', value: 5_000_00 },
            reason: '增加部门负责人审批',
            nodes: [{ kind: 'approver', id: 'department-head', name: '部门负责人审批', sources: [{ kind: 'departmentHead' }], mode: 'or-sign', emptyApprover: 'auto-pass', sla: SUPERVISOR_SLA }],
          },
        ],
        else: { name: '常规', reason: '无需部门负责人审批', nodes: [] },
      },
      { kind: 'approver', id: 'finance', name: '财务审批', reason: '报销需财务复核', sources: [{ kind: 'role', role: 'finance' }], mode: 'or-sign', emptyApprover: 'admin', sla: { remindAfterHours: 24 } },
    ],
  },
  purchase: {
    name: '采购审批',
    settings: STANDARD,
    nodes: [
      { kind: 'approver', id: 'supervisor', name: '直属上级审批', reason: '采购需直属上级确认需求', sources: [{ kind: 'supervisor' }], mode: 'or-sign', emptyApprover: 'auto-pass', sla: SUPERVISOR_SLA },
      {
        kind: 'condition',
        id: 'amount-check',
        name: '金额判断',
        branches: [
          {
            name: '重大采购',
            when: { field: 'amount', op: 'gt', value: 50_000_00 },
            reason: '部门负责人与财务经理会签，总经理审批',
            nodes: [
              { kind: 'approver', id: 'major-review', name: '部门负责人与财务经理会签', sources: [{ kind: 'departmentHead' }, { kind: 'role', role: 'finance_manager' }], mode: 'countersign', emptyApprover: 'admin' },
              { kind: 'approver', id: 'ceo', name: '总经理审批', sources: [{ kind: 'role', role: 'ceo' }], mode: 'or-sign', emptyApprover: 'admin' },
            ],
          },
          {
            name: '大额采购',
            when: { field: 'amount', op: 'gt', value: 10_000_00 },
            reason: '增加部门负责人审批',
            nodes: [{ kind: 'approver', id: 'department-head', name: '部门负责人审批', sources: [{ kind: 'departmentHead' }], mode: 'or-sign', emptyApprover: 'auto-pass' }],
          },
        ],
        else: { name: '常规采购', reason: '无需部门负责人审批', nodes: [] },
      },
      { kind: 'approver', id: 'finance', name: '财务审批', reason: '采购需财务确认预算', sources: [{ kind: 'role', role: 'finance' }], mode: 'or-sign', emptyApprover: 'admin' },
      { kind: 'cc', id: 'cc-admin', name: '抄送行政', reason: '通过后由行政安排采购', sources: [{ kind: 'role', role: 'admin' }] },
    ],
  },
  'hr.transfer': {
    name: '调岗审批',
    settings: STANDARD,
    nodes: [
      { kind: 'approver', id: 'supervisor', name: '直属上级审批', reason: '调岗需现任上级同意', sources: [{ kind: 'supervisor' }], mode: 'or-sign', emptyApprover: 'auto-pass', sla: SUPERVISOR_SLA },
      { kind: 'approver', id: 'department-head', name: '部门负责人审批', reason: '调岗需部门负责人同意', sources: [{ kind: 'departmentHead' }], mode: 'or-sign', emptyApprover: 'auto-pass' },
      { kind: 'approver', id: 'hr', name: '人事审批', reason: '人事办理调岗手续', sources: [{ kind: 'role', role: 'hr' }], mode: 'or-sign', emptyApprover: 'admin' },
      { kind: 'cc', id: 'cc-finance', name: '抄送财务', reason: '成本中心随部门变更', sources: [{ kind: 'role', role: 'finance' }] },
    ],
  },
  'hr.resign': {
    name: '离职审批',
    settings: STANDARD,
    nodes: [
      { kind: 'approver', id: 'managers', name: '逐级主管审批', reason: '离职需各级主管依次确认，直至部门负责人', sources: [{ kind: 'supervisorChain', upToRole: 'dept_head' }], mode: 'sequential', emptyApprover: 'auto-pass', sla: SUPERVISOR_SLA },
      { kind: 'approver', id: 'hr', name: '人事审批', reason: '人事办理离职手续', sources: [{ kind: 'role', role: 'hr' }], mode: 'or-sign', emptyApprover: 'admin' },
      { kind: 'cc', id: 'cc-admin', name: '抄送行政', reason: '回收账号与资产', sources: [{ kind: 'role', role: 'admin' }] },
    ],
  },
  project: {
    name: '立项审批',
    settings: STANDARD,
    nodes: [
      { kind: 'approver', id: 'supervisor', name: '直属上级审批', reason: '立项需直属上级同意', sources: [{ kind: 'supervisor' }], mode: 'or-sign', emptyApprover: 'auto-pass', sla: SUPERVISOR_SLA },
      { kind: 'approver', id: 'review', name: '立项评审', reason: '由发起人选择的评审人投票，过半数通过', sources: [{ kind: 'initiatorSelected', multiple: true }], mode: 'vote', passRatio: 0.5, emptyApprover: 'auto-pass' },
      {
        kind: 'condition',
        id: 'budget-check',
        name: '预算判断',
        branches: [
          {
            name: '大额预算',
            when: { field: 'amount', op: 'gt', value: 100_000_00 },
            reason: '增加总经理审批',
            nodes: [{ kind: 'approver', id: 'ceo', name: '总经理审批', sources: [{ kind: 'role', role: 'ceo' }], mode: 'or-sign', emptyApprover: 'admin' }],
          },
        ],
        else: { name: '常规预算', reason: '无需总经理审批', nodes: [] },
      },
      { kind: 'approver', id: 'finance-manager', name: '财务经理审批', reason: '确认预算来源', sources: [{ kind: 'role', role: 'finance_manager' }], mode: 'or-sign', emptyApprover: 'admin' },
    ],
  },
}
