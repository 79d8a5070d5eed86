import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TrytonAdapter } from '../../erp-bridge/adapters/tryton/tryton-adapter.js'
import type { ErpAction, ExpenseVoucherAction } from '../../erp-bridge/erp-adapter.js'
import { BOOKS } from '../../scripts/tryton/setup-books.js'
import { startTrytonPeer, type TrytonPeer } from '../fakes/tryton/tryton-peer.js'
import { rejection } from './erp-rejection.js'
import { rnd, sampleExpense, sampleHrChange, samplePurchase, sampleProject, zhangsan } from './sample-actions.js'

/** Against a real trytond 6.0 started from the cached template; every record is read back over JSON-RPC. */

const year = new Date().getFullYear()
let peer: TrytonPeer
let adapter: TrytonAdapter
const postLatencies: number[] = []

beforeAll(async () => {
  const started = performance.now()
  peer = await startTrytonPeer()
  adapter = new TrytonAdapter(peer.adapterConfig)
  console.info(`tryton peer ready in ${Math.round(performance.now() - started)} ms (template copy + server start)`)
}, 120_000)

afterAll(async () => {
  if (postLatencies.length) {
    const sorted = [...postLatencies].sort((a, b) => a - b)
    console.info(`tryton post latency over ${sorted.length} posts: median ${Math.round(sorted[sorted.length >> 1]!)} ms, max ${Math.round(sorted.at(-1)!)} ms`)
  }
  await peer?.dispose()
})

async function timedPost(target: TrytonAdapter, action: ErpAction, key: string) {
  const started = performance.now()
  const document = await target.post(action, key)
  postLatencies.push(performance.now() - started)
  return document
}

const expense = (overrides: Partial<ExpenseVoucherAction> = {}) => sampleExpense({ date: `${year}-06-15`, department: rnd(), ...overrides })

const codeOf = async (model: string, id: number, field = 'code') =>
  (await peer.admin.read<Record<string, string>>(model, [id], [field]))[0]![field]

