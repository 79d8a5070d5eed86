import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WebhookAdapter } from '../../erp-bridge/adapters/webhook/webhook-adapter.js'
import { codeKey } from '../../erp-bridge/mapping/mapping-store.js'
import { startWebhookErp, type WebhookErp } from '../fakes/erp-proxy/webhook-erp.js'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'

const SECRET = 'mapping-test-secret-000'

describe.each(DB_KINDS)('master-data mappings before posting (%s)', (kind) => {
  let t: TestSystem
  let erp: WebhookErp

  beforeEach(async () => {
    erp = await startWebhookErp({ secret: SECRET })
    // An ERP we only reach by webhook: it needs every code (its defaults), and our org chart has no cost centre for R&D yet.
    t = await TestSystem.start(kind, { erp: new WebhookAdapter({ url: erp.url, secret: SECRET }) })
    await t.database.db.updateTable('departments').set({ cost_center: null }).where('id', '=', 'd-rd').execute()
  })
  afterEach(async () => {
    await t.close()
    await erp.close()
  })

  async function approvedClaim(): Promise<string> {
    const requestNo = await t.submitExpense('zhangsan', '提交本月差旅费 3500元')
    await t.tap((await t.actionableCard('lisi', requestNo)).id, 'approve', 'lisi')
    await t.tap((await t.actionableCard('sunba', requestNo)).id, 'approve', 'sunba')
    return requestNo
  }

  it('a claim with unmapped master data fails before the ERP is called, saying what to map', async () => {
    const requestNo = await approvedClaim()
    expect(await t.system.outbox.drainOnce()).toBe(1)
    const [row] = await t.system.erp.admin.postings()
    expect(row).toMatchObject({ requestNo, status: 'failed' })
    expect(row!.reason).toBe('未配置映射：员工 张三（E1001） → ERP 员工/往来单位；部门 研发部 → 成本中心；费用类别 差旅费 → 会计科目。请管理员在 ERP 映射中补充后重试。Missing mapping: employee → ERP party, department → cost centre, expense category → account.')
    expect(erp.postsByKey.size).toBe(0)
    const told = (await t.inbox('zhangsan')).flatMap((m) => (m.text ? [m.text] : []))
    expect(told.some((text) => text.startsWith(`${requestNo} 入账失败：未配置映射：员工 张三（E1001）`))).toBe(true)
  })

  it('the dry run lists every missing mapping per request type and the postings they block', async () => {
    const requestNo = await approvedClaim()
    const report = await t.system.erp.admin.check()
    expect(report.erp).toBe('webhook')
    const expense = report.types.find((x) => x.requestType === 'expense')!
    expect(expense.required).toEqual(['employee', 'department', 'expense_category'])
    const sentences = expense.missing.map((m) => m.sentence)
    expect(sentences).toContain('员工 张三（E1001） → ERP 员工/往来单位')
    expect(sentences).toContain('部门 研发部 → 成本中心')
    expect(sentences).toContain('费用类别 差旅费 → 会计科目')
    // Departments with a cost centre in the org chart need no mapping row.
    expect(sentences).not.toContain('部门 销售部 → 成本中心')
    expect(expense.blocked).toEqual([{ requestNo, status: 'pending', missing: ['员工 张三（E1001） → ERP 员工/往来单位', '部门 研发部 → 成本中心', '费用类别 差旅费 → 会计科目'] }])
    expect(report.problems).toBe(report.types.reduce((n, x) => n + x.missing.length + x.blocked.length, 0))
  })

  it('the dry run of a big org (over a thousand employees) finds every code, and names exactly the employees without one', async () => {
    const { db } = t.database
    const now = Date.now()
    const bulk = Array.from({ length: 1_100 }, (_, i) => ({
      id: `bulk-${i}`, employee_no: `B${String(i).padStart(5, '0')}`, name: `员工${i}`, department_id: 'd-rd', manager_id: null, title: null, level: 1, roles: '["employee"]', mobile: null, email: null, active: 1, created_at: now,
    }))
    for (let i = 0; i < bulk.length; i += 100) await db.insertInto('users').values(bulk.slice(i, i + 100)).execute()
    const mapped = bulk.filter((_, i) => i % 2 === 0)
    await t.system.erp.mappings.save(mapped.map((u) => ({ kind: 'employee', localKey: u.id, erpCode: `P-${u.employee_no}`, erpName: null })))

    const missing = (await t.system.erp.admin.check()).types.find((x) => x.requestType === 'expense')!.missing.filter((m) => m.kind === 'employee')
    const unmappedBulk = bulk.filter((_, i) => i % 2 === 1).map((u) => u.id)
    expect(missing.map((m) => m.localKey).filter((id) => id.startsWith('bulk-')).sort()).toEqual(unmappedBulk.sort())
    const codes = await t.system.erp.mappings.codesOf(bulk.map((u) => ({ kind: 'employee', localKey: u.id, label: u.name })))
    expect(codes.size).toBe(mapped.length)
    expect(codes.get(codeKey({ kind: 'employee', localKey: 'bulk-1098' }))).toBe('P-B01098')
  })

  it('a CSV with mistakes imports nothing and names the lines; a good one fills the codes, and a retry posts them', async () => {
    const requestNo = await approvedClaim()
    await t.system.outbox.drainOnce()
    const bad = ['类型,本系统,ERP编码', '员工,E9999,P-1', '职位,工程师,X', '部门,研发部,', '费用类别,差旅费,6602.01', '费用类别,travel,6602.02'].join('\n')
    const refused = await t.system.erp.admin.importMappingsCsv(bad, 'sunba')
    expect(refused.imported).toBe(0)
    expect(refused.errors).toEqual([
      '第 2 行：找不到工号或姓名为 E9999 的员工',
      '第 3 行：不认识的类型「职位」（可用：员工、部门、费用类别、采购物品、物品供应商）',
      '第 4 行：部门 研发部 的 ERP 编码为空',
      '第 6 行：与第 5 行重复（费用类别 travel）',
    ])
    expect(await t.system.erp.admin.mappingList()).toEqual([])

    // As exported from a spreadsheet: BOM, CRLF, Chinese headers, 工号 and names.
    const good = '\uFEFF类型,本系统,ERP编码,ERP名称\r\n员工,E1001,P-1001,张三\r\n部门,研发部,CC-RD,研发中心\r\n费用类别,差旅费,6602.01,差旅费\r\n'
    expect(await t.system.erp.admin.importMappingsCsv(good, 'sunba')).toEqual({ imported: 3, errors: [] })
    const listed = await t.system.erp.admin.mappingList()
    expect(listed.map((m) => [m.kind, m.localKey, m.localLabel, m.erpCode])).toEqual([
      ['department', 'd-rd', '研发部', 'CC-RD'],
      ['employee', 'zhangsan', '张三（E1001）', 'P-1001'],
      ['expense_category', 'travel', '差旅费', '6602.01'],
    ])

    const [row] = await t.system.erp.admin.postings()
    await t.system.erp.admin.retry(row!.id, 'sunba')
    expect(await t.system.outbox.drainOnce()).toBe(1)
    expect(erp.documents).toHaveLength(1)
    expect(erp.documents[0]!.action).toMatchObject({
      requestNo,
      employee: { name: '张三', erpCode: 'P-1001' },
      department: { name: '研发部', costCenter: 'CC-RD' },
      category: 'travel',
      accountCode: '6602.01',
      amountFen: 350000,
    })
    expect((await t.system.erp.admin.check()).types.find((x) => x.requestType === 'expense')!.blocked).toEqual([])
  })
})
