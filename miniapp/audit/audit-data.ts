import { sql, type Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { maskPersonalData } from './pii.js'

export interface AuditQuery {
  requestNo?: string
  /** A user id, or part of a name. */
  actor?: string
  /** An action, or its prefix ("task." finds approvals and rejections). */
  action?: string
  /** Calendar days in the company's zone (Asia/Shanghai), inclusive. */
  from?: string
  to?: string
  /** Older than this entry id: the next page. */
  beforeId?: number
  /** Exactly these entries (a reveal of the rows on screen). */
  ids?: number[]
  limit?: number
}

export interface AuditItem {
  id: number
  at: number
  actorId: string | null
  actorName: string | null
  action: string
  entityType: string
  entityId: string
  requestNo: string | null
  before: unknown
  after: unknown
  /** True when personal data in before/after was masked for this viewer. */
  masked: boolean
}

const DAY_MS = 24 * 60 * 60 * 1000
const startOfCompanyDay = (day: string) => Date.parse(`${day}T00:00:00+08:00`)

/** Newest first; personal data masked unless `reveal` (the caller audits a reveal). */
export async function searchAudit(db: Kysely<Schema>, query: AuditQuery, options: { reveal: boolean }): Promise<AuditItem[]> {
  let q = db
    .selectFrom('audit_log')
    .leftJoin('users', 'users.id', 'audit_log.actor_id')
    .leftJoin('requests', (join) => join.onRef('requests.id', '=', 'audit_log.entity_id').on('audit_log.entity_type', '=', 'request'))
    .select([
      'audit_log.id',
      'audit_log.at',
      'audit_log.actor_id',
      'users.name as actor_name',
      'audit_log.action',
      'audit_log.entity_type',
      'audit_log.entity_id',
      'audit_log.before_state',
      'audit_log.after_state',
      'requests.request_no',
    ])
  if (query.requestNo) q = q.where('requests.request_no', '=', query.requestNo.trim().toUpperCase())
  if (query.actor) {
    const actor = query.actor.trim()
    q = q.where((eb) => eb.or([eb('audit_log.actor_id', '=', actor), contains('users.name', actor)]))
  }
  if (query.action) q = q.where(startsWith('audit_log.action', query.action.trim()))
  if (query.from) q = q.where('audit_log.at', '>=', startOfCompanyDay(query.from))
  if (query.to) q = q.where('audit_log.at', '<', startOfCompanyDay(query.to) + DAY_MS)
  if (query.ids) q = q.where('audit_log.id', 'in', query.ids.length ? query.ids : [-1])
  if (query.beforeId !== undefined) q = q.where('audit_log.id', '<', query.beforeId)
  const rows = await q.orderBy('audit_log.id', 'desc').limit(Math.min(query.limit ?? 50, 10_000)).execute()

  return rows.map((r) => {
    const before = parse(r.before_state)
    const after = parse(r.after_state)
    const maskedBefore = options.reveal ? { value: before, masked: false } : maskPersonalData(before)
    const maskedAfter = options.reveal ? { value: after, masked: false } : maskPersonalData(after)
    return {
      id: Number(r.id),
      at: Number(r.at),
      actorId: r.actor_id,
      actorName: r.actor_name,
      action: r.action,
      entityType: r.entity_type,
      entityId: r.entity_id,
      requestNo: r.request_no,
      before: maskedBefore.value,
      after: maskedAfter.value,
      masked: maskedBefore.masked || maskedAfter.masked,
    }
  })
}

function parse(json: string | null): unknown {
  if (json === null) return null
  try {
    return JSON.parse(json) as unknown
  } catch {
    return json
  }
}

/** LIKE with an explicit escape character, so % and _ typed by a person match themselves on both databases. */
const likeLiteral = (text: string) => text.replace(/[!%_]/g, (ch) => `!${ch}`)
const contains = (column: string, text: string) => sql<boolean>`${sql.ref(column)} like ${`%${likeLiteral(text)}%`} escape '!'`
const startsWith = (column: string, text: string) => sql<boolean>`${sql.ref(column)} like ${`${likeLiteral(text)}%`} escape '!'`
