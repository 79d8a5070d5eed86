import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createParserFromEnv } from '../../bot/nlu/parser-from-env.js'
import { createApp } from '../../server/app.js'
import { composeSystem } from '../../server/compose.js'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'
import { AdminClient } from './admin-client.js'

/**
 * Who may call what under /api/admin: the role matrix, sessions and CSRF, on both databases.
 * The auditor is not part of the demo org, so each run adds one to the employee master.
 */

type Persona = 'admin' | 'finance' | 'auditor' | 'employee' | 'approver'
const PERSONA_USER: Record<Persona, string> = { admin: 'admin', finance: 'sunba', auditor: 'shenji', employee: 'zhangsan', approver: 'lisi' }
const EVERYONE: Persona[] = ['admin', 'finance', 'auditor', 'employee', 'approver']

interface Guarded {
  method: 'GET' | 'POST'
  path: string
  body?: unknown
  allowed: Persona[]
}

const MATRIX: Guarded[] = [
  { method: 'GET', path: '/api/admin/me', allowed: EVERYONE },
  { method: 'GET', path: '/api/admin/my/requests', allowed: EVERYONE },
  { method: 'GET', path: '/api/admin/my/tasks', allowed: EVERYONE },
  { method: 'GET', path: '/api/admin/audit', allowed: ['admin', 'auditor'] },
  { method: 'POST', path: '/api/admin/audit/reveal', body: { ids: [1], reason: '核对报销争议' }, allowed: ['admin', 'auditor'] },
  { method: 'GET', path: '/api/admin/org/employees', allowed: ['admin'] },
]

