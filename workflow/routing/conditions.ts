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

export interface ConditionResult {
  holds: boolean
  /** The condition as it turned out, in words: "金额 8,000.00 > 5,000.00". */
  explanation: string
}

const OP_TRUE: Record<ConditionOp, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤', eq: '=', ne: '≠', in: '属于', notIn: '不属于' }
const OP_FALSE: Record<ConditionOp, string> = { gt: '≤', gte: '<', lt: '≥', lte: '>', eq: '≠', ne: '=', in: '不属于', notIn: '属于' }

/** Deterministic: the same facts always give the same answer and the same words. */
export function evaluateCondition(condition: Condition, facts: RoutingFacts): ConditionResult {
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
  const actual = fieldValue(condition.field, facts)
  const holds = compare(actual, condition.op, condition.value)
  const op = (holds ? OP_TRUE : OP_FALSE)[condition.op]
  return { holds, explanation: `${fieldLabel(condition.field)} ${show(condition.field, actual, facts)} ${op} ${show(condition.field, condition.value, facts)}` }
}

function fieldValue(field: string, facts: RoutingFacts): unknown {
  switch (field) {
    case 'amount':
      return facts.amountFen
    case 'category':
      return facts.category
    case 'department':
      return facts.departmentId
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
  const labels: Record<string, string> = { amount: '金额', category: '费用类型', department: '部门', requesterLevel: '申请人职级', type: '申请类型' }
  return labels[field] ?? field.slice('payload.'.length)
}

function show(field: string, value: unknown, facts: RoutingFacts): string {
  if (Array.isArray(value)) return value.map((v) => show(field, v, facts)).join('/')
  if (value === undefined || value === null) return '（未填写）'
  if (field === 'amount' && typeof value === 'number') return formatYuan(value)
  if (field === 'category' && typeof value === 'string') return EXPENSE_CATEGORY_LABELS[value as keyof typeof EXPENSE_CATEGORY_LABELS] ?? value
  if (field === 'department' && value === facts.departmentId) return facts.departmentName
  return String(value)
}
