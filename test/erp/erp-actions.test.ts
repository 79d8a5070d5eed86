import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { prepareActions } from '../../erp-bridge/actions/prepare-action.js'
import { ErpError, type ErpAction } from '../../erp-bridge/erp-adapter.js'
import type { MappingPolicy } from '../../erp-bridge/mapping/mapping-policy.js'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'
import { approveRequest } from './approvals.js'

/** An ERP that wants every code there is. */
const STRICT: MappingPolicy = {
  required: {
    'expense.voucher': ['employee', 'department', 'expense_category'],
    'purchase.requisition': ['employee', 'department', 'purchase_item', 'supplier'],
    'hr.change': ['employee', 'department'],
    'project.create': ['employee', 'department'],
  },
  masterCodes: ['department'],
}

describe.each(DB_KINDS)('an ERP action for every request type (%s)', (kind) => {
  let t: TestSystem
  let ids: Record<'purchase' | 'transfer' | 'resign' | 'project', { id: string; requestNo: string }>

  beforeEach(async () => {
    t = await TestSystem.start(kind)
    const system = t.system
    ids = {
      purchase: await approveRequest(system, 'purchase', 'zhangsan', { item: 'ThinkPad  X1 Carbon', quantity: 3, amountFen: 2_099_700, reason: '新员工入职', neededBy: '2026-12-10' }),
      transfer: await approveRequest(system, 'hr.transfer', 'zhangsan', { toDepartment: '销售部', toPosition: '售前工程师', effectiveDate: '2026-12-01', reason: '支持华东区' }),
      resign: await approveRequest(system, 'hr.resign', 'wujiu', { effectiveDate: '2026-12-31', reason: '个人原因', handoverTo: '赵六' }),
      project: await approveRequest(system, 'project', 'wangwu', { title: '华东区渠道拓展', budgetFen: 50_000_000, reason: '第一期', startDate: '2027-01-01' }, { review: ['zhaoliu', 'qianqi'] }),
    }
  }, 60_000)
  afterEach(async () => {
    await t.close()
  })

  const prepare = async () => {
    const actions = await prepareActions(t.database.db, t.system.erp.mappings, Object.values(ids).map((r) => r.id), STRICT)
    return (key: keyof typeof ids) => actions.get(ids[key].id)!
  }

  it('names every missing code before anything is posted', async () => {
    const actionOf = await prepare()
    const messages = (['purchase', 'transfer', 'resign', 'project'] as const).map((key) => (actionOf(key) as ErpError).userMessage)
    expect(messages[0]).toMatch(/^未配置映射：员工 张三（E1001） → ERP 员工\/往来单位；采购物品 ThinkPad {2}X1 Carbon → 物料；物品供应商 ThinkPad {2}X1 Carbon → ERP 供应商。/)
    // The transfer names the new department's head, who becomes the supervisor.
    expect(messages[1]).toMatch(/^未配置映射：员工 张三（E1001） → ERP 员工\/往来单位；员工 赵六（E1004） → ERP 员工\/往来单位。/)
    expect(messages[2]).toMatch(/^未配置映射：员工 吴九（E1005） → ERP 员工\/往来单位。/)
    expect(messages[3]).toMatch(/^未配置映射：员工 王五（E1003） → ERP 员工\/往来单位。/)
  })

  it('fills in the mapped codes: requisition with material and supplier, employee change, project with budget', async () => {
    const csv = [
      'kind,local,erp_code',
      'employee,E1001,P-1001',
      'employee,赵六,P-1004',
      'employee,E1005,P-1005',
      'employee,王五,P-1003',
      // Typed in chat with two spaces and capitals; the mapping matches it all the same.
      '采购物品,thinkpad x1 carbon,MAT-001',
      '物品供应商,ThinkPad X1 Carbon,S001',
    ].join('\n')
    expect(await t.system.erp.admin.importMappingsCsv(csv, 'sunba')).toEqual({ imported: 6, errors: [] })
    const actionOf = await prepare()

    expect(actionOf('purchase')).toEqual({
      kind: 'purchase.requisition',
      requestNo: ids.purchase.requestNo,
      date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      requester: { id: 'zhangsan', name: '张三', erpCode: 'P-1001' },
      department: { id: 'd-rd', name: '研发部', costCenter: 'CC-200' },
      item: 'ThinkPad  X1 Carbon',
      quantity: 3,
      budgetFen: 2_099_700,
      materialCode: 'MAT-001',
      supplierCode: 'S001',
      neededBy: '2026-12-10',
      memo: '新员工入职',
    } satisfies ErpAction)
    expect(actionOf('transfer')).toMatchObject({
      kind: 'hr.change',
      change: 'transfer',
      employee: { id: 'zhangsan', erpCode: 'P-1001' },
      effectiveDate: '2026-12-01',
      toDepartment: { id: 'd-sales', name: '销售部', costCenter: 'CC-300' },
      toPosition: '售前工程师',
      newSupervisor: { id: 'zhaoliu', name: '赵六', erpCode: 'P-1004' },
      memo: '研发部 → 销售部；新岗位 售前工程师；支持华东区',
    })
    expect(actionOf('resign')).toMatchObject({ kind: 'hr.change', change: 'resign', employee: { erpCode: 'P-1005' }, effectiveDate: '2026-12-31', memo: '个人原因；工作交接给 赵六' })
    expect(actionOf('project')).toMatchObject({
      kind: 'project.create',
      title: '华东区渠道拓展',
      date: '2027-01-01',
      owner: { id: 'wangwu', erpCode: 'P-1003' },
      department: { costCenter: 'CC-200' },
      budgetFen: 50_000_000,
    })
  })

  it('the built-in ledger records each of them once, numbered by kind', async () => {
    const actions = await prepareActions(t.database.db, t.system.erp.mappings, Object.values(ids).map((r) => r.id), t.system.ledger.mappingPolicy)
    const numbers: string[] = []
    for (const { id, requestNo } of Object.values(ids)) {
      const action = actions.get(id)
      if (!action || action instanceof ErpError) throw new Error(`no action for ${requestNo}: ${String(action)}`)
      const document = await t.system.ledger.post(action, requestNo)
      expect(await t.system.ledger.post(action, requestNo)).toEqual(document)
      expect(await t.system.ledger.find(requestNo)).toEqual(document)
      numbers.push(document.documentNo)
    }
    expect(numbers).toEqual([expect.stringMatching(/^请购-\d{6}-0001$/), '人事-202612-0001', '人事-202612-0002', '立项-202701-0001'])
    const rows = await t.database.db.selectFrom('ledger_documents').select(['kind', 'request_no', 'content']).orderBy('document_no').execute()
    expect(rows).toHaveLength(4)
    const transfer = rows.find((r) => r.request_no === ids.transfer.requestNo)!
    expect(JSON.parse(transfer.content)).toMatchObject({ toDepartment: { name: '销售部' }, employee: { erpCode: 'E1001' } })
  })
})
