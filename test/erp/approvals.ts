import type { System } from '../../server/compose.js'
import type { PayloadOf, RequestType } from '../../workflow/request-types.js'

const REQUESTERS = ['zhangsan', 'wujiu', 'lisi', 'zhaoliu']

/**
 * Approved expense claims made through the workflow services (draft → submit → every approver
 * on the route approves), without the chat round trips: the fault tests need hundreds of them.
 * `parallel` claims are in flight at once, from several requesters. Each final approval writes
 * its outbox row in its own transaction. Returns the request numbers.
 */
export async function approveExpenseClaims(system: System, count: number, options: { parallel?: number; requesters?: readonly string[] } = {}): Promise<string[]> {
  const numbers: string[] = []
  const requesters = options.requesters ?? REQUESTERS
  let next = 0
  const lane = async () => {
    while (next < count) {
      const i = next++
      numbers.push(await approveOne(system, requesters[i % requesters.length]!, 10_000 + i))
    }
  }
  await Promise.all(Array.from({ length: options.parallel ?? 1 }, lane))
  return numbers
}

async function approveOne(system: System, requesterId: string, amountFen: number): Promise<string> {
  return (await approveRequest(system, 'expense', requesterId, { category: 'travel', amountFen, reason: `出差 ${amountFen}` })).requestNo
}

/** One request of any type, submitted (with the approvers its route lets the requester choose) and approved by everyone its route asks. */
export async function approveRequest<T extends RequestType>(
  system: System,
  type: T,
  requesterId: string,
  payload: PayloadOf<T>,
  selections?: Record<string, string[]>,
): Promise<{ id: string; requestNo: string }> {
  const { requests, decisions, db } = system.services
  const draft = await requests.createDraft(type, requesterId, payload)
  const { request } = await asPersonWould(() => requests.submit(draft.id, requesterId, { selections }))
  // One decision at a time: a decision can close the step (or-sign, a vote past its ratio) and cancel the other tasks.
  for (let decided = 0; decided < 20; decided++) {
    const task = await db.selectFrom('approval_tasks').select(['approver_id']).where('request_id', '=', draft.id).where('status', '=', 'pending').orderBy('approver_id').executeTakeFirst()
    if (!task) break
    await asPersonWould(() => decisions.decide({ requestId: draft.id, actorId: task.approver_id, decision: 'approve' }))
  }
  const finished = await db.selectFrom('requests').select('status').where('id', '=', draft.id).executeTakeFirstOrThrow()
  if (finished.status !== 'approved') throw new Error(`${request.request_no} ended ${finished.status}, not approved`)
  return { id: draft.id, requestNo: request.request_no! }
}

/**
 * Under this much parallel submitting MariaDB picks deadlock victims more often than the
 * workflow's own retries absorb (the request-number counter is one hot row); the transaction was
 * rolled back, so doing it again is what a person tapping again would do.
 */
async function asPersonWould<T>(action: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action()
    } catch (error) {
      if ((error as { code?: string }).code !== 'ER_LOCK_DEADLOCK' || attempt >= 10) throw error
      await new Promise((r) => setTimeout(r, 20 * attempt))
    }
  }
}
