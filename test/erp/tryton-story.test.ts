import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PostingAnnouncer } from '../../bot/posting-announcer.js'
import { SecretBox } from '../../erp-bridge/connections/secret-box.js'
import { createErpBridge, type ErpBridge } from '../../erp-bridge/erp-bridge.js'
import { BOOKS } from '../../scripts/tryton/setup-books.js'
import { startTrytonPeer, type TrytonPeer } from '../fakes/tryton/tryton-peer.js'
import { TestSystem } from '../helpers/test-system.js'
import { approveRequest } from './approvals.js'

/**
 * Every request type, approved in our workflow (the expense claim through the chat simulator),
 * posted by the outbox worker into a real trytond through the connection an admin stored
 * (password sealed) and the mappings imported from CSV, then read back from Tryton.
 */
let peer: TrytonPeer
let t: TestSystem
let bridge: ErpBridge

beforeAll(async () => {
  peer = await startTrytonPeer()
  t = await TestSystem.start('sqlite')
  bridge = createErpBridge({
    db: t.database.db,
    dialect: t.database.dialect,
    ledger: t.system.ledger,
    secrets: await SecretBox.fromKey(crypto.getRandomValues(new Uint8Array(32))),
    listener: new PostingAnnouncer(t.system.services),
  })
}, 120_000)
afterAll(async () => {
  await t?.close()
  await peer?.dispose()
})

const codeOf = async (model: string, id: number, field = 'code') => (await peer.admin.read<Record<string, string>>(model, [id], [field]))[0]![field]

