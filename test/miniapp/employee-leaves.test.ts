import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runApprovalTimers } from '../../bot/conversation/request-effects.js'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'
import { AdminClient } from './admin-client.js'

/**
 * 离职交接 from chat's point of view: however an approver is deactivated (the employee form, a CSV
 * import, or straight in the database), the request he holds moves on to his successor, who gets a
 * card; his own copy loses its buttons and a tap on it is refused.
 */
describe.each(DB_KINDS)('an approver leaves while requests wait on him (%s)', (kind) => {
  let sys: TestSystem
  let admin: AdminClient
  beforeAll(async () => {
    sys = await TestSystem.start(kind)
    admin = await AdminClient.signIn(sys.app, 'admin')
  })
  afterAll(async () => sys?.close())

  it('deactivated in the employee form: his successor gets the card, his own card no longer acts', async () => {
    const requestNo = await sys.submitExpense('zhangsan', '提交本月差旅费 1200元')
    const old = await sys.actionableCard('lisi', requestNo)

    const res = await admin.request('/api/admin/org/employees/lisi', { method: 'PATCH', body: { active: false } })
    expect(await res.json()).toEqual({ ok: true, handedOver: 1, message: '已保存，其 1 条待审批已交接 / saved; 1 pending approval(s) handed over' })

    await expect(sys.actionableCard('lisi', requestNo)).rejects.toThrow(/no actionable card/)
    const refused = await sys.tap(old.id, 'approve', 'lisi')
    expect(refused.status).toBe(403)
    expect(refused.body.message).toContain('已停用')
    // Typing it instead: told the account is deactivated, not that nothing waits for him.
    const typed = await sys.app.request('/api/dev/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'lisi', text: '同意' }) })
    expect(typed.status).toBe(403)
    expect(((await typed.json()) as { message: string }).message).toContain('账号已停用')

    const card = await sys.actionableCard('wangwu', requestNo)
    expect(JSON.stringify(card)).toContain('原审批人 李四 已离职，转给 王五')
    expect((await sys.tap(card.id, 'approve', 'wangwu')).body.ok).toBe(true)
  })

  it('deactivated by a CSV import, or by anything else the approval clock finds next', async () => {
    const first = await sys.submitExpense('wujiu', '提交本月差旅费 800元')
    await sys.actionableCard('zhaoliu', first)
    const imported = await admin.post('/api/admin/org/employees/import', { csv: '工号,姓名,部门,在职\nE1004,赵六,销售部,离职\n', dryRun: false })
    expect(await imported.json()).toMatchObject({ ok: true, updated: 1, handedOver: 1 })
    await sys.actionableCard('zhouzong', first)

    // Brought back, then gone again behind the app's back (a database script): the next tick hands over.
    await sys.database.db.updateTable('users').set({ active: 1 }).where('id', '=', 'zhaoliu').execute()
    const second = await sys.submitExpense('wujiu', '提交本月差旅费 600元')
    await sys.actionableCard('zhaoliu', second)
    await sys.database.db.updateTable('users').set({ active: 0 }).where('id', '=', 'zhaoliu').execute()
    await runApprovalTimers(sys.system.services)
    await sys.actionableCard('zhouzong', second)
    await expect(sys.actionableCard('zhaoliu', second)).rejects.toThrow(/no actionable card/)
  })
})
