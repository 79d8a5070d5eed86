import type { RequestRow } from '../../db/schema.js'
import type { Log } from '../../ops/logging/log.js'
import type { AppMetrics } from '../../ops/metrics/app-metrics.js'
import type { FlowResult } from '../../workflow/actions/flow-action.js'
import { isDomainError } from '../../workflow/errors.js'

export interface WorkflowObservers {
  metrics: AppMetrics
  log: Log
}

const isFlowResult = (value: unknown): value is FlowResult =>
  typeof value === 'object' && value !== null && 'outcome' in value && 'request' in value && 'openedTasks' in value
/** 批量同意 (approveMany): one decision per request that went through. */
const isBatch = (value: unknown): value is { result?: FlowResult }[] =>
  Array.isArray(value) && value.length > 0 && value.every((item: unknown) => typeof item === 'object' && item !== null && 'ok' in item && 'requestId' in item)
const isRequestRow = (value: unknown): value is RequestRow => typeof value === 'object' && value !== null && 'requester_id' in value && 'status' in value

/**
 * The workflow services (RequestService, DecisionService) as the server hands them to the bot:
 * every action that yields a FlowResult is counted by outcome and logged under the current
 * request id, and final decisions feed the time-to-decision histogram. The services are untouched.
 */
export function observeWorkflow<T extends object>(service: T, observers: WorkflowObservers): T {
  return new Proxy(service, {
    get(target, property) {
      const value = Reflect.get(target, property, target)
      if (typeof value !== 'function' || property === 'constructor' || typeof property !== 'string') return value
      return function observed(...args: unknown[]) {
        // Called on the service itself: its internal calls (createExpenseDraft → createDraft) are not counted twice.
        const result = Reflect.apply(value, target, args) as unknown
        if (!(result instanceof Promise)) return result
        return result.then(
          async (settled: unknown) => {
            if (isFlowResult(settled)) {
              await record(observers, property, args[0], settled)
            } else if (isBatch(settled)) {
              for (const item of settled) if (item.result) await record(observers, 'decide', { decision: 'approve' }, item.result)
            } else if (isRequestRow(settled)) {
              observers.log(`workflow: ${property} ${settled.request_no ?? settled.id} → ${settled.status}`, { action: property, requestNo: settled.request_no, status: settled.status })
            }
            return settled
          },
          (error: unknown) => {
            if (isDomainError(error)) observers.log(`workflow: ${property} refused: ${error.code}`, { action: property, code: error.code })
            throw error
          },
        )
      }
    },
  })
}

async function record(observers: WorkflowObservers, action: string, input: unknown, result: FlowResult): Promise<void> {
  const { metrics, log } = observers
  const { request, outcome } = result
  metrics.workflowActions.inc({ action, outcome })
  if (action === 'decide') metrics.approvals.inc({ decision: (input as { decision?: string } | undefined)?.decision ?? 'unknown', outcome })
  if ((outcome === 'approved' || outcome === 'rejected') && request.submitted_at != null && request.finished_at != null) {
    metrics.timeToDecision.observe({ type: request.type, outcome }, Math.max(0, (Number(request.finished_at) - Number(request.submitted_at)) / 1000))
  }
  log(`workflow: ${action} ${request.request_no ?? request.id} → ${outcome} (${request.status}; ${result.openedTasks.length} task(s) opened)`, {
    action,
    requestNo: request.request_no,
    outcome,
    status: request.status,
  })
}