describe('TrytonAdapter against a real trytond', () => {
  it('tests the connection with the server version and a login', async () => {
    const result = await adapter.testConnection()
    expect(result.ok).toBe(true)
    expect(result.detail).toContain('Tryton 6.0')
    expect(result.detail).toContain(BOOKS.company.name)
  })

  it('posts an expense voucher: Dr the category account, Cr payable to the employee, posted', async () => {
    const key = 'BX-202611-0001:expense'
    const document = await timedPost(adapter, expense(), key)
    expect(document.documentNo).toMatch(new RegExp(`^记-${year}-\\d{4}$`))

    const moves = await peer.admin.searchRead<{ id: number; state: string; post_number: string; date: string; journal: number; description: string; lines: number[] }>(
      'account.move',
      [['description', 'like', `${key}%`]],
      ['state', 'post_number', 'date', 'journal', 'description', 'lines'],
    )
    expect(moves).toHaveLength(1)
    const move = moves[0]!
    expect(move).toMatchObject({ state: 'posted', post_number: document.documentNo, date: `${year}-06-15` })
    expect(move.description).toBe(`${key} BX-202611-0001 上海出差高铁票`)
    expect(await codeOf('account.journal', move.journal)).toBe('EXP')

    const lines = await peer.admin.read<{ account: number; debit: string; credit: string; party: number | null }>('account.move.line', move.lines, ['account', 'debit', 'credit', 'party'])
    const booked = await Promise.all(
      lines.map(async (l) => ({ account: await codeOf('account.account', l.account), debit: l.debit, credit: l.credit, party: l.party && (await codeOf('party.party', l.party)) })),
    )
    expect(booked).toEqual(
      expect.arrayContaining([
        { account: '6602.01', debit: '128.50', credit: '0', party: null },
        { account: '2241.01', debit: '0', credit: '128.50', party: 'E001' },
      ]),
    )
    expect(booked).toHaveLength(2)
  })

  it('posts the same key once: the second post and find give the same voucher', async () => {
    const key = 'BX-202611-0002:expense'
    const action = expense({ requestNo: 'BX-202611-0002', category: 'meal', amountFen: 8800 })
    const first = await timedPost(adapter, action, key)
    const second = await timedPost(adapter, action, key)
    expect(second).toEqual(first)
    expect(await adapter.find(key)).toEqual(first)
    expect(await peer.admin.search('account.move', [['description', 'like', `${key}%`]])).toHaveLength(1)
  })

  it('posts a purchase requisition for a product and supplier and approves it', async () => {
    const key = 'CG-202611-0001:purchase'
    const action = samplePurchase({
      date: `${year}-06-16`,
      requester: { id: 'u2', name: '李四', erpCode: 'E002' },
      department: rnd(),
      quantity: 3,
      budgetFen: 2_099_700,
      materialCode: BOOKS.product.code,
      supplierCode: BOOKS.supplier.code,
    })
    const document = await timedPost(adapter, action, key)
    expect(await timedPost(adapter, action, key)).toEqual(document)

    const requisitions = await peer.admin.searchRead<{ id: number; number: string; state: string; employee: number; supply_date: string; total_amount: string; lines: number[] }>(
      'purchase.requisition',
      [['description', 'like', `${key}%`]],
      ['number', 'state', 'employee', 'supply_date', 'total_amount', 'lines'],
    )
    expect(requisitions).toHaveLength(1)
    const requisition = requisitions[0]!
    expect(requisition.number).toBe(document.documentNo)
    expect(requisition.state).toBe('processing')
    expect(requisition.total_amount).toBe('20997.00')
    const [employee] = await peer.admin.read<{ party: number }>('company.employee', [requisition.employee], ['party'])
    expect(await codeOf('party.party', employee!.party)).toBe('E002')

    const [line] = await peer.admin.read<{ product: number; supplier: number; quantity: number; unit_price: string; purchase_requests: number[] }>(
      'purchase.requisition.line',
      requisition.lines,
      ['product', 'supplier', 'quantity', 'unit_price', 'purchase_requests'],
    )
    expect(line).toMatchObject({ quantity: 3, unit_price: '6999.0000' })
    expect(await codeOf('product.product', line!.product)).toBe(BOOKS.product.code)
    expect(await codeOf('party.party', line!.supplier)).toBe(BOOKS.supplier.code)
    // Approval in Tryton turned the line into a purchase request for the buyers.
    expect(line!.purchase_requests).toHaveLength(1)
  })

  it('posts a requisition for a free-text item in the default unit', async () => {
    const key = 'CG-202611-0002:purchase'
    const action = samplePurchase({
      requestNo: 'CG-202611-0002',
      date: `${year}-06-16`,
      requester: { id: 'u3', name: '王五' },
      department: { id: 'd2', name: '行政部' },
      item: 'A4 打印纸',
      quantity: 3,
      budgetFen: 10_000,
      memo: '',
    })
    const document = await timedPost(adapter, action, key)
    const [requisition] = await peer.admin.searchRead<{ number: string; total_amount: string; lines: number[] }>(
      'purchase.requisition',
      [['number', '=', document.documentNo]],
      ['number', 'total_amount', 'lines'],
    )
    const [line] = await peer.admin.read<{ product: number | null; description: string; unit: number; unit_price: string }>(
      'purchase.requisition.line',
      requisition!.lines,
      ['product', 'description', 'unit', 'unit_price'],
    )
    expect(line).toMatchObject({ product: null, description: 'A4 打印纸\n行政部', unit_price: '33.3333' })
    expect(await codeOf('product.uom', line!.unit, 'symbol')).toBe('u')
    expect(requisition!.total_amount).toBe('100.00')
  })

  it('creates a project with its budget in the comment, once', async () => {
    const key = 'XM-202611-0001:project'
    const action = sampleProject({ requestNo: 'XM-202611-0001', date: `${year}-06-17`, title: '华东区渠道拓展', owner: zhangsan('E001'), budgetFen: 50_000_000, memo: '第一期' })
    const document = await timedPost(adapter, action, key)
    expect(await timedPost(adapter, action, key)).toEqual(document)
    const id = Number(document.documentNo.split(',')[1])
    const [work] = await peer.admin.read<{ name: string; type: string; comment: string }>('project.work', [id], ['name', 'type', 'comment'])
    expect(work).toMatchObject({ name: '华东区渠道拓展', type: 'project' })
    expect(work!.comment).toContain(key)
    expect(work!.comment).toContain('¥500,000.00')
    expect(await peer.admin.search('project.work', [['name', '=', '华东区渠道拓展']])).toHaveLength(1)
  })

  it('records a resignation as the employee end date plus a note, once', async () => {
    const key = 'RS-202611-0001:hr'
    const action = sampleHrChange({ requestNo: 'RS-202611-0001', employee: { id: 'u3', name: '王五', erpCode: 'E003' }, effectiveDate: `${year}-07-31`, memo: '个人原因' })
    const document = await timedPost(adapter, action, key)
    expect(await timedPost(adapter, action, key)).toEqual(document)
    expect(await adapter.find(key)).toEqual(document)

    const [employee] = await peer.admin.searchRead<{ id: number; end_date: string }>('company.employee', [['party.code', '=', 'E003']], ['end_date'])
    expect(employee!.end_date).toBe(`${year}-07-31`)
    const notes = await peer.admin.searchRead<{ id: number; resource: string; message: string }>('ir.note', [['message', 'like', `${key}%`]], ['resource', 'message'])
    expect(notes).toHaveLength(1)
    expect(notes[0]!.resource).toBe(`company.employee,${employee!.id}`)
    expect(document.documentNo).toBe(`ir.note,${notes[0]!.id}`)
  })

  it('refuses a transfer, since Tryton has no department, unless told to keep it as a note', async () => {
    const action = sampleHrChange({
      requestNo: 'DG-202611-0001',
      employee: zhangsan('E001'),
      change: 'transfer',
      effectiveDate: `${year}-08-01`,
      toDepartment: { id: 'd3', name: '市场部', costCenter: 'CC-300' },
    })
    const error = await rejection(adapter.post(action, 'DG-202611-0001:hr'))
    expect(error.kind).toBe('permanent')
    expect(error.userMessage).toMatch(/^Tryton 的员工档案没有部门/)

    const noting = new TrytonAdapter({ ...peer.adapterConfig, recordTransferAsNote: true })
    const document = await noting.post(action, 'DG-202611-0001:hr')
    const notes = await peer.admin.searchRead<{ message: string }>('ir.note', [['message', 'like', 'DG-202611-0001:hr%']], ['message'])
    expect(notes).toHaveLength(1)
    expect(notes[0]!.message).toContain('市场部（成本中心 CC-300）')
    expect(await noting.find('DG-202611-0001:hr')).toEqual(document)
  })

  it('finds nothing for a key it never posted', async () => {
    expect(await adapter.find('never-posted:expense')).toBeNull()
  })

  it('says in words that an expense category has no account', async () => {
    const unmapped = new TrytonAdapter({ ...peer.adapterConfig, expenseAccounts: { travel: '9999' } })
    const wrongCode = await rejection(unmapped.post(expense(), 'BX-202611-0009:expense'))
    expect(wrongCode.kind).toBe('permanent')
    expect(wrongCode.userMessage).toContain('Tryton 中找不到科目 9999（费用类别 差旅费）')
    const missing = await rejection(unmapped.post(expense({ category: 'lodging' }), 'BX-202611-0009:expense'))
    expect(missing.userMessage).toContain('未配置映射：费用类别 住宿费 → Tryton 科目')
  })

  it('refuses an account closed in Tryton before posting anything', async () => {
    const [account] = await peer.admin.search('account.account', [['code', '=', '6602.08']])
    await peer.admin.write('account.account', [account!], { closed: true })
    const error = await rejection(adapter.post(expense({ category: 'communication' }), 'BX-202611-0010:expense'))
    expect(error.kind).toBe('permanent')
    expect(error.userMessage).toMatch(/^Tryton 科目 6602\.08（费用类别 通讯费）已停用，不能记账/)
    expect(await peer.admin.search('account.move', [['description', 'like', 'BX-202611-0010%']])).toHaveLength(0)
  })

  it("passes on Tryton's own validation error in Chinese: a leaving date before the joining date", async () => {
    const action = sampleHrChange({ requestNo: 'RS-202611-0002', employee: { id: 'u2', name: '李四', erpCode: 'E002' }, effectiveDate: '2019-12-31' })
    const error = await rejection(adapter.post(action, 'RS-202611-0002:hr'))
    expect(error.kind).toBe('permanent')
    expect(error.userMessage).toMatch(/^Tryton 拒绝了此操作：数据不满足 Tryton 的校验条件：\p{Script=Han}+/u)
    expect(await adapter.find('RS-202611-0002:hr')).toBeNull()
  })

  it('rejects a date in a closed period and in a closed fiscal year', async () => {
    const [march] = await peer.admin.search('account.period', [['type', '=', 'standard'], ['start_date', '=', { __class__: 'date', year, month: 3, day: 1 }]])
    await peer.admin.call('account.period', 'close', [[march!]])
    const closedPeriod = await rejection(adapter.post(expense({ date: `${year}-03-10` }), 'BX-202611-0011:expense'))
    expect(closedPeriod.kind).toBe('permanent')
    expect(closedPeriod.userMessage).toMatch(/^会计期间 .* 已关闭/)

    const [lastYear] = await peer.admin.search('account.fiscalyear', [['name', '=', String(year - 1)]])
    await peer.admin.call('account.fiscalyear', 'close', [[lastYear!]])
    const closedYear = await rejection(adapter.post(expense({ date: `${year - 1}-12-20` }), 'BX-202611-0012:expense'))
    expect(closedYear.kind).toBe('permanent')
    expect(closedYear.userMessage).toMatch(/已关闭/)

    const noYear = await rejection(adapter.post(expense({ date: `${year + 5}-01-05` }), 'BX-202611-0013:expense'))
    expect(noYear.userMessage).toContain(`Tryton 中没有包含 ${year + 5}-01-05 的会计期间`)
  })

  it('reports a wrong password as a permanent, readable error', async () => {
    const wrong = new TrytonAdapter({ ...peer.adapterConfig, password: 'not-the-password' })
    const error = await rejection(wrong.testConnection())
    expect(error.kind).toBe('permanent')
    expect(error.userMessage).toMatch(/^Tryton 登录失败：用户名或密码错误/)
    expect((await rejection(wrong.post(expense(), 'BX-202611-0014:expense'))).kind).toBe('permanent')
  })

  it('reports a stopped server as transient, and posts once it is back', async () => {
    const key = 'BX-202611-0015:expense'
    await peer.stopServer()
    try {
      const down = await rejection(adapter.post(expense({ requestNo: 'BX-202611-0015' }), key))
      expect(down.kind).toBe('transient')
      expect(down.userMessage).toMatch(/^无法连接 Tryton 服务器/)
      expect((await rejection(adapter.find(key))).kind).toBe('transient')
    } finally {
      await peer.startServer()
    }
    const document = await timedPost(adapter, expense({ requestNo: 'BX-202611-0015' }), key)
    expect(await adapter.find(key)).toEqual(document)
  })
})
