import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FeishuContactDirectory } from '../../bot/platforms/feishu/feishu-contact-directory.js'
import { FeishuFetchApi } from '../../bot/platforms/feishu/feishu-fetch-client.js'
import { createFeishuIntegration } from '../../bot/platforms/feishu/feishu-integration.js'
import { createDingtalkIntegration } from '../../bot/platforms/dingtalk/dingtalk-integration.js'
import { loadConfig } from '../../server/config.js'
import { FakeDingtalk, type FakeUser as FakeDingtalkUser } from '../fakes/dingtalk/fake-dingtalk.js'
import { FakeFeishuOpenPlatform, type FakeUser as FakeFeishuUser } from '../fakes/feishu/fake-open-platform.js'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'
import { AdminClient, expectJson } from './admin-client.js'

/**
 * "从飞书/钉钉同步通讯录" against the fake open platforms over real HTTP (tenant token / access_token
 * checked, 50- and 100-per-page pagination with tokens the fakes issued): departments, people,
 * supervisors, heads and identity links upserted into the demo org, counts reported, and a second
 * run changes nothing.
 */

const FEISHU_APP = { appId: 'cli_sync_test', appSecret: 'feishu-sync-secret' }
const DINGTALK_APP = { clientId: 'ding-sync-test', clientSecret: 'dingtalk-sync-secret' }
const extras = (n: number, make: (i: number) => object) => Array.from({ length: n }, (_, i) => make(i))

const FEISHU_PEOPLE: FakeFeishuUser[] = [
  { open_id: 'ou_zhouzong', name: '周总', employee_no: 'E1000' },
  { open_id: 'ou_wangwu', name: '王五', employee_no: 'E1003', department_ids: ['od-rd'], leader_user_id: 'ou_zhouzong' },
  { open_id: 'ou_lisi', name: '李四', employee_no: 'E1002', department_ids: ['od-backend'], leader_user_id: 'ou_wangwu' },
  { open_id: 'ou_zhangsan', name: '张三', employee_no: 'E1001', mobile: '+8613800000001', department_ids: ['od-backend'], leader_user_id: 'ou_lisi', job_title: '高级工程师' },
  { open_id: 'ou_wujiu', name: '吴九', employee_no: 'E1005', department_ids: ['od-rd'], status: { is_resigned: true } },
  { open_id: 'ou_feng', name: '冯一', employee_no: 'E2001', mobile: '+8613700001111', enterprise_email: 'feng@example.com', department_ids: ['od-legal'], leader_user_id: 'ou_zhouzong', job_title: '法务经理' },
  // More than one 50-person page in 法务部.
  ...(extras(60, (i) => ({ open_id: `ou_legal${i}`, name: `法务${i}`, employee_no: `E3${String(i).padStart(3, '0')}`, department_ids: ['od-legal'], leader_user_id: 'ou_feng' })) as FakeFeishuUser[]),
]

const DINGTALK_PEOPLE: FakeDingtalkUser[] = [
  { userid: 'manager8823', name: '赵六', jobNumber: 'E1004', deptIds: [20], leaderOf: [20], title: '销售总监' },
  { userid: 'staff0001', name: '吴九', mobile: '13800000005', deptIds: [21] },
  // More than one 100-person page in 华东组.
  ...(extras(120, (i) => ({ userid: `staff1${String(i).padStart(3, '0')}`, name: `销售${i}`, jobNumber: `E4${String(i).padStart(3, '0')}`, deptIds: [21] })) as FakeDingtalkUser[]),
  { userid: 'lead0021', name: '钱组长', jobNumber: 'E5001', deptIds: [21], leaderOf: [21] },
]

