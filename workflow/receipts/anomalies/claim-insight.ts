import type { Kysely } from 'kysely'
import type { Schema } from '../../../db/schema.js'
import { invoiceKeys } from '../../policy/policy-check.js'
import { departmentSubtree } from '../../org.js'
import type { ExpensePayload } from '../../request-types.js'
import { companyDate } from '../../shanghai-time.js'
import type { ParsedInvoice } from '../invoices/invoice.js'
import { AppSettings } from '../settings/app-settings.js'
import { flagClaim, type ClaimFlag } from './anomaly-rules.js'
import { HolidayCalendar } from './china-calendar.js'
import { claimContext } from './claim-context.js'
import { ClaimHistory, type ApprovalFact, type ClaimFact } from './claim-facts.js'

/** What an approver sees above a request: one line of context and the flags, each with its reason. */
export interface ClaimInsight {
  context: string
  flags: ClaimFlag[]
}

/** History older than this does not describe anyone's habits any more. */
const HISTORY_DAYS = 365
const CHUNK = 500

function factsQuery(db: Kysely<Schema>) {
  return db
    .selectFrom('requests')
    .innerJoin('users', 'users.id', 'requests.requester_id')
    .leftJoin('departments', 'departments.id', 'users.department_id')
    .select([
      'requests.id',
      'requests.request_no',
      'requests.type',
      'requests.title',
      'requests.requester_id',
      'users.name as requester_name',
      'users.department_id',
      'departments.name as department_name',
      'requests.payload',
      'requests.amount_fen',
      'requests.occurred_on',
      'requests.submitted_at',
      'requests.created_at',
      'requests.status',
    ])
}
type FactsQuery = ReturnType<typeof factsQuery>

const chunks = <T>(list: readonly T[]) => Array.from({ length: Math.ceil(list.length / CHUNK) }, (_, i) => list.slice(i * CHUNK, (i + 1) * CHUNK))

async function loadFacts(db: Kysely<Schema>, query: FactsQuery): Promise<ClaimFact[]> {
  const rows = await query.execute()
  const files = new Map<string, { hashes: string[]; keys: string[]; invoices: ParsedInvoice[] }>()
  for (const ids of chunks(rows.map((r) => r.id))) {
    const attached = await db.selectFrom('attachments').select(['request_id', 'sha256', 'invoice_key', 'invoice']).where('request_id', 'in', ids).execute()
    for (const a of attached) {
      const entry = files.get(a.request_id!) ?? { hashes: [], keys: [], invoices: [] }
      entry.hashes.push(a.sha256)
      if (a.invoice_key) entry.keys.push(a.invoice_key)
      if (a.invoice) entry.invoices.push(JSON.parse(a.invoice) as ParsedInvoice)
      files.set(a.request_id!, entry)
    }
  }
  return rows.map((r) => {
    const payload = JSON.parse(r.payload) as Partial<ExpensePayload>
    const file = files.get(r.id)
    const typed = r.type === 'expense' ? invoiceKeys(payload as ExpensePayload) : []
    return {
      id: r.id,
      requestNo: r.request_no,
      type: r.type,
      title: r.title,
      category: r.type === 'expense' ? (payload.category ?? null) : null,
      requesterId: r.requester_id,
      requesterName: r.requester_name,
      departmentId: r.department_id,
      departmentName: r.department_name ?? r.department_id,
      amountFen: Number(r.amount_fen),
      occurredOn: r.occurred_on ?? companyDate(Number(r.created_at)),
      singleDay: payload.date !== undefined || (payload.period !== undefined && payload.period.from === payload.period.to),
      submittedAt: r.submitted_at === null ? null : Number(r.submitted_at),
      status: r.status,
      invoiceKeys: [...new Set([...typed, ...(file?.keys ?? [])])],
      receiptHashes: [...new Set(file?.hashes ?? [])],
      invoices: file?.invoices ?? [],
    }
  })
}

/** Requests elsewhere in the company that share an invoice or a file with any of the targets. */
async function sharingFacts(db: Kysely<Schema>, targets: readonly ClaimFact[]): Promise<ClaimFact[]> {
  const keys = [...new Set(targets.flatMap((t) => t.invoiceKeys))]
  const hashes = [...new Set(targets.flatMap((t) => t.receiptHashes))]
  const ids = new Set<string>()
  for (const part of chunks(keys)) {
    for (const r of await db.selectFrom('request_invoices').select('request_id').where('invoice_key', 'in', part).execute()) ids.add(r.request_id)
    for (const r of await db.selectFrom('attachments').select('request_id').where('invoice_key', 'in', part).where('request_id', 'is not', null).execute()) ids.add(r.request_id!)
  }
  for (const part of chunks(hashes)) {
    for (const r of await db.selectFrom('attachments').select('request_id').where('sha256', 'in', part).where('request_id', 'is not', null).execute()) ids.add(r.request_id!)
  }
  for (const t of targets) ids.delete(t.id)
  const facts: ClaimFact[] = []
  for (const part of chunks([...ids])) facts.push(...(await loadFacts(db, factsQuery(db).where('requests.id', 'in', part))))
  return facts
}

