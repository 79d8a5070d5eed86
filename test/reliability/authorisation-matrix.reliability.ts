import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'
import { AdminClient } from '../miniapp/admin-client.js'

/**
 * Who may call what in the admin app, asserted route by route against the intended matrix below
 * (miniapp/auth/roles.ts: admin — everything; finance — ERP connection, postings, mappings,
 * policies, company settings, reports; auditor — the audit log and reports, read-only; employee
 * — their own requests and the tasks they hold). The routes come from the app's route table: a
 * route nobody put in the matrix fails the test, so every new route gets a decision.
 * For each: every persona signed in (allowed → neither 401 nor 403; refused → 403 FORBIDDEN or,
 * for pages, the refusal page) and anonymous (401, or the sign-in redirect for pages).
 */
type Persona = 'admin' | 'finance' | 'financeManager' | 'auditor' | 'employee' | 'approver'
const PERSONA_USER: Record<Persona, string> = { admin: 'admin', finance: 'sunba', financeManager: 'qianqi', auditor: 'shenji', employee: 'zhangsan', approver: 'lisi' }
const PERSONAS = Object.keys(PERSONA_USER) as Persona[]

type Audience = 'public' | 'everyone' | 'admin' | 'finance' | 'audit' | 'reports' | 'org-page'
const ALLOWED: Record<Exclude<Audience, 'public'>, Persona[]> = {
  everyone: PERSONAS,
  admin: ['admin'],
  finance: ['admin', 'finance', 'financeManager'],
  audit: ['admin', 'auditor'],
  reports: ['admin', 'finance', 'financeManager', 'auditor'],
  // The org page shows finance the employee/department ERP codes; the employee master API stays admin-only.
  'org-page': ['admin', 'finance', 'financeManager'],
}

/** The intended matrix, by "METHOD path" exactly as the route table has it. */
const MATRIX: Record<string, Audience> = {
  'GET /api/admin/auth/options': 'public',
  'POST /api/admin/auth/dev-login': 'public',
  'POST /api/admin/auth/feishu': 'public',
  'POST /api/admin/auth/dingtalk': 'public',
  'POST /api/admin/auth/logout': 'everyone',
  'GET /api/admin/me': 'everyone',
  'GET /api/admin/my/requests': 'everyone',
  'GET /api/admin/my/tasks': 'everyone',
  'GET /api/admin/requests/:id': 'everyone',
  'POST /api/admin/my/tasks/:requestId/decision': 'everyone',
  'GET /api/admin/my/delegations': 'everyone',
  'POST /api/admin/my/delegations': 'everyone',
  'DELETE /api/admin/my/delegations/:id': 'everyone',
  'GET /api/admin/org/delegations': 'admin',
  'POST /api/admin/org/delegations': 'admin',
  'DELETE /api/admin/org/delegations/:id': 'admin',
  'GET /api/admin/requests/:id/attachments': 'everyone',
  'GET /api/admin/audit': 'audit',
  'GET /api/admin/audit/verify': 'audit',
  'GET /api/admin/audit.csv': 'audit',
  'POST /api/admin/audit/reveal': 'audit',
  'GET /api/admin/org/employees': 'admin',
  'GET /api/admin/org/departments': 'admin',
  'PATCH /api/admin/org/employees/:id': 'admin',
  'POST /api/admin/org/employees/import': 'admin',
  'POST /api/admin/org/departments/import': 'admin',
  'POST /api/admin/org/contact-sync/:platform': 'admin',
  'GET /api/admin/dashboard': 'reports',
  'GET /api/admin/flags': 'reports',
  'GET /api/admin/erp/adapters': 'finance',
  'GET /api/admin/erp/connections': 'finance',
  'POST /api/admin/erp/connections': 'finance',
  'POST /api/admin/erp/connections/test': 'finance',
  'POST /api/admin/erp/connections/:id/activate': 'finance',
  'DELETE /api/admin/erp/connections/:id': 'finance',
  'GET /api/admin/erp/postings': 'finance',
  'GET /api/admin/erp/postings/counts': 'finance',
  'POST /api/admin/erp/postings/:id/retry': 'finance',
  'POST /api/admin/erp/postings/:id/cancel': 'finance',
  'GET /api/admin/erp/mappings': 'finance',
  'GET /api/admin/erp/mappings/check': 'finance',
  'PUT /api/admin/erp/mappings': 'finance',
  'DELETE /api/admin/erp/mappings/:kind/:localKey': 'finance',
  'POST /api/admin/erp/mappings/import': 'finance',
  'GET /api/admin/flows': 'admin',
  'GET /api/admin/flows/:type': 'admin',
  'GET /api/admin/flows/:type/versions/:version': 'admin',
  'POST /api/admin/flows/:type/validate': 'admin',
  'POST /api/admin/flows/:type/publish': 'admin',
  'GET /api/admin/policies': 'finance',
  'PUT /api/admin/policies/:code': 'finance',
  'DELETE /api/admin/policies/:code': 'finance',
  'GET /api/admin/settings/company': 'finance',
  'PUT /api/admin/settings/company': 'finance',
  'GET /api/admin/settings/pilot': 'admin',
  'PUT /api/admin/settings/pilot': 'admin',
  'GET /api/admin/settings/holidays': 'admin',
  'PUT /api/admin/settings/holidays/:year': 'admin',
  'DELETE /api/admin/settings/holidays/:year': 'admin',
  'GET /miniapp': 'everyone',
  'GET /miniapp/login': 'public',
  'GET /miniapp/assets/:name': 'public',
  'GET /miniapp/dashboard': 'reports',
  'GET /miniapp/audit': 'audit',
  'GET /miniapp/erp': 'finance',
  'GET /miniapp/org': 'org-page',
  'GET /miniapp/flows': 'admin',
  'GET /miniapp/flows/:type': 'admin',
  'GET /miniapp/policies': 'finance',
  'GET /miniapp/my': 'everyone',
  'GET /miniapp/settings': 'finance',
  'GET /miniapp/requests/:id': 'everyone',
  'GET /miniapp/requests/:id/attachments/:attachmentId': 'everyone',
}

