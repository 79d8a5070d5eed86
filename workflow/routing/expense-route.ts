import { DomainError } from '../errors.js'
import { formatYuan } from '../money.js'
import type { Employee, OrgDirectory } from '../org.js'
import type { RouteStep } from './route.js'

/** Above this amount the department head also approves (yuan 5,000). */
export const DEPARTMENT_HEAD_THRESHOLD_FEN = 5_000_00

/**
 * The default expense route: direct supervisor → (department head above 5,000 yuan) → finance.
 * Deterministic: the same org and amount always give the same route.
 */
export async function resolveExpenseRoute(org: OrgDirectory, requester: Employee, amountFen: number): Promise<RouteStep[]> {
  const steps: RouteStep[] = []
  const supervisorId = requester.managerId ?? (await org.department(requester.departmentId))?.headUserId ?? null
  if (!supervisorId) {
    throw new DomainError('NO_APPROVER', `${requester.name} 没有直属上级，请联系管理员配置`, `${requester.name} has no supervisor`)
  }
  steps.push({ name: '直属上级审批', mode: 'any', approverIds: [supervisorId], reason: '报销需直属上级审批' })

  if (amountFen > DEPARTMENT_HEAD_THRESHOLD_FEN) {
    const department = await org.department(requester.departmentId)
    const headId = department?.headUserId
    const reason = `金额 ${formatYuan(amountFen)} > ${formatYuan(DEPARTMENT_HEAD_THRESHOLD_FEN)}，增加部门负责人审批`
    if (headId && headId !== supervisorId) {
      steps.push({ name: '部门负责人审批', mode: 'any', approverIds: [headId], reason })
    }
  }

  const finance = (await org.withRole('finance')).map((e) => e.id)
  if (finance.length === 0) {
    throw new DomainError('NO_APPROVER', '未配置财务审批人（角色 finance），请联系管理员', 'no user holds the finance role')
  }
  steps.push({ name: '财务审批', mode: 'any', approverIds: finance, reason: '报销需财务复核' })

  return steps.map((step) => withoutRequester(step, requester.id))
}

/** Nobody approves his own claim: drop the requester; a step left empty passes automatically. */
function withoutRequester(step: RouteStep, requesterId: string): RouteStep {
  if (!step.approverIds.includes(requesterId)) return step
  const approverIds = step.approverIds.filter((id) => id !== requesterId)
  return approverIds.length > 0
    ? { ...step, approverIds }
    : { ...step, approverIds, skippedBecause: '审批人即发起人，自动通过' }
}
