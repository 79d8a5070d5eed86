import { formatYuan } from '../money.js'
import { EXPENSE_CATEGORY_LABELS } from '../request-types.js'
import type { Condition, ConditionOp, ConditionValue } from '../templates/flow-definition.js'

/** What a condition can look at, taken from the request and its requester. */
export interface RoutingFacts {
  type: string
  amountFen: number
  category?: string
  departmentId: string
  departmentName: string
  requesterLevel: number
  payload: Record<string, unknown>
}

/** The facts with the department tree around the requester, which buildRoute adds from the org. */
export interface ConditionFacts extends RoutingFacts {
  /**
   * The requester's department and those above it, nearest first: a department picked in a
   * condition covers its sub-departments, as in Feishu and DingTalk.
   */
  departmentPath: string[]
  /** Department names by id, so an explanation reads 研发部, not d-rd. */
  departmentNames: ReadonlyMap<string, string>
}

export interface ConditionResult {
  holds: boolean
  /** The condition as it turned out, in words: "金额 8,000.00 > 5,000.00". */
  explanation: string
}

const OP_TRUE: Record<ConditionOp, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤', eq: '=', ne: '≠', in: '属于', notIn: '不属于' }
const OP_FALSE: Record<ConditionOp, string> = { gt: '≤', gte: '<', lt: '≥', lte: '>', eq: '≠', ne: '=', in: '不属于', notIn: '属于' }

/** Deterministic: the same facts always give the same answer and the same words. */
export function evaluateCondition(condition: Condition, facts: ConditionFacts): ConditionResult {
  if ('all' in condition) {
    const parts = condition.all.map((c) => evaluateCondition(c, facts))
    const holds = parts.every((p) => p.holds)
    // Explain what decided it: all parts when it holds, the failing ones when it does not.
    const shown = holds ? parts : parts.filter((p) => !p.holds)
    return { holds, explanation: shown.map((p) => p.explanation).join(holds ? '且' : '，') }
  }
  if ('any' in condition) {
    const parts = condition.any.map((c) => evaluateCondition(c, facts))
    const holds = parts.some((p) => p.holds)
    const shown = holds ? parts.filter((p) => p.holds) : parts
    return { holds, explanation: shown.map((p) => p.explanation).join(holds ? '，' : '且') }
  }
  if (condition.field === 'department') return departmentCondition(condition.op, condition.value, facts)
  const actual = fieldValue(condition.field, facts)
  const holds = compare(actual, condition.op, condition.value)
  const op = (holds ? OP_TRUE : OP_FALSE)[condition.op]
  return { holds, explanation: `${fieldLabel(condition.field)} ${show(condition.field, actual)} ${op} ${show(condition.field, condition.value)}` }
}

/**
 * The requester is in a picked department when his own department or one above it is picked, so
 * eq and in (ne and notIn) both mean "within" ("not within") and read 属于 (不属于). Ordering a
 * department means nothing: it never holds.
 */
function departmentCondition(op: ConditionOp, value: ConditionValue, facts: ConditionFacts): ConditionResult {
  const picked = Array.isArray(value) ? value : [value]
  const within = facts.departmentPath.some((id) => picked.includes(id))
  const holds = op === 'in' || op === 'eq' ? within : op === 'notIn' || op === 'ne' ? !within : false
  const name = (id: unknown) => facts.departmentNames.get(String(id)) ?? String(id)
  return { holds, explanation: `部门 ${facts.departmentName} ${within ? '属于' : '不属于'} ${picked.map(name).join('/')}` }
}

function fieldValue(field: string, facts: ConditionFacts): unknown {
  switch (field) {
    case 'amount':
      return facts.amountFen
    case 'category':
      return facts.category
    case 'requesterLevel':
      return facts.requesterLevel
    case 'type':
      return facts.type
    default:
      return field
        .slice('payload.'.length)
        .split('.')
        .reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), facts.payload)
  }
}

function compare(actual: unknown, op: ConditionOp, expected: ConditionValue): boolean {
  if (op === 'in' || op === 'notIn') {
    const list = Array.isArray(expected) ? expected : [expected]
    const member = list.some((v) => v === actual)
    return op === 'in' ? member : !member
  }
  if (op === 'eq') return actual === expected
  if (op === 'ne') return actual !== expected
  // Ordering needs two numbers (or two ISO dates); anything else never satisfies it.
  if (typeof actual === 'number' && typeof expected === 'number') return order(actual, expected, op)
  if (typeof actual === 'string' && typeof expected === 'string') return order(actual.localeCompare(expected), 0, op)
  return false
}

function order(a: number, b: number, op: 'gt' | 'gte' | 'lt' | 'lte'): boolean {
  return op === 'gt' ? a > b : op === 'gte' ? a >= b : op === 'lt' ? a < b : a <= b
}

function fieldLabel(field: string): string {
  const labels: Record<string, string> = { amount: '金额', category: '费用类型', requesterLevel: '申请人职级', type: '申请类型' }
  return labels[field] ?? field.slice('payload.'.length)
}

function show(field: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => show(field, v)).join('/')
  if (value === undefined || value === null) return '（未填写）'
  if (field === 'amount' && typeof value === 'number') return formatYuan(value)
  if (field === 'category' && typeof value === 'string') return EXPENSE_CATEGORY_LABELS[value as keyof typeof EXPENSE_CATEGORY_LABELS] ?? value
  return String(value)
}
