import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { messageText } from '../../bot/platforms/feishu/feishu-inbound.js'
import { messageEnvelope } from '../fakes/feishu/feishu-event-pusher.js'
import { DB_KINDS } from '../helpers/databases.js'
import { APP, FEISHU_USERS, FeishuHarness, OPEN_ID } from './feishu-harness.js'

describe.each(DB_KINDS)('who is talking: identity, group chats, login (%s)', (kind) => {
  let h: FeishuHarness
  beforeAll(async () => {
    h = await FeishuHarness.start(kind)
  })
  afterAll(async () => {
    await h.close()
  })

  it('an unknown person is told to ask an administrator, and nothing else happens', async () => {
    await h.say(OPEN_ID.stranger, '提交本月差旅费 100元')
    expect(h.fake.messagesTo(OPEN_ID.stranger).map((m) => [m.msg_type, m.content])).toEqual([['text', JSON.stringify({ text: '你还未在系统中登记，请联系管理员' })]])
    const db = h.t.database.db
    expect(await db.selectFrom('user_identities').selectAll().where('external_id', '=', OPEN_ID.stranger).execute()).toEqual([])
    expect(await db.selectFrom('users').selectAll().where('name', '=', '路人甲').execute()).toEqual([])
    expect(await db.selectFrom('requests').selectAll().execute()).toEqual([])
  })

  it('in a group, only lines that @-mention the bot are answered, in the group, without the mention', async () => {
    const mention = { key: '@_user_1', openId: h.fake.botOpenId, name: '审批助手' }
    await h.say(OPEN_ID.zhangsan, '@_user_1 提交本月差旅费 3500元', { chatType: 'group', mentions: [mention] })
    const [reply] = h.fake.messages.filter((m) => m.reply_to)
    expect(reply?.msg_type).toBe('interactive')
    expect(reply?.content).toContain('¥3,500.00')
    expect(h.fake.messagesTo(OPEN_ID.zhangsan)).toEqual([])

    const before = h.fake.messages.length
    await h.say(OPEN_ID.zhangsan, '@_user_1 周五开会', { chatType: 'group', mentions: [{ key: '@_user_1', openId: OPEN_ID.lisi, name: '李四' }] })
    // A command-shaped line that @-mentions nobody is not for the bot either, and leaves no dedupe row behind.
    const recorded = async () => (await h.t.database.db.selectFrom('inbound_events').select('event_id').execute()).length
    const rows = await recorded()
    await h.say(OPEN_ID.zhangsan, '提交本月差旅费 3500元', { chatType: 'group' })
    expect(h.fake.messages).toHaveLength(before)
    expect(await recorded()).toBe(rows)
  })

  it('eleven @-mentions are all removed: @_user_10 and @_user_11 are not read as @_user_1 plus a digit', async () => {
    const people = Array.from({ length: 10 }, (_, i) => ({ key: `@_user_${i + 1}`, openId: FEISHU_USERS[i % 4]!.open_id, name: FEISHU_USERS[i % 4]!.name }))
    const mentions = [...people, { key: '@_user_11', openId: h.fake.botOpenId, name: '审批助手' }]
    const before = h.fake.messages.length
    await h.say(OPEN_ID.zhangsan, `${mentions.map((m) => m.key).join(' ')} 提交本月差旅费 3500元`, { chatType: 'group', mentions })
    const [reply] = h.fake.messages.slice(before)
    expect(reply?.content).toContain('¥3,500.00')
  })

  it('a picture gets a polite answer instead of silence', async () => {
    const envelope = messageEnvelope({ appId: APP.appId, token: APP.verificationToken, openId: OPEN_ID.sunba, text: '' })
    Object.assign(envelope.event.message, { message_type: 'image', content: JSON.stringify({ image_key: 'img_v2_x' }) })
    expect((await h.pusher.pushEvent(envelope)).status).toBe(200)
    await h.settled()
    // Pictures are receipts now (test/receipts/feishu-receipt.test.ts); this system has no attachment store.
    expect(h.texts(OPEN_ID.sunba)).toEqual(['暂时不能接收文件：管理员尚未配置附件存储。请直接输入报销内容，例如「报销交通费 58元」'])
  })

  it('H5 login: a tt.requestAccess code becomes our employee; a used code or a stranger is refused', async () => {
    const code = h.fake.issueLoginCode(OPEN_ID.wangwu)
    expect(await h.feishu.login(code)).toEqual({ userId: 'wangwu', name: '王五', openId: OPEN_ID.wangwu })
    await expect(h.feishu.login(code)).rejects.toMatchObject({ reason: 'bad_code' })
    await expect(h.feishu.login('')).rejects.toMatchObject({ reason: 'bad_code' })
    await expect(h.feishu.login(h.fake.issueLoginCode(OPEN_ID.stranger))).rejects.toMatchObject({ reason: 'not_registered', zh: '你还未在系统中登记，请联系管理员' })
    // The admin app's shape: an employee id, or null for someone not in the employee master.
    expect(await h.feishu.exchangeLoginCode(h.fake.issueLoginCode(OPEN_ID.lisi))).toBe('lisi')
    expect(await h.feishu.exchangeLoginCode(h.fake.issueLoginCode(OPEN_ID.stranger))).toBeNull()
    await expect(h.feishu.exchangeLoginCode('used-or-made-up')).rejects.toMatchObject({ zh: expect.stringContaining('登录码无效') })
    // Someone who left keeps their Feishu link but is refused like a stranger.
    await h.t.database.db.updateTable('users').set({ active: 0 }).where('id', '=', 'lisi').execute()
    expect(await h.feishu.exchangeLoginCode(h.fake.issueLoginCode(OPEN_ID.lisi))).toBeNull()
    await h.t.database.db.updateTable('users').set({ active: 1 }).where('id', '=', 'lisi').execute()
    const links = await h.t.database.db.selectFrom('user_identities').select(['external_id', 'user_id']).where('user_id', '=', 'wangwu').execute()
    expect(links).toEqual([{ external_id: OPEN_ID.wangwu, user_id: 'wangwu' }])
  })

  it('someone who has left is told his account is deactivated, when he writes and when he taps, and nothing else happens', async () => {
    await h.say(OPEN_ID.sunba, '提交本月差旅费 200元')
    const draft = h.cardOffering(OPEN_ID.sunba, 'confirm')
    const db = h.t.database.db
    await db.updateTable('users').set({ active: 0 }).where('id', '=', 'sunba').execute()
    try {
      const sent = h.fake.messages.length
      const told = h.texts(OPEN_ID.sunba).length
      await h.say(OPEN_ID.sunba, '我的报销到哪了')
      expect(h.texts(OPEN_ID.sunba).slice(told)).toEqual(['你的账号已停用（离职），不能再使用审批助手；如有疑问请联系管理员'])
      const tapped = await h.tap(OPEN_ID.sunba, draft, 'confirm')
      await h.settled()
      expect(tapped.body.toast).toEqual({ type: 'error', content: '你的账号已停用（离职），不能再使用审批助手；如有疑问请联系管理员' })
      expect(h.fake.messages).toHaveLength(sent + 1)
      expect(await db.selectFrom('requests').select('status').where('requester_id', '=', 'sunba').execute()).toEqual([{ status: 'draft' }])
      // His link stays, for the history that names him.
      expect(await db.selectFrom('user_identities').select('user_id').where('external_id', '=', OPEN_ID.sunba).execute()).toEqual([{ user_id: 'sunba' }])
    } finally {
      await db.updateTable('users').set({ active: 1 }).where('id', '=', 'sunba').execute()
    }
  })
})

