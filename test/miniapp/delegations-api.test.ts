import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { companyDate } from '../../workflow/shanghai-time.js'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'
import { AdminClient, expectJson } from './admin-client.js'

/**
 * Out-of-office delegation from the mini-app, on both databases: a manager sets his own stand-in
 * and the next request's task goes to the stand-in; nobody else may cancel it; an admin sees and
 * manages everyone's; bad input and missing CSRF are refused; every change is in the audit log.
 */

const DAY = 24 * 3_600_000

describe.each(DB_KINDS)('delegations API on %s', (kind) => {
  let sys: TestSystem
  let lisi: AdminClient
  let zhangsan: AdminClient
  let admin: AdminClient
  const today = companyDate(Date.now())
  const inDays = (n: number) => companyDate(Date.now() + n * DAY)

  beforeAll(async () => {
    sys = await TestSystem.start(kind)
    ;[lisi, zhangsan, admin] = await Promise.all([AdminClient.signIn(sys.app, 'lisi'), AdminClient.signIn(sys.app, 'zhangsan'), AdminClient.signIn(sys.app, 'admin')])
  })
  afterAll(async () => sys?.close())

  const json = expectJson
  type Row = { id: string; principalId: string; delegateId: string; delegateName: string; from: string; to: string; reason: string | null; current: boolean }

  it('a manager names a stand-in for his leave, and new tasks go to the stand-in', async () => {
    const set = await json<{ delegation: { id: string } }>(lisi.post('/api/admin/my/delegations', { delegateId: 'wangwu', from: today, to: inDays(3), reason: '年假' }))
    expect(await json<Row[]>(lisi.get('/api/admin/my/delegations'))).toEqual([
      { id: set.delegation.id, principalId: 'lisi', principalName: '李四', delegateId: 'wangwu', delegateName: '王五', from: today, to: inDays(3), reason: '年假', current: true },
    ])
    // The page shows it too, with its cancel button.
    const page = await (await lisi.get('/miniapp/my')).text()
    expect(page).toContain(`data-delegation-id="${set.delegation.id}"`)
    expect(page).toContain('王五')

    const requestNo = await sys.submitExpense('zhangsan', '提交本月差旅费 1200元')
    await expect(sys.actionableCard('wangwu', requestNo)).resolves.toBeDefined()
    await expect(sys.actionableCard('lisi', requestNo)).rejects.toThrow(/no actionable card/)

    const [audit] = await sys.database.db.selectFrom('audit_log').select(['actor_id', 'entity_id', 'after_state']).where('action', '=', 'delegation.set').execute()
    expect(audit).toMatchObject({ actor_id: 'lisi', entity_id: 'lisi' })
    expect(JSON.parse(audit!.after_state!)).toEqual({ delegateId: 'wangwu', from: today, to: inDays(3) })
  })

  it('refuses bad input, a missing CSRF token, and someone else cancelling it', async () => {
    const [mine] = await json<Row[]>(lisi.get('/api/admin/my/delegations'))
    expect((await json<{ code: string }>(lisi.post('/api/admin/my/delegations', { delegateId: 'wangwu', from: inDays(3), to: today }), 400)).code).toBe('VALIDATION')
    expect((await json<{ code: string }>(lisi.post('/api/admin/my/delegations', { delegateId: 'wangwu', from: '25/11/2026', to: today }), 400)).code).toBe('VALIDATION')
    expect((await json<{ message: string }>(lisi.post('/api/admin/my/delegations', { delegateId: 'lisi', from: today, to: today }), 400)).message).toContain('不能指定自己')
    expect((await json<{ code: string }>(lisi.post('/api/admin/my/delegations', { delegateId: 'nobody', from: today, to: today }), 400)).code).toBe('VALIDATION')
    expect((await json<{ code: string }>(lisi.post('/api/admin/my/delegations', { delegateId: 'wangwu', from: today, to: today }, { csrf: false }), 403)).code).toBe('CSRF')

    expect((await json<{ code: string }>(zhangsan.request(`/api/admin/my/delegations/${mine!.id}`, { method: 'DELETE' }), 403)).code).toBe('FORBIDDEN')
    expect((await json<{ code: string }>(zhangsan.get('/api/admin/org/delegations'), 403)).code).toBe('FORBIDDEN')
    expect((await json<{ code: string }>(zhangsan.post('/api/admin/org/delegations', { principalId: 'lisi', delegateId: 'zhangsan', from: today, to: today }), 403)).code).toBe('FORBIDDEN')
    expect((await json<{ code: string }>(new AdminClient(sys.app).get('/api/admin/my/delegations'), 401)).code).toBe('UNAUTHENTICATED')
    expect(await json<Row[]>(lisi.get('/api/admin/my/delegations'))).toHaveLength(1)
  })

  it('an admin sees everyone’s, sets one for someone else and cancels it; the owner cancels his own', async () => {
    const planned = await json<{ delegation: { id: string } }>(admin.post('/api/admin/org/delegations', { principalId: 'zhaoliu', delegateId: 'wujiu', from: inDays(5), to: inDays(9) }))
    const all = await json<Row[]>(admin.get('/api/admin/org/delegations'))
    expect(all.map((d) => `${d.principalId}→${d.delegateId}:${d.current}`)).toEqual(['lisi→wangwu:true', 'zhaoliu→wujiu:false'])
    expect(await (await admin.get('/miniapp/org')).text()).toContain(`data-delegation-id="${planned.delegation.id}"`)

    await json(admin.request(`/api/admin/org/delegations/${planned.delegation.id}`, { method: 'DELETE' }))
    const [lisis] = await json<Row[]>(lisi.get('/api/admin/my/delegations'))
    await json(lisi.request(`/api/admin/my/delegations/${lisis!.id}`, { method: 'DELETE' }))
    expect(await json<Row[]>(admin.get('/api/admin/org/delegations'))).toEqual([])
    expect((await json<{ code: string }>(lisi.request(`/api/admin/my/delegations/${lisis!.id}`, { method: 'DELETE' }), 404)).code).toBe('NOT_FOUND')

    const revoked = await sys.database.db.selectFrom('audit_log').select(['actor_id', 'entity_id']).where('action', '=', 'delegation.revoked').orderBy('id').execute()
    expect(revoked).toEqual([{ actor_id: 'admin', entity_id: 'zhaoliu' }, { actor_id: 'lisi', entity_id: 'lisi' }])
  })
})
