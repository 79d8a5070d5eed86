import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { departmentSubtree } from '../../workflow/org.js'
import { REQUEST_TYPES, type RequestType } from '../../workflow/request-types.js'
import type { RouteStep } from '../../workflow/routing/route.js'
import { companyDate } from '../../workflow/shanghai-time.js'

export interface DashboardFilter {
  /** Company days (Asia/Shanghai), inclusive. */
  from: string
  to: string
  departmentId?: string
}

/** How long a task may wait before it counts as an SLA breach when its flow node sets no time limit. */
export const DEFAULT_SLA_HOURS = 48

/** A node's SLA: its timeout when it has one, else its reminder time, else the default. */
export function slaHoursOf(step: { sla?: { timeoutAfterHours?: number; remindAfterHours?: number } } | undefined): number {
  return step?.sla?.timeoutAfterHours ?? step?.sla?.remindAfterHours ?? DEFAULT_SLA_HOURS
}

export interface Dashboard {
  filter: DashboardFilter
  totals: { submitted: number; pending: number; approved: number; rejected: number; slaBreaches: number }
  postings: { posted: number; inFlight: number; failed: number; dead: number }
  pendingByStep: { name: string; count: number }[]
  /** One row per person (two people may share a name); the page tells them apart by 工号. */
  pendingByApprover: { approverId: string; name: string; employeeNo: string; count: number; oldestHours: number }[]
  durationByType: { type: string; label: string; finished: number; avgHours: number; p90Hours: number }[]
  slaBreaches: { requestId: string; requestNo: string | null; title: string; approverName: string; stepName: string; waitingHours: number; slaHours: number }[]
  /** Day series for the charts: x in epoch seconds (uPlot's unit) at each company midnight. */
  perDay: { x: number[]; submitted: number[]; approved: number[]; rejected: number[] }
  postingsPerDay: { x: number[]; posted: number[]; failed: number[] }
  slaHours: number
}

const HOUR = 60 * 60 * 1000
const DAY = 24 * HOUR
const dayStart = (day: string) => Date.parse(`${day}T00:00:00+08:00`)
const round1 = (n: number) => Math.round(n * 10) / 10

/** The nearest-rank p90: the smallest value at or above 90 % of the others. */
export function p90(values: readonly number[]): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.ceil(0.9 * sorted.length) - 1]!
}

