import type { Kysely } from 'kysely'
import type { Schema } from '../../../db/schema.js'
import type { Employee } from '../../org.js'
import type { ExpenseCategoryCode } from '../../request-types.js'
import type { ChoiceSignals } from './choice-ranking.js'

/** Habits change; a year-old pattern says little about today's claim. */
const WINDOW_MS = 180 * 24 * 60 * 60 * 1000

/** Departments and roles whose expenses lean one way, for people without history of their own. */
const ROLE_HINTS: Array<{ when: (e: Employee, departmentName: string) => boolean; categories: ExpenseCategoryCode[] }> = [
  { when: (e, d) => /销售|市场|商务|客户/.test(d + (e.title ?? '')), categories: ['entertainment', 'travel', 'transport'] },
  { when: (e, d) => e.roles.includes('hr') || /人事|行政/.test(d), categories: ['training', 'office'] },
  { when: (e, d) => /研发|技术|产品|IT/.test(d + (e.title ?? '')), categories: ['travel', 'office', 'communication'] },
  { when: (e) => e.roles.includes('ceo') || e.roles.includes('dept_head'), categories: ['entertainment', 'travel'] },
]

/** Expense categories chosen in the last 180 days by the person and by their department. */
export async function loadCategorySignals(db: Kysely<Schema>, employee: Employee, departmentName: string, now: number): Promise<ChoiceSignals> {
  const rows = await db
    .selectFrom('requests')
    .innerJoin('users', 'users.id', 'requests.requester_id')
    .select(['requests.requester_id', 'requests.payload'])
    .where('requests.type', '=', 'expense')
    .where('users.department_id', '=', employee.departmentId)
    .where('requests.submitted_at', '>=', now - WINDOW_MS)
    .execute()
  const own = new Map<string, number>()
  const department = new Map<string, number>()
  for (const row of rows) {
    const category = (JSON.parse(row.payload) as { category?: string }).category
    if (!category) continue
    department.set(category, (department.get(category) ?? 0) + 1)
    if (row.requester_id === employee.id) own.set(category, (own.get(category) ?? 0) + 1)
  }
  return { own, department, roleHints: categoryHints(employee, departmentName) }
}

/** The expense categories a person's role and department point to, most telling first. */
export function categoryHints(employee: Employee, departmentName: string): ExpenseCategoryCode[] {
  return [...new Set(ROLE_HINTS.filter((h) => h.when(employee, departmentName)).flatMap((h) => h.categories))]
}