describe.each(DB_KINDS)('FEISHU_AUTO_PROVISION (%s)', (kind) => {
  let h: FeishuHarness
  beforeAll(async () => {
    h = await FeishuHarness.start(kind, { autoProvision: true })
  })
  afterAll(async () => {
    await h.close()
  })

  it('creates an unknown person in the default department and serves them', async () => {
    await h.say(OPEN_ID.stranger, '帮助')
    const user = await h.t.database.db.selectFrom('users').selectAll().where('name', '=', '路人甲').executeTakeFirstOrThrow()
    expect(user).toMatchObject({ department_id: 'd-unassigned', employee_no: 'X9999', email: 'stranger@example.org' })
    expect(h.texts(OPEN_ID.stranger)[0]).toContain('我可以帮你')
  })
})

describe('@-mention placeholders in a Feishu line', () => {
  const line = (text: string, keys: string[]) =>
    messageText({ message_id: 'om_user_1', chat_type: 'group', message_type: 'text', content: JSON.stringify({ text }), mentions: keys.map((key) => ({ key })) })
  const keys = Array.from({ length: 11 }, (_, i) => `@_user_${i + 1}`)

  it('are stripped whole, in any order, however many there are', () => {
    expect(line(`${keys.join(' ')} 提交本月差旅费 3500元`, keys)).toBe('提交本月差旅费 3500元')
    expect(line('@_user_11 报销打车费@_user_10 58元 @_user_1', keys)).toBe('报销打车费 58元')
    expect(line('@_user_1 报销打车费 58元', ['@_user_1'])).toBe('报销打车费 58元')
  })
})