async function approvalsOf(db: Kysely<Schema>, requestIds: readonly string[]): Promise<Map<string, ApprovalFact[]>> {
  const byRequest = new Map<string, ApprovalFact[]>()
  for (const part of chunks(requestIds)) {
    const tasks = await db
      .selectFrom('approval_tasks')
      .innerJoin('users', 'users.id', 'approval_tasks.approver_id')
      .select(['approval_tasks.request_id', 'users.name', 'approval_tasks.status', 'approval_tasks.created_at', 'approval_tasks.decided_at', 'approval_tasks.comment', 'approval_tasks.auto_reason'])
      .where('approval_tasks.request_id', 'in', part)
      .orderBy('approval_tasks.created_at')
      .execute()
    for (const t of tasks) {
      const list = byRequest.get(t.request_id) ?? []
      list.push({ approverName: t.name, status: t.status, createdAt: Number(t.created_at), decidedAt: t.decided_at === null ? null : Number(t.decided_at), comment: t.comment, autoReason: t.auto_reason })
      byRequest.set(t.request_id, list)
    }
  }
  return byRequest
}

/** What the admin configured that the rules judge by: who we are on an invoice, and which days are worked. */
async function judgingSettings(db: Kysely<Schema>) {
  const settings = new AppSettings(db)
  const [company, holidays] = await Promise.all([settings.read('company'), settings.read('holidays')])
  return { company, calendar: new HolidayCalendar(holidays.years) }
}

const historyStart = (isoDate: string) => new Date(Date.parse(`${isoDate}T00:00:00Z`) - HISTORY_DAYS * 86_400_000).toISOString().slice(0, 10)

/** The context line and flags for one request, judged against its department's last year and everyone's receipts. */
export async function loadClaimInsight(db: Kysely<Schema>, requestId: string, now: number): Promise<ClaimInsight | null> {
  const [target] = await loadFacts(db, factsQuery(db).where('requests.id', '=', requestId))
  if (!target) return null
  const department = await loadFacts(
    db,
    factsQuery(db).where('requests.type', '=', target.type).where('users.department_id', '=', target.departmentId).where('requests.submitted_at', 'is not', null).where('requests.occurred_on', '>=', historyStart(target.occurredOn)),
  )
  const history = new ClaimHistory([...department, ...(await sharingFacts(db, [target]))])
  const approvals = (await approvalsOf(db, [target.id])).get(target.id) ?? []
  const { company, calendar } = await judgingSettings(db)
  return { context: claimContext(target, history, companyDate(now)), flags: flagClaim({ target, history, approvals, company, calendar }) }
}

export interface FlaggedClaim {
  requestId: string
  requestNo: string | null
  requesterName: string
  departmentName: string
  title: string
  amountFen: number
  status: string
  flags: ClaimFlag[]
}

/**
 * The dashboard's list: requests submitted in the range, and everything still pending, that raise
 * at least one flag. One pass over the history instead of one per request.
 */
export async function loadFlaggedClaims(db: Kysely<Schema>, filter: { from: string; to: string; departmentId?: string }): Promise<FlaggedClaim[]> {
  const start = Date.parse(`${filter.from}T00:00:00+08:00`)
  const end = Date.parse(`${filter.to}T00:00:00+08:00`) + 86_400_000
  let targetsQuery = factsQuery(db).where((eb) => eb.or([eb('requests.status', '=', 'pending'), eb.and([eb('requests.submitted_at', '>=', start), eb('requests.submitted_at', '<', end)])])).where('requests.submitted_at', 'is not', null)
  if (filter.departmentId) targetsQuery = targetsQuery.where('users.department_id', 'in', await departmentSubtree(db, filter.departmentId))
  const targets = await loadFacts(db, targetsQuery)
  if (targets.length === 0) return []
  const earliest = targets.reduce((min, t) => (t.occurredOn < min ? t.occurredOn : min), filter.from)
  const departments = [...new Set(targets.map((t) => t.departmentId))]
  const history = new ClaimHistory([
    ...targets,
    ...(await loadFacts(db, factsQuery(db).where('users.department_id', 'in', departments).where('requests.submitted_at', 'is not', null).where('requests.occurred_on', '>=', historyStart(earliest)))),
    ...(await sharingFacts(db, targets)),
  ])
  const approvals = await approvalsOf(db, targets.map((t) => t.id))
  const { company, calendar } = await judgingSettings(db)
  return targets
    .map((target) => ({ target, flags: flagClaim({ target, history, approvals: approvals.get(target.id) ?? [], company, calendar }) }))
    .filter(({ flags }) => flags.length > 0)
    .sort((a, b) => (b.target.submittedAt ?? 0) - (a.target.submittedAt ?? 0))
    .map(({ target, flags }) => ({
      requestId: target.id,
      requestNo: target.requestNo,
      requesterName: target.requesterName,
      departmentName: target.departmentName,
      title: target.title,
      amountFen: target.amountFen,
      status: target.status,
      flags,
    }))
}
