import type { Kysely } from 'kysely'
import type { Schema } from '../../../db/schema.js'
import type { Employee } from '../../org.js'
import { categoryHints } from './category-signals.js'
import type { ChoiceSignals } from './choice-ranking.js'
import { requestOptionKey } from './request-type-ranking.js'

/** Same window as the category habits: a year-old pattern says little about today's request. */
const WINDOW_MS = 180 * 24 * 60 * 60 * 1000

/** Request types a role or department starts more than others, for people without history. */
const TYPE_HINTS: Array<{ when: (e: Employee, departmentName: string) => boolean; keys: string[] }> = [
  { when: (e, d) => /采购|行政|财务/.test(d + (e.title ?? '')), keys: ['purchase'] },
  { when: (e) => e.roles.includes('ceo') || e.roles.includes('dept_head'), keys: ['project'] },
]

/**
 * Requests submitted in the last 180 days by the person and by their department, counted per
 * request type and, for claims, per category ("expense:meal").
 */
export async function loadRequestTypeSignals(db: Kysely<Schema>, employee: Employee, departmentName: string, now: number): Promise<ChoiceSignals> {
  const rows = await db
    .selectFrom('requests')
    .innerJoin('users', 'users.id', 'requests.requester_id')
    .select(['requests.requester_id', 'requests.type', 'requests.payload'])
    .where('users.department_id', '=', employee.departmentId)
    .where('requests.submitted_at', '>=', now - WINDOW_MS)
    .execute()
  const own = new Map<string, number>()
  const department = new Map<string, number>()
  for (const row of rows) {
    const category = row.type === 'expense' ? (JSON.parse(row.payload) as { category?: string }).category : undefined
    const key = requestOptionKey(row.type, category)
    department.set(key, (department.get(key) ?? 0) + 1)
    if (row.requester_id === employee.id) own.set(key, (own.get(key) ?? 0) + 1)
  }
  const roleHints = [
    ...TYPE_HINTS.filter((h) => h.when(employee, departmentName)).flatMap((h) => h.keys),
    ...categoryHints(employee, departmentName).map((c) => requestOptionKey('expense', c)),
  ]
  return { own, department, roleHints: [...new Set(roleHints)] }
}