describe.each(DB_KINDS)('admin access on %s', (kind) => {
  let sys: TestSystem
  const clients = new Map<Persona, AdminClient>()

  beforeAll(async () => {
    sys = await TestSystem.start(kind)
    await sys.database.db
      .insertInto('users')
      .values({ id: 'shenji', employee_no: 'E1009', name: '沈计', department_id: 'd-fin', manager_id: 'qianqi', title: '内审', level: 4, roles: JSON.stringify(['employee', 'auditor']), mobile: '13812345678', email: null, active: 1, created_at: Date.now() })
      .execute()
    for (const persona of EVERYONE) clients.set(persona, await AdminClient.signIn(sys.app, PERSONA_USER[persona]))
  })
  afterAll(async () => sys?.close())

  const client = (p: Persona) => clients.get(p)!

  it.each(MATRIX)('$method $path answers only its roles', async (route) => {
    for (const persona of EVERYONE) {
      const res = await client(persona).request(route.path, { method: route.method, body: route.body })
      const expected = route.allowed.includes(persona) ? 200 : 403
      expect({ persona, status: res.status }).toEqual({ persona, status: expected })
      if (expected === 403) expect(((await res.json()) as { code: string }).code).toBe('FORBIDDEN')
    }
    const anonymous = await new AdminClient(sys.app).request(route.path, { method: route.method, body: route.body })
    expect(anonymous.status).toBe(401)
  })

  it('pages check the same roles: sign-in first, then 403 for a role that may not', async () => {
    const anonymous = await new AdminClient(sys.app).get('/miniapp/audit?action=task.')
    expect(anonymous.status).toBe(302)
    expect(anonymous.headers.get('location')).toBe(`/miniapp/login?next=${encodeURIComponent('/miniapp/audit?action=task.')}`)
    // DingTalk opens the homepage with its corp id in the query; the sign-in page needs it.
    expect((await new AdminClient(sys.app).get('/miniapp?corpid=ding123')).headers.get('location')).toBe('/miniapp/login?corpid=ding123')
    const refused = await client('finance').get('/miniapp/audit')
    expect(refused.status).toBe(403)
    expect(await refused.text()).toContain('无权访问')
    const page = await client('auditor').get('/miniapp/audit')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect((await client('employee').get('/miniapp')).headers.get('location')).toBe('/miniapp/my')
    expect((await client('finance').get('/miniapp')).headers.get('location')).toBe('/miniapp/dashboard')
  })

  it('serves the chart library from node_modules through its own route, cached by version', async () => {
    const res = await new AdminClient(sys.app).get('/miniapp/assets/uplot.js?v=1')
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toContain('immutable')
    expect(await res.text()).toContain('uPlot')
    expect((await new AdminClient(sys.app).get('/miniapp/assets/../../package.json')).status).toBe(404)
  })

  it('reports who is signed in with their admin-app roles', async () => {
    expect(await (await client('finance').get('/api/admin/me')).json()).toMatchObject({ id: 'sunba', name: '孙八', roles: ['finance', 'employee'] })
    expect(await (await client('auditor').get('/api/admin/me')).json()).toMatchObject({ roles: ['auditor', 'employee'] })
    expect(await (await client('admin').get('/api/admin/me')).json()).toMatchObject({ roles: ['admin', 'employee'] })
  })

  it('sets the session cookie HttpOnly, SameSite=Lax and expiring; Secure only over https', async () => {
    const plain = await AdminClient.signIn(sys.app, 'zhangsan')
    const session = plain.lastSetCookies.find((l) => l.startsWith('ab_session='))!
    expect(session).toMatch(/HttpOnly/)
    expect(session).toMatch(/SameSite=Lax/)
    expect(session).toMatch(/Max-Age=43200/)
    expect(session).not.toMatch(/Secure/)
    const csrfCookie = plain.lastSetCookies.find((l) => l.startsWith('ab_csrf='))!
    expect(csrfCookie).not.toMatch(/HttpOnly/)

    const secure = new AdminClient(sys.app, 'https://admin.example.com')
    expect((await secure.post('/api/admin/auth/dev-login', { userId: 'zhangsan' })).status).toBe(200)
    expect(secure.lastSetCookies.find((l) => l.startsWith('ab_session='))).toMatch(/Secure/)
  })

  it('refuses state-changing calls without the CSRF token, or with another session’s', async () => {
    const auditor = client('auditor')
    const body = { ids: [1], reason: '核对报销争议' }
    const missing = await auditor.post('/api/admin/audit/reveal', body, { csrf: false })
    expect(missing.status).toBe(403)
    expect(((await missing.json()) as { code: string }).code).toBe('CSRF')
    const foreign = await auditor.post('/api/admin/audit/reveal', body, { csrf: false, headers: { 'x-csrf-token': decodeURIComponent(client('admin').csrfToken!) } })
    expect(foreign.status).toBe(403)
    expect((await auditor.post('/api/admin/audit/reveal', body)).status).toBe(200)
  })

  it('refuses a forged, tampered or foreign-signed session cookie', async () => {
    const real = client('employee').cookies.get('ab_session')!
    const [value, signature] = decodeURIComponent(real).split('.')
    const payload = JSON.parse(atob(value!.replace(/-/g, '+').replace(/_/g, '/'))) as { u: string }
    const promoted = btoa(JSON.stringify({ ...payload, u: 'admin' })).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
    const forged = new AdminClient(sys.app)
    forged.cookies.set('ab_session', encodeURIComponent(`${promoted}.${signature}`))
    expect((await forged.get('/api/admin/me')).status).toBe(401)

    // Another installation (another APP_SECRET_KEY) cannot mint sessions for this one.
    const other = createApp(sys.system, { devMode: true, secretKey: 'x'.repeat(40) })
    const outsider = await AdminClient.signIn(other, 'admin')
    const replayed = new AdminClient(sys.app)
    replayed.cookies.set('ab_session', outsider.cookies.get('ab_session')!)
    expect((await replayed.get('/api/admin/me')).status).toBe(401)
  })

  it('ends the session after its lifetime, on logout, and when the employee is deactivated', async () => {
    let clock = Date.now()
    const timed = createApp(await composeSystem({ database: sys.database, parser: createParserFromEnv({}), now: () => clock }), { devMode: true, secretKey: 's'.repeat(40) })
    const wujiu = await AdminClient.signIn(timed, 'wujiu')
    expect((await wujiu.get('/api/admin/me')).status).toBe(200)
    clock += 12 * 60 * 60 * 1000 + 1
    expect((await wujiu.get('/api/admin/me')).status).toBe(401)

    const leaving = await AdminClient.signIn(sys.app, 'wujiu')
    expect((await leaving.post('/api/admin/auth/logout', {})).status).toBe(200)
    expect((await leaving.get('/api/admin/me')).status).toBe(401)

    const deactivated = await AdminClient.signIn(sys.app, 'wujiu')
    await sys.database.db.updateTable('users').set({ active: 0 }).where('id', '=', 'wujiu').execute()
    try {
      expect((await deactivated.get('/api/admin/me')).status).toBe(401)
      expect((await new AdminClient(sys.app).post('/api/admin/auth/dev-login', { userId: 'wujiu' })).status).toBe(403)
    } finally {
      await sys.database.db.updateTable('users').set({ active: 1 }).where('id', '=', 'wujiu').execute()
    }
  })

  it('refuses cross-site and non-JSON login posts', async () => {
    const evil = new AdminClient(sys.app)
    const crossSite = await evil.request('/api/admin/auth/dev-login', {
      method: 'POST',
      body: 'userId=admin',
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(crossSite.status).toBe(403)
    const plainText = await evil.request('/api/admin/auth/dev-login', { method: 'POST', body: JSON.stringify({ userId: 'admin' }), headers: { 'content-type': 'text/plain' } })
    expect(plainText.status).toBe(400)
    expect(evil.cookies.has('ab_session')).toBe(false)
  })

  it('records each sign-in in the audit log', async () => {
    const res = await client('auditor').get('/api/admin/audit?action=admin.login&actor=孙八')
    const entries = (await res.json()) as { actorId: string; after: { method: string } }[]
    expect(entries.length).toBeGreaterThan(0)
    expect(entries.every((e) => e.actorId === 'sunba' && e.after.method === 'dev')).toBe(true)
  })

  it('offers the dev login only in dev mode, and platform logins only when their exchange is provided', async () => {
    const production = createApp(sys.system, {
      devMode: false,
      secretKey: 'p'.repeat(40),
      platformLogins: {
        feishu: { appId: 'cli_test', exchangeCode: async (code) => (code === 'code-of-sunba' ? 'sunba' : code === 'stranger' ? null : Promise.reject(new Error('feishu down'))) },
      },
    })
    const visitor = new AdminClient(production)
    expect((await visitor.post('/api/admin/auth/dev-login', { userId: 'admin' })).status).toBe(404)
    expect(await (await visitor.get('/api/admin/auth/options')).json()).toEqual({ devMode: false, platforms: ['feishu'], users: [] })
    expect((await visitor.post('/api/admin/auth/dingtalk', { code: 'x' })).status).toBe(404)
    expect((await visitor.post('/api/admin/auth/feishu', { code: 'stranger' })).status).toBe(403)
    expect((await visitor.post('/api/admin/auth/feishu', { code: 'boom' })).status).toBe(502)
    expect(visitor.cookies.has('ab_session')).toBe(false)
    expect((await visitor.post('/api/admin/auth/feishu', { code: 'code-of-sunba' })).status).toBe(200)
    expect(await (await visitor.get('/api/admin/me')).json()).toMatchObject({ id: 'sunba', roles: ['finance', 'employee'] })
  })

  it('lets an approver decide from the mini-app under the same rules as a card tap', async () => {
    const requestNo = await sys.submitExpense('zhangsan', '提交本月差旅费 1200元')
    const tasks = (await (await client('approver').get('/api/admin/my/tasks')).json()) as { requestId: string; requestNo: string }[]
    const task = tasks.find((t) => t.requestNo === requestNo)!
    expect(task).toBeDefined()

    const notMine = await client('employee').post(`/api/admin/my/tasks/${task.requestId}/decision`, { decision: 'approve' })
    expect(notMine.status).toBe(403)
    expect(((await notMine.json()) as { code: string }).code).toBe('NOT_APPROVER')

    const approved = await client('approver').post(`/api/admin/my/tasks/${task.requestId}/decision`, { decision: 'approve', comment: '同意' })
    expect(await approved.json()).toEqual({ ok: true, message: `已同意 ${requestNo}` })
    expect((await client('approver').post(`/api/admin/my/tasks/${task.requestId}/decision`, { decision: 'approve' })).status).toBe(409)
    // The requester's card in chat moved on too.
    const cards = await sys.cards('zhangsan', requestNo)
    expect(cards.at(-1)?.status).toMatch(/已同意 by 李四.*待 孙八/)

    const view = (await (await client('employee').get(`/api/admin/requests/${task.requestId}`)).json()) as { tasks: { approverId: string; status: string }[] }
    expect(view.tasks.find((t) => t.approverId === 'lisi')?.status).toBe('approved')
    expect((await client('approver').get(`/api/admin/requests/${task.requestId}`)).status).toBe(200)
    expect((await (await AdminClient.signIn(sys.app, 'wujiu')).get(`/api/admin/requests/${task.requestId}`)).status).toBe(403)
    expect((await client('finance').get(`/api/admin/requests/${task.requestId}`)).status).toBe(200)
  })
})