describe.each(DB_KINDS)('admin authorisation matrix (%s)', (kind) => {
  let t: TestSystem
  let requestId: string
  const routes: string[] = []

  beforeAll(async () => {
    t = await TestSystem.start(kind)
    await t.database.db
      .insertInto('users')
      .values({ id: 'shenji', employee_no: 'E1009', name: '沈计', department_id: 'd-fin', manager_id: 'qianqi', title: '内审', level: 4, roles: JSON.stringify(['employee', 'auditor']), mobile: null, email: null, active: 1, created_at: Date.now() })
      .execute()
    const requestNo = await t.submitExpense('zhangsan', '提交本月差旅费 1200元')
    requestId = (await t.database.db.selectFrom('requests').select('id').where('request_no', '=', requestNo).executeTakeFirstOrThrow()).id
    const seen = new Set<string>()
    for (const r of t.app.routes) {
      const key = `${r.method} ${r.path}`
      if (r.method !== 'ALL' && /^\/(api\/admin|miniapp)(\/|$)/.test(r.path) && !seen.has(key)) {
        seen.add(key)
        routes.push(key)
      }
    }
  })
  afterAll(async () => t?.close())

  /** Real values for path parameters, so an allowed call reaches its handler. */
  const concrete = (path: string) =>
    path
      .replace(':requestId', requestId)
      .replace(':id/attachments/:attachmentId', `${requestId}/attachments/none`)
      .replace('/requests/:id', `/requests/${requestId}`)
      .replace(':type', 'expense')
      .replace(':version', '1')
      .replace(':kind', 'employee')
      .replace(':localKey', 'nobody')
      .replace(':code', 'no-such-policy')
      .replace(':name', 'uplot.js')
      .replace(':id', 'no-such-id')

  const call = (client: AdminClient, route: string) => {
    const [method, path] = route.split(' ') as [string, string]
    return client.request(concrete(path), { method, body: method === 'GET' ? undefined : {} })
  }

  it('every admin route and page is in the intended matrix', () => {
    expect(routes.length).toBeGreaterThan(50)
    expect(routes.filter((r) => !(r in MATRIX))).toEqual([])
    expect(Object.keys(MATRIX).filter((r) => !routes.includes(r))).toEqual([])
  })

  it('each route answers exactly the roles the matrix gives it, and refuses anonymous callers', async () => {
    const wrong: string[] = []
    for (const route of routes) {
      const audience = MATRIX[route]!
      const page = route.startsWith('GET /miniapp')
      const anonymous = await call(new AdminClient(t.app), route)
      if (audience === 'public') {
        if ([401, 403].includes(anonymous.status)) wrong.push(`${route} anonymous → ${anonymous.status} (public)`)
        continue
      }
      const turnedAway = page ? anonymous.status === 302 && (anonymous.headers.get('location') ?? '').startsWith('/miniapp/login') : anonymous.status === 401
      if (!turnedAway) wrong.push(`${route} anonymous → ${anonymous.status}`)
      for (const persona of PERSONAS) {
        // A fresh session per call: some allowed calls (logout) end the session they ran in.
        const response = await call(await AdminClient.signIn(t.app, PERSONA_USER[persona]), route)
        const allowed = ALLOWED[audience].includes(persona)
        const refused = response.status === 403 && (page || ((await response.clone().json()) as { code?: string }).code === 'FORBIDDEN')
        if (allowed && [401, 403].includes(response.status)) wrong.push(`${route} ${persona} → ${response.status} (allowed)`)
        if (!allowed && !refused) wrong.push(`${route} ${persona} → ${response.status} (must be refused)`)
      }
    }
    expect(wrong).toEqual([])
  })

  it('a request is visible to the people on it and to finance, auditors and admins; decided only by its approver', async () => {
    const sees = async (persona: Persona | 'outsider') => (await (await AdminClient.signIn(t.app, persona === 'outsider' ? 'wujiu' : PERSONA_USER[persona])).get(`/api/admin/requests/${requestId}`)).status
    expect(await Promise.all((['employee', 'approver', 'finance', 'auditor', 'admin', 'outsider'] as const).map(sees))).toEqual([200, 200, 200, 200, 200, 403])
    const decide = async (userId: string) => (await (await AdminClient.signIn(t.app, userId)).post(`/api/admin/my/tasks/${requestId}/decision`, { decision: 'approve' })).status
    expect({ requester: await decide('zhangsan'), outsider: await decide('wujiu'), admin: await decide('admin') }).toEqual({ requester: 403, outsider: 403, admin: 403 })
    expect(await decide('lisi')).toBe(200)
  })
})