describe('every request type into a real Tryton', () => {
  it('an admin connects Tryton: settings stored with the password sealed, tested, made active', async () => {
    const { expenseAccounts: _accounts, ...settings } = peer.adapterConfig
    const saved = await bridge.admin.saveConnection({ name: 'Tryton 测试账套', adapter: 'tryton', settings: { ...settings, recordTransferAsNote: true } }, 'sunba')
    expect(saved.secretsSet).toEqual(['password'])
    expect(JSON.stringify(saved.settings)).not.toContain(String(settings.password))
    const test = await bridge.admin.testConnection({ id: saved.id })
    expect(test.ok).toBe(true)
    expect(test.detail).toContain('Tryton 6.0')
    await bridge.admin.activateConnection(saved.id, 'sunba')

    const csv = [
      '类型,本系统,ERP编码',
      '员工,E1001,E001',
      '员工,E1002,E002',
      '员工,E1003,E003',
      ...Object.entries(BOOKS.expenseAccounts).map(([category, account]) => `费用类别,${category},${account}`),
      `采购物品,笔记本电脑,${BOOKS.product.code}`,
      `物品供应商,笔记本电脑,${BOOKS.supplier.code}`,
    ].join('\n')
    expect((await bridge.admin.importMappingsCsv(csv, 'sunba')).errors).toEqual([])
    expect((await bridge.admin.check()).types.find((x) => x.requestType === 'expense')!.missing.map((m) => m.sentence)).toEqual([])
  })

  it('posts an expense voucher, a requisition, a transfer, a resignation and a project, and Tryton has each once', async () => {
    const expenseNo = await t.submitExpense('zhangsan', '提交本月差旅费 3500元')
    await t.tap((await t.actionableCard('lisi', expenseNo)).id, 'approve', 'lisi')
    await t.tap((await t.actionableCard('sunba', expenseNo)).id, 'approve', 'sunba')
    const purchase = await approveRequest(t.system, 'purchase', 'zhangsan', { item: '笔记本电脑', quantity: 2, amountFen: 1_399_800, reason: '新员工入职' })
    const transfer = await approveRequest(t.system, 'hr.transfer', 'lisi', { toDepartment: '销售部', effectiveDate: '2026-12-01', reason: '支持华东区' })
    const resign = await approveRequest(t.system, 'hr.resign', 'wangwu', { effectiveDate: '2026-12-31', reason: '个人原因' })
    const project = await approveRequest(t.system, 'project', 'zhangsan', { title: '华东区渠道拓展', budgetFen: 50_000_000, reason: '第一期' }, { review: ['zhaoliu', 'qianqi'] })

    while ((await bridge.worker.drainOnce()) > 0) {
      // until every row has settled
    }
    const rows = await bridge.admin.postings({ statuses: ['posted', 'failed', 'dead', 'unknown', 'pending'] })
    expect(rows.map((r) => [r.requestNo, r.status, r.reason])).toEqual(expect.arrayContaining([expenseNo, purchase.requestNo, transfer.requestNo, resign.requestNo, project.requestNo].map((n) => [n, 'posted', null])))
    const documentOf = new Map(rows.map((r) => [r.requestNo, r.documentNo!]))

    // The voucher: posted on EXP, Dr 6602.01 / Cr 2241.01 with 张三's party, 3,500.00.
    const [move] = await peer.admin.searchRead<{ id: number; state: string; post_number: string; lines: number[] }>('account.move', [['description', 'like', `${expenseNo}%`]], ['state', 'post_number', 'lines'])
    expect(move).toMatchObject({ state: 'posted', post_number: documentOf.get(expenseNo) })
    const lines = await peer.admin.read<{ account: number; debit: string; credit: string; party: number | null }>('account.move.line', move!.lines, ['account', 'debit', 'credit', 'party'])
    const booked = await Promise.all(lines.map(async (l) => [await codeOf('account.account', l.account), l.debit, l.credit, l.party && (await codeOf('party.party', l.party))]))
    expect(booked).toEqual(expect.arrayContaining([['6602.01', '3500.00', '0', null], ['2241.01', '0', '3500.00', 'E001']]))
    const told = (await t.inbox('zhangsan')).flatMap((m) => (m.text ? [m.text] : []))
    expect(told).toContain(`已入账，凭证号 ${documentOf.get(expenseNo)}（${expenseNo}）`)

    // The requisition: approved in Tryton, for MAT-001 from S001, 2 × 6,999.00.
    const [requisition] = await peer.admin.searchRead<{ number: string; state: string; total_amount: string; lines: number[] }>('purchase.requisition', [['description', 'like', `${purchase.requestNo}%`]], ['number', 'state', 'total_amount', 'lines'])
    expect(requisition).toMatchObject({ number: documentOf.get(purchase.requestNo), state: 'processing', total_amount: '13998.00' })
    const [line] = await peer.admin.read<{ product: number; supplier: number }>('purchase.requisition.line', requisition!.lines, ['product', 'supplier'])
    expect([await codeOf('product.product', line!.product), await codeOf('party.party', line!.supplier)]).toEqual([BOOKS.product.code, BOOKS.supplier.code])

    // The resignation ends 王五's employee record; both HR changes leave a note on the employee.
    const [wangwu] = await peer.admin.searchRead<{ end_date: string }>('company.employee', [['party.code', '=', 'E003']], ['end_date'])
    expect(wangwu!.end_date).toBe('2026-12-31')
    const notes = await peer.admin.searchRead<{ message: string }>('ir.note', [['message', 'like', `%${transfer.requestNo}%`]], ['message'])
    expect(notes).toHaveLength(1)
    expect(notes[0]!.message).toContain('销售部（成本中心 CC-300）')

    const [work] = await peer.admin.searchRead<{ name: string; comment: string }>('project.work', [['comment', 'like', `${project.requestNo}%`]], ['name', 'comment'])
    expect(work!.name).toBe('华东区渠道拓展')
    expect(work!.comment).toContain('¥500,000.00')

    // Nothing twice.
    for (const [model, field, key] of [['account.move', 'description', expenseNo], ['purchase.requisition', 'description', purchase.requestNo], ['project.work', 'comment', project.requestNo]] as const) {
      expect(await peer.admin.search(model, [[field, 'like', `${key}%`]])).toHaveLength(1)
    }
  })
})
