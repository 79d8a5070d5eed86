import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'

/**
 * History written straight into the tables, as months of ordinary use would have left it: the
 * anomaly rules read requests, tasks and attachments, so that is what a test seeds.
 */
export interface SeededClaim {
  by: string
  amount: number
  category?: string
  type?: string
  /** A single day (meal, taxi, purchase)… */
  date?: string
  /** …or a period (a trip). */
  period?: [string, string]
  status?: string
  submittedAt?: number
  invoices?: { number: string; code?: string }[]
}

let sequence = 0

export async function seedClaim(db: Kysely<Schema>, claim: SeededClaim): Promise<{ id: string; requestNo: string }> {
  sequence++
  const id = `seed-${sequence}-${Math.random().toString(36).slice(2, 8)}`
  const type = claim.type ?? 'expense'
  const occurredOn = claim.date ?? claim.period?.[1] ?? '2026-11-01'
  const amountFen = Math.round(claim.amount * 100)
  const payload =
    type === 'expense'
      ? { category: claim.category ?? 'travel', amountFen, ...(claim.date ? { date: claim.date } : {}), ...(claim.period ? { period: { from: claim.period[0], to: claim.period[1] } } : {}), ...(claim.invoices ? { invoices: claim.invoices } : {}) }
      : { item: '显示器', quantity: 1, amountFen }
  const submittedAt = claim.submittedAt ?? Date.parse(`${occurredOn}T18:00:00+08:00`)
  const requestNo = `${type === 'expense' ? 'BX' : 'CG'}-${occurredOn.slice(0, 7).replace('-', '')}-${String(sequence).padStart(4, '0')}`
  await db
    .insertInto('requests')
    .values({
      id,
      request_no: requestNo,
      type,
      requester_id: claim.by,
      title: `${claim.category ?? type} ${claim.amount}`,
      payload: JSON.stringify(payload),
      amount_fen: amountFen,
      status: claim.status ?? 'approved',
      route: '[]',
      current_step: 0,
      version: 0,
      created_at: submittedAt - 60_000,
      submitted_at: submittedAt,
      updated_at: submittedAt,
      finished_at: null,
      template_version: 1,
      policy_findings: '[]',
      routing_notes: '[]',
      occurred_on: occurredOn,
      last_urged_at: null,
    })
    .execute()
  return { id, requestNo }
}

export async function seedTask(db: Kysely<Schema>, requestId: string, task: { approver: string; createdAt: number; decidedAfterMs: number; comment?: string }): Promise<void> {
  await db
    .insertInto('approval_tasks')
    .values({
      id: crypto.randomUUID(),
      request_id: requestId,
      step: 0,
      approver_id: task.approver,
      status: 'approved',
      comment: task.comment ?? null,
      decided_at: task.createdAt + task.decidedAfterMs,
      created_at: task.createdAt,
      delegated_from: null,
      auto_reason: null,
      remind_at: null,
      reminded_at: null,
      due_at: null,
    })
    .execute()
}

export async function seedAttachment(db: Kysely<Schema>, requestId: string, owner: string, file: { sha256: string; invoiceKey?: string; invoice?: object }): Promise<void> {
  await db
    .insertInto('attachments')
    .values({
      id: crypto.randomUUID(),
      owner_id: owner,
      request_id: requestId,
      platform: 'dev',
      name: 'receipt.pdf',
      mime_type: 'application/pdf',
      size_bytes: 1000,
      sha256: file.sha256,
      storage_key: `seed/${crypto.randomUUID()}`,
      reading: file.invoice ? 'invoice' : 'manual',
      reading_note: null,
      invoice: file.invoice ? JSON.stringify(file.invoice) : null,
      invoice_key: file.invoiceKey ?? null,
      created_at: 1,
      linked_at: 1,
    })
    .execute()
}