export async function loadDashboard(db: Kysely<Schema>, filter: DashboardFilter, now: number): Promise<Dashboard> {
  const start = dayStart(filter.from)
  const end = dayStart(filter.to) + DAY
  const departments = filter.departmentId ? await departmentSubtree(db, filter.departmentId) : undefined

  let requestQuery = db
    .selectFrom('requests')
    .innerJoin('users', 'users.id', 'requests.requester_id')
    .select(['requests.id', 'requests.type', 'requests.status', 'requests.submitted_at', 'requests.finished_at'])
    .where('requests.submitted_at', '>=', start)
    .where('requests.submitted_at', '<', end)
  if (departments) requestQuery = requestQuery.where('users.department_id', 'in', departments)
  const requests = await requestQuery.execute()

  // What waits now, whenever it was submitted: a backlog is not limited to the date range.
  let pendingQuery = db
    .selectFrom('approval_tasks')
    .innerJoin('requests', 'requests.id', 'approval_tasks.request_id')
    .innerJoin('users as requester', 'requester.id', 'requests.requester_id')
    .innerJoin('users as approver', 'approver.id', 'approval_tasks.approver_id')
    .select(['requests.id as request_id', 'requests.request_no', 'requests.title', 'requests.route', 'approval_tasks.step', 'approval_tasks.created_at', 'approver.id as approver_id', 'approver.name as approver_name', 'approver.employee_no as approver_no'])
    .where('approval_tasks.status', '=', 'pending')
    .where('requests.status', '=', 'pending')
    .whereRef('approval_tasks.step', '=', 'requests.current_step')
  if (departments) pendingQuery = pendingQuery.where('requester.department_id', 'in', departments)
  const pending = await pendingQuery.orderBy('approval_tasks.created_at').execute()

  let postingQuery = db
    .selectFrom('outbox')
    .innerJoin('requests', 'requests.id', 'outbox.request_id')
    .innerJoin('users', 'users.id', 'requests.requester_id')
    .select(['outbox.status', 'outbox.updated_at'])
    .where('outbox.created_at', '>=', start)
    .where('outbox.created_at', '<', end)
  if (departments) postingQuery = postingQuery.where('users.department_id', 'in', departments)
  const postings = await postingQuery.execute()

  const days: number[] = []
  for (let t = start; t < end; t += DAY) days.push(t)
  const dayIndex = (ms: number) => Math.floor((ms - start) / DAY)
  const perDay = { x: days.map((d) => d / 1000), submitted: days.map(() => 0), approved: days.map(() => 0), rejected: days.map(() => 0) }
  const durations = new Map<string, number[]>()
  for (const r of requests) {
    const submitted = Number(r.submitted_at)
    perDay.submitted[dayIndex(submitted)]! += 1
    if (r.finished_at !== null && (r.status === 'approved' || r.status === 'rejected')) {
      const finished = Number(r.finished_at)
      const i = dayIndex(finished)
      if (i >= 0 && i < days.length) (r.status === 'approved' ? perDay.approved : perDay.rejected)[i]! += 1
      const list = durations.get(r.type) ?? []
      list.push((finished - submitted) / HOUR)
      durations.set(r.type, list)
    }
  }

  const stepOf = (routeJson: string, step: number) => (JSON.parse(routeJson) as RouteStep[])[step]
  const byStep = new Map<string, Set<string>>()
  const byApprover = new Map<string, { name: string; employeeNo: string; count: number; oldest: number }>()
  const breaches: Dashboard['slaBreaches'] = []
  for (const t of pending) {
    const step = stepOf(t.route, Number(t.step))
    const name = step?.name ?? `第 ${Number(t.step) + 1} 步`
    byStep.set(name, (byStep.get(name) ?? new Set()).add(t.request_id))
    const waited = now - Number(t.created_at)
    const entry = byApprover.get(t.approver_id) ?? { name: t.approver_name, employeeNo: t.approver_no, count: 0, oldest: 0 }
    byApprover.set(t.approver_id, { ...entry, count: entry.count + 1, oldest: Math.max(entry.oldest, waited) })
    const slaHours = slaHoursOf(step)
    if (waited > slaHours * HOUR) {
      breaches.push({ requestId: t.request_id, requestNo: t.request_no, title: t.title, approverName: t.approver_name, stepName: name, waitingHours: round1(waited / HOUR), slaHours })
    }
  }

  const postingsPerDay = { x: perDay.x, posted: days.map(() => 0), failed: days.map(() => 0) }
  const postingTotals = { posted: 0, inFlight: 0, failed: 0, dead: 0 }
  for (const p of postings) {
    const i = dayIndex(Number(p.updated_at))
    const inRange = i >= 0 && i < days.length
    if (p.status === 'posted') {
      postingTotals.posted += 1
      if (inRange) postingsPerDay.posted[i]! += 1
    } else if (p.status === 'failed' || p.status === 'dead') {
      postingTotals[p.status] += 1
      if (inRange) postingsPerDay.failed[i]! += 1
    } else if (p.status !== 'cancelled') postingTotals.inFlight += 1
  }

  return {
    filter,
    totals: {
      submitted: requests.length,
      pending: new Set(pending.map((t) => t.request_id)).size,
      approved: requests.filter((r) => r.status === 'approved').length,
      rejected: requests.filter((r) => r.status === 'rejected').length,
      slaBreaches: breaches.length,
    },
    postings: postingTotals,
    pendingByStep: [...byStep].map(([name, ids]) => ({ name, count: ids.size })).sort((a, b) => b.count - a.count),
    pendingByApprover: [...byApprover].map(([approverId, v]) => ({ approverId, name: v.name, employeeNo: v.employeeNo, count: v.count, oldestHours: round1(v.oldest / HOUR) })).sort((a, b) => b.count - a.count || b.oldestHours - a.oldestHours),
    durationByType: [...durations].map(([type, hours]) => ({
      type,
      label: REQUEST_TYPES[type as RequestType]?.label ?? type,
      finished: hours.length,
      avgHours: round1(hours.reduce((a, b) => a + b, 0) / hours.length),
      p90Hours: round1(p90(hours)),
    })),
    slaBreaches: breaches.sort((a, b) => b.waitingHours - a.waitingHours),
    perDay,
    postingsPerDay,
    slaHours: DEFAULT_SLA_HOURS,
  }
}

/** The last 30 company days up to today. */
export function defaultRange(now: number): { from: string; to: string } {
  return { from: companyDate(now - 29 * DAY), to: companyDate(now) }
}
