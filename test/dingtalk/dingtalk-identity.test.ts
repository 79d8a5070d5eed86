import { afterEach, describe, expect, it } from 'vitest'
import { InvalidAuthCode } from '../../bot/platforms/dingtalk/dingtalk-login.js'
import { DB_KINDS } from '../helpers/databases.js'
import { startDingtalk, type DingtalkHarness } from './dingtalk-harness.js'

const NOT_REGISTERED = '你还未在系统中登记，请联系管理员 / you are not registered; ask an administrator'
const DEACTIVATED = '你的账号已停用（离职），不能再使用审批助手；如有疑问请联系管理员 / your account is deactivated; ask an administrator'

describe.each(DB_KINDS)('DingTalk people (%s)', (kind) => {
  let h: DingtalkHarness
  afterEach(async () => {
    await h?.close()
  })

  const identities = () => h.t.database.db.selectFrom('user_identities').select(['external_id', 'user_id']).where('platform', '=', 'dingtalk').orderBy('external_id').execute()

  it('finds employees by 工号 or email; strangers are told to ask an administrator', async () => {
    h = await startDingtalk(kind, { mode: 'stream' })
    const { fake } = h
    await fake.say('dt-wangwu', '待我审批')
    await fake.say('dt-stranger', '提交本月差旅费 100元')
    await h.settle()
    expect(fake.texts('dt-wangwu')).toEqual(['你目前没有待审批的申请'])
    expect(fake.texts('dt-stranger')).toEqual([NOT_REGISTERED])
    expect(await identities()).toEqual([{ external_id: 'dt-wangwu', user_id: 'wangwu' }])

    // Linked once, the contact API is not asked again.
    const lookups = fake.calls.filter((c) => c === 'POST /topapi/v2/user/get').length
    await fake.say('dt-wangwu', '待我审批')
    await h.settle()
    expect(fake.calls.filter((c) => c === 'POST /topapi/v2/user/get')).toHaveLength(lookups)
  })

  it('creates unknown people as employees when auto-provisioning is on', async () => {
    h = await startDingtalk(kind, { mode: 'stream', autoProvision: true })
    await h.fake.say('dt-stranger', '待我审批')
    await h.settle()
    expect(h.fake.texts('dt-stranger')).toEqual(['你目前没有待审批的申请'])
    const [linked] = await identities()
    const user = await h.t.database.db.selectFrom('users').selectAll().where('id', '=', linked!.user_id).executeTakeFirstOrThrow()
    expect(user).toMatchObject({ name: '路人甲', employee_no: 'X9999', department_id: 'd-unassigned' })
  })

  it('answers group messages privately, and stops using a webhook about to expire', async () => {
    h = await startDingtalk(kind, { mode: 'stream' })
    const { fake } = h
    await fake.say('dt-zhangsan', '待我审批', { group: true })
    await h.settle()
    expect(fake.inbox('dt-zhangsan')).toEqual([{ kind: 'text', text: '你目前没有待审批的申请', via: 'robot' }])

    await fake.say('dt-zhangsan', '待我审批', { sessionTtlMs: 30_000 })
    await fake.say('dt-lisi', '待我审批')
    await h.settle()
    expect(fake.inbox('dt-zhangsan').at(-1)).toMatchObject({ via: 'robot' })
    expect(fake.inbox('dt-lisi').at(-1)).toMatchObject({ via: 'webhook' })
  })

  it('exchanges an H5 auth code for our employee, once', async () => {
    h = await startDingtalk(kind, { mode: 'http' })
    const { fake, dingtalk } = h
    const code = fake.issueAuthCode('dt-zhangsan')
    expect(await dingtalk.exchangeAuthCode(code)).toBe('zhangsan')
    await expect(dingtalk.exchangeAuthCode(code)).rejects.toBeInstanceOf(InvalidAuthCode)
    await expect(dingtalk.exchangeAuthCode(' ')).rejects.toBeInstanceOf(InvalidAuthCode)
    expect(await dingtalk.exchangeAuthCode(fake.issueAuthCode('dt-stranger'))).toBeNull()
  })

  it('tells someone who has left that his account is deactivated, when he writes, taps or signs in', async () => {
    h = await startDingtalk(kind, { mode: 'stream' })
    const { fake, dingtalk } = h
    await fake.say('dt-zhangsan', '提交本月差旅费 200元')
    await h.settle()
    const [draft] = fake.cardsOf('dt-zhangsan')
    await h.t.database.db.updateTable('users').set({ active: 0 }).where('id', '=', 'zhangsan').execute()
    const told = fake.texts('dt-zhangsan').length
    await fake.say('dt-zhangsan', '我的报销到哪了')
    await fake.tapCard('dt-zhangsan', draft!.outTrackId, 'confirm')
    await h.settle()
    expect(fake.texts('dt-zhangsan').slice(told)).toEqual([DEACTIVATED, DEACTIVATED])
    expect(await h.t.database.db.selectFrom('requests').select('status').where('requester_id', '=', 'zhangsan').execute()).toEqual([{ status: 'draft' }])
    expect(await dingtalk.exchangeAuthCode(fake.issueAuthCode('dt-zhangsan'))).toBeNull()
    expect(await identities()).toEqual([{ external_id: 'dt-zhangsan', user_id: 'zhangsan' }])
  })
})