describe.each(DB_KINDS)('contact sync on %s', (kind) => {
  let feishu: FakeFeishuOpenPlatform
  let dingtalk: FakeDingtalk
  let sys: TestSystem
  let admin: AdminClient

  beforeAll(async () => {
    feishu = await FakeFeishuOpenPlatform.start({ ...FEISHU_APP, users: structuredClone(FEISHU_PEOPLE) })
    feishu.departments.push(
      { open_department_id: 'od-rd', name: '研发部', parent_department_id: '0', leader_user_id: 'ou_wangwu' },
      { open_department_id: 'od-backend', name: '后端组', parent_department_id: 'od-rd', leader_user_id: 'ou_lisi' },
      { open_department_id: 'od-legal', name: '法务部', parent_department_id: '0', leader_user_id: 'ou_feng' },
    )
    dingtalk = await FakeDingtalk.start({ ...DINGTALK_APP, users: DINGTALK_PEOPLE, departments: [{ deptId: 20, name: '销售部', parentId: 1 }, { deptId: 21, name: '华东组', parentId: 20 }] })
    const config = loadConfig({ DINGTALK_CLIENT_ID: DINGTALK_APP.clientId, DINGTALK_CLIENT_SECRET: DINGTALK_APP.clientSecret, DINGTALK_MODE: 'http', DINGTALK_API_BASE: dingtalk.url, DINGTALK_OAPI_BASE: dingtalk.url })
    sys = await TestSystem.start(kind, {
      integrations: (database) => [
        createFeishuIntegration(
          { ...FEISHU_APP, verificationToken: 'v', baseUrl: feishu.url, mode: 'http', autoProvision: false, retry: { baseDelayMs: 5, maxDelayMs: 50 } },
          database.db,
          () => {},
        ),
        createDingtalkIntegration(config, database, () => {}, { backoffMs: 5 }),
      ],
    })
    admin = await AdminClient.signIn(sys.app, 'admin')
  })
  afterAll(async () => {
    await sys?.close()
    await feishu?.close()
    await dingtalk?.close()
  })

  const json = expectJson
  type Result = { departments: { added: number; updated: number; unchanged: number }; people: { added: number; updated: number; unchanged: number }; linked: number; keptAdmin?: { id: string; name: string }; message: string }
  const user = (id: string) => sys.database.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const department = (id: string) => sys.database.db.selectFrom('departments').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const linkOf = async (platform: string, externalId: string) =>
    (await sys.database.db.selectFrom('user_identities').select('user_id').where('platform', '=', platform).where('external_id', '=', externalId).executeTakeFirst())?.user_id

  it('Feishu: a preview changes nothing; the sync upserts departments, people, supervisors, heads and links', async () => {
    const page = await (await admin.get('/miniapp/org')).text()
    expect(page).toContain('data-sync="/api/admin/org/contact-sync/feishu"')
    expect(page).toContain('data-sync="/api/admin/org/contact-sync/dingtalk"')

    const usersBefore = await sys.database.db.selectFrom('users').select('id').execute()
    const preview = await json<Result>(admin.post('/api/admin/org/contact-sync/feishu', { dryRun: true }))
    expect(await sys.database.db.selectFrom('users').select('id').execute()).toEqual(usersBefore)

    const synced = await json<Result>(admin.post('/api/admin/org/contact-sync/feishu', {}))
    expect(synced).toMatchObject({
      departments: { added: 2, updated: 1, unchanged: 0 }, // 研发部 is ours already (by name) and moves to the top level
      people: { added: 61, updated: 3, unchanged: 2 }, // 张三 and 李四 move to 后端组, 吴九 resigned; 王五 and 周总 as they were
      linked: 66,
    })
    expect({ ...preview, message: '' }).toEqual({ ...synced, message: '' })
    expect(synced.message).toMatch(/^飞书通讯录同步完成：部门已新增 2、更新 1、未变 0；人员已新增 61、更新 3、未变 2。/)
    // Two pages of 法务部 members, each page token used once.
    expect(feishu.requests.filter((r) => r.path === '/open-apis/contact/v3/users/find_by_department').length).toBe(2 * (1 + 3 + 1)) // preview + sync: root, three departments, one extra page

    expect(await department('d-rd')).toMatchObject({ name: '研发部', parent_id: null, head_user_id: 'wangwu', cost_center: 'CC-200' })
    expect(await department('feishu-od-backend')).toMatchObject({ name: '后端组', parent_id: 'd-rd', head_user_id: 'lisi' })
    expect(await department('feishu-od-legal')).toMatchObject({ name: '法务部', parent_id: null, head_user_id: 'feishu-ou_feng' })
    expect(await user('zhangsan')).toMatchObject({ department_id: 'feishu-od-backend', manager_id: 'lisi', title: '高级工程师', mobile: '13800000001', employee_no: 'E1001' })
    expect(await user('feishu-ou_feng')).toMatchObject({ name: '冯一', employee_no: 'E2001', department_id: 'feishu-od-legal', manager_id: 'zhouzong', title: '法务经理', mobile: '13700001111', email: 'feng@example.com', roles: '["employee"]' })
    expect(await user('feishu-ou_legal59')).toMatchObject({ manager_id: 'feishu-ou_feng', employee_no: 'E3059' })
    expect(Number((await user('wujiu')).active)).toBe(0)
    expect(JSON.parse((await user('lisi')).roles)).toEqual(['employee', 'manager']) // roles are the admins' business
    expect(await linkOf('feishu', 'ou_zhangsan')).toBe('zhangsan')
    expect(await linkOf('feishu', 'ou_legal7')).toBe('feishu-ou_legal7')

    const [audit] = await sys.database.db.selectFrom('audit_log').select(['actor_id', 'entity_id', 'after_state']).where('action', '=', 'org.contacts.synced').execute()
    expect(audit).toMatchObject({ actor_id: 'admin', entity_id: 'feishu' })
    expect(JSON.parse(audit!.after_state!)).toMatchObject({ people: { added: 61 } })
  })

  it('Feishu: syncing again changes nothing; a change in Feishu is one update', async () => {
    expect(await json<Result>(admin.post('/api/admin/org/contact-sync/feishu', {}))).toMatchObject({ departments: { added: 0, updated: 0, unchanged: 3 }, people: { added: 0, updated: 0, unchanged: 66 }, linked: 0 })
    feishu.users.find((p) => p.open_id === 'ou_legal3')!.job_title = '律师'
    expect(await json<Result>(admin.post('/api/admin/org/contact-sync/feishu', {}))).toMatchObject({ people: { added: 0, updated: 1, unchanged: 65 } })
    expect((await user('feishu-ou_legal3')).title).toBe('律师')
  })

  it('Feishu: a supervisor that would close a loop (王五 under his own report 张三) is left as it was', async () => {
    const wangwu = feishu.users.find((p) => p.open_id === 'ou_wangwu')!
    wangwu.leader_user_id = 'ou_zhangsan'
    try {
      expect(await json<Result>(admin.post('/api/admin/org/contact-sync/feishu', {}))).toMatchObject({ people: { added: 0, updated: 0, unchanged: 66 } })
      expect((await user('wangwu')).manager_id).toBe('zhouzong')
      expect((await user('zhangsan')).manager_id).toBe('lisi')
    } finally {
      wangwu.leader_user_id = 'ou_zhouzong'
    }
  })

  it('Feishu on Workers (fetch transport) reads the same directory as the SDK client', async () => {
    const sdk = sys.system.integrations.find((i) => i.contactDirectory?.platform === 'feishu')!.contactDirectory!
    const fetched = await new FeishuContactDirectory(new FeishuFetchApi({ ...FEISHU_APP, baseUrl: feishu.url })).read()
    expect(fetched).toEqual(await sdk.read())
    expect(fetched.people).toHaveLength(66)
  })

  it('Feishu: the last active admin listed as resigned stays active, the preview and the sync say so, and the rest still syncs', async () => {
    feishu.users.push({ open_id: 'ou_admin', name: '系统管理员', employee_no: 'E0001', status: { is_resigned: true } })
    feishu.users.find((p) => p.open_id === 'ou_legal4')!.job_title = '律师助理'
    try {
      const kept = { keptAdmin: { id: 'admin', name: '系统管理员' }, people: { added: 0, updated: 1, unchanged: 66 }, linked: 1 }
      const preview = await json<Result>(admin.post('/api/admin/org/contact-sync/feishu', { dryRun: true }))
      expect(preview).toMatchObject(kept)
      expect(preview.message.split('\n')[1]).toBe(
        '系统管理员（admin）在飞书显示为已离职，将保留在职：必须至少保留一位在职的管理员。/ 系统管理员 (admin) has left according to feishu but will stay active: at least one active admin must remain.',
      )
      const synced = await json<Result>(admin.post('/api/admin/org/contact-sync/feishu', {}))
      expect(synced).toMatchObject(kept)
      expect(synced.message.split('\n')[1]).toMatch(/^系统管理员（admin）在飞书显示为已离职，已保留在职：必须至少保留一位在职的管理员。\/ .* stays active: at least one active admin must remain\.$/)
      expect(Number((await user('admin')).active)).toBe(1)
      expect((await user('feishu-ou_legal4')).title).toBe('律师助理')
      expect(await linkOf('feishu', 'ou_admin')).toBe('admin')
      const audit = await sys.database.db.selectFrom('audit_log').select('after_state').where('action', '=', 'org.contacts.synced').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow()
      expect(JSON.parse(audit.after_state!)).toMatchObject({ keptAdmin: { id: 'admin' } })
    } finally {
      feishu.users.splice(feishu.users.findIndex((p) => p.open_id === 'ou_admin'), 1)
    }
  })

  it('DingTalk: departments walked from the root, people paged by cursor, 主管 as department heads', async () => {
    await sys.database.db.updateTable('users').set({ mobile: '13800000005' }).where('id', '=', 'wujiu').execute()
    const synced = await json<Result>(admin.post('/api/admin/org/contact-sync/dingtalk', {}))
    // 销售部 is ours by name; 赵六 by 工号 (as he was), 吴九 by mobile (moves to 华东组, and DingTalk lists him as employed).
    expect(synced).toMatchObject({ departments: { added: 1, updated: 1, unchanged: 0 }, people: { added: 121, updated: 1, unchanged: 1 }, linked: 123 })
    expect(await department('d-sales')).toMatchObject({ parent_id: null, head_user_id: 'zhaoliu' })
    expect(await department('dingtalk-21')).toMatchObject({ name: '华东组', parent_id: 'd-sales', head_user_id: 'dingtalk-lead0021' })
    expect(await user('wujiu')).toMatchObject({ department_id: 'dingtalk-21', manager_id: 'zhaoliu', active: 1 })
    expect(await user('dingtalk-staff1119')).toMatchObject({ name: '销售119', employee_no: 'E4119', department_id: 'dingtalk-21' })
    expect(await linkOf('dingtalk', 'staff0001')).toBe('wujiu')
    expect(await linkOf('dingtalk', 'manager8823')).toBe('zhaoliu')
    expect(dingtalk.calls.filter((c) => c.includes('/topapi/v2/user/list')).length).toBe(4) // root, 销售部, 华东组 twice
    expect(await json<Result>(admin.post('/api/admin/org/contact-sync/dingtalk', {}))).toMatchObject({ departments: { added: 0, updated: 0, unchanged: 2 }, people: { added: 0, updated: 0, unchanged: 123 }, linked: 0 })
  })

  it('refuses non-admins, a missing CSRF token and an unconnected platform; a platform refusal is reported, nothing changes', async () => {
    const finance = await AdminClient.signIn(sys.app, 'sunba')
    expect((await json<{ code: string }>(finance.post('/api/admin/org/contact-sync/feishu', {}), 403)).code).toBe('FORBIDDEN')
    expect((await json<{ code: string }>(admin.post('/api/admin/org/contact-sync/feishu', {}, { csrf: false }), 403)).code).toBe('CSRF')
    expect((await json<{ code: string }>(admin.post('/api/admin/org/contact-sync/wecom', {}), 404)).code).toBe('NOT_FOUND')
    const audits = await sys.database.db.selectFrom('audit_log').select('id').where('action', '=', 'org.contacts.synced').execute()
    feishu.failNext({ path: /find_by_department/ }, { status: 400, body: { code: 40004, msg: 'no dept authority error' } })
    const refused = await json<{ code: string; message: string }>(admin.post('/api/admin/org/contact-sync/feishu', {}), 502)
    expect(refused.message).toContain('40004')
    expect(await sys.database.db.selectFrom('audit_log').select('id').where('action', '=', 'org.contacts.synced').execute()).toEqual(audits)
  })
})
