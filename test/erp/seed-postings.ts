import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { postingRow } from '../../workflow/outbox.js'

/**
 * Approved expense claims with their outbox rows, written straight into the tables the workflow
 * writes on a final approval: for tests and benchmarks about draining the outbox, where going
 * through thousands of approvals first would only measure the approvals.
 */
export async function seedApprovedClaims(db: Kysely<Schema>, count: number, options: { requesterId?: string; now?: number } = {}): Promise<string[]> {
  const now = options.now ?? Date.now()
  const numbers: string[] = []
  for (let start = 0; start < count; start += 500) {
    const batch = Array.from({ length: Math.min(500, count - start) }, (_, i) => {
      const n = start + i + 1
      const amountFen = 10_000 + n
      return { id: crypto.randomUUID(), requestNo: `BX-209901-${String(n).padStart(5, '0')}`, amountFen }
    })
    await db
      .insertInto('requests')
      .values(
        batch.map((r) => ({
          id: r.id,
          request_no: r.requestNo,
          type: 'expense',
          requester_id: options.requesterId ?? 'zhangsan',
          title: '差旅费',
          payload: JSON.stringify({ category: 'travel', amountFen: r.amountFen }),
          amount_fen: r.amountFen,
          status: 'approved',
          route: '[]',
          current_step: 0,
          version: 1,
          created_at: now,
          submitted_at: now,
          updated_at: now,
          finished_at: now,
        })),
      )
      .execute()
    await db
      .insertInto('outbox')
      .values(batch.map((r) => postingRow({ id: r.id, type: 'expense', request_no: r.requestNo }, crypto.randomUUID(), now)!))
      .execute()
    numbers.push(...batch.map((r) => r.requestNo))
  }
  return numbers
}
