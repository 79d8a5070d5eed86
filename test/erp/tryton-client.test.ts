import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { TrytonClient, trytonDate, trytonDecimal } from '../../erp-bridge/adapters/tryton/tryton-client.js'
import { unitPrice } from '../../erp-bridge/adapters/tryton/tryton-mapping.js'
import { fenToDecimal } from '../../erp-bridge/adapters/document-values.js'
import { startScriptedTrytond, type ScriptedTrytond } from '../fakes/tryton/scripted-trytond.js'
import { rejection } from './erp-rejection.js'

/** The wire-level behaviour a healthy trytond will not show on demand, against a scripted JSON-RPC server. */

let server: ScriptedTrytond
let client: TrytonClient

beforeAll(async () => {
  server = await startScriptedTrytond('secret')
})
afterAll(() => server.close())
beforeEach(() => {
  client = new TrytonClient({ url: server.url, database: server.database, username: 'bridge', password: 'secret', language: 'zh_CN', timeoutMs: 300 })
})

describe('TrytonClient on the wire', () => {
  it('sends the session header and the context last, and decodes Decimal and date', async () => {
    server.script({ result: [{ id: 7, debit: { __class__: 'Decimal', decimal: '128.50' }, date: { __class__: 'date', year: 2026, month: 3, day: 9 } }] })
    const rows = await client.read('account.move.line', [7], ['debit', 'date'])
    expect(rows).toEqual([{ id: 7, debit: '128.50', date: '2026-03-09' }])
    const call = server.calls.at(-1)!
    expect(call.method).toBe('model.account.move.line.read')
    expect(call.authorization).toBe(`Session ${Buffer.from('bridge:1:session-' + server.logins).toString('base64')}`)
    expect(call.params).toEqual([[7], ['debit', 'date'], { company: 1, language: 'zh_CN' }])
  })

  it('encodes Decimal and date the way trytond decodes them', () => {
    expect(trytonDecimal('0.10')).toEqual({ __class__: 'Decimal', decimal: '0.10' })
    expect(trytonDate('2026-11-05')).toEqual({ __class__: 'date', year: 2026, month: 11, day: 5 })
  })

  it('logs in again once when the session has expired', async () => {
    server.script({ result: [1] }, { result: [2] })
    await client.search('party.party', [])
    const loginsBefore = server.logins
    server.expireSessions()
    expect(await client.search('party.party', [])).toEqual([2])
    expect(server.logins).toBe(loginsBefore + 1)
  })

  it('opens one session for parallel calls', async () => {
    server.script({ result: [1] }, { result: [2] }, { result: [3] })
    const loginsBefore = server.logins
    await Promise.all([client.search('a', []), client.search('b', []), client.search('c', [])])
    expect(server.logins).toBe(loginsBefore + 1)
  })

  it('gives up with a permanent error when a fresh session is refused too', async () => {
    const loginsBefore = server.logins
    server.refuseSessions = true
    try {
      expect((await rejection(client.search('party.party', []))).kind).toBe('permanent')
      expect(server.logins).toBe(loginsBefore + 1)

      server.script({ result: [1] })
      server.refuseSessions = false
      await client.search('party.party', [])
      server.refuseSessions = true
      expect((await rejection(client.search('party.party', []))).kind).toBe('permanent')
      expect(server.logins).toBe(loginsBefore + 3)
    } finally {
      server.refuseSessions = false
    }
  })

  it('treats a wrong password as permanent', async () => {
    const wrong = new TrytonClient({ url: server.url, database: server.database, username: 'bridge', password: 'nope', language: 'zh_CN', timeoutMs: 300 })
    const error = await rejection(wrong.search('party.party', []))
    expect(error).toMatchObject({ kind: 'permanent' })
    expect(error.userMessage).toMatch(/^Tryton 登录失败：用户名或密码错误/)
  })

  it.each([
    { name: 'a UserError', reply: { error: ['UserError', ['会计期间已关闭。', '', null]] }, kind: 'permanent', text: /^Tryton 拒绝了此操作：会计期间已关闭。/ },
    { name: 'a UserWarning', reply: { error: ['UserWarning', ['move_42', '科目余额为负。', '']] }, kind: 'permanent', text: /^Tryton 需要人工确认：科目余额为负。/ },
    { name: 'a ConcurrencyException', reply: { error: ['ConcurrencyException', 'Records were modified in the meanwhile'] }, kind: 'transient', text: /正被他人修改/ },
    { name: 'a locked SQLite database', reply: { error: ['database is locked', 'Traceback ...'] }, kind: 'transient', text: /数据库繁忙/ },
    { name: 'an unknown field', reply: { error: ["'budget'", ''] }, kind: 'permanent', text: /^Tryton 内部出错：'budget'/ },
    { name: 'HTTP 503', reply: { status: 503 }, kind: 'transient', text: /HTTP 503/ },
    { name: 'HTTP 429', reply: { status: 429 }, kind: 'transient', text: /登录失败次数过多/ },
    { name: 'HTTP 504 on a write', reply: { status: 504 }, kind: 'unknown', text: /可能已经生成/ },
  ] as const)('maps $name to a $kind error', async ({ reply, kind, text }) => {
    server.script(reply)
    const error = await rejection(client.create('party.party', [{ name: 'x' }]))
    expect(error.kind).toBe(kind)
    expect(error.userMessage).toMatch(text)
  })

  it('explains a message id the zh_CN translation failed to format, from the field names trytond sends', async () => {
    server.script({ error: ['UserError', ['ir.msg_domain_validation_record', '', [[['closed', '!=', true]], { closed: { string: '已结账', help: '选中后，禁止账户入账.' } }]]] })
    const error = await rejection(client.create('account.move', [{}]))
    expect(error.userMessage).toBe('Tryton 拒绝了此操作：数据不满足 Tryton 的校验条件：已结账（选中后，禁止账户入账）（Tryton rejected the request）')
  })

  it('treats a timeout as unknown for a write (it may have landed) and transient for a read', async () => {
    server.script({ hang: true })
    expect((await rejection(client.create('party.party', [{ name: 'x' }]))).kind).toBe('unknown')
    server.script({ hang: true })
    expect((await rejection(client.search('party.party', []))).kind).toBe('transient')
  })

  it('treats a refused connection as transient', async () => {
    const closed = new TrytonClient({ url: 'http://127.0.0.1:9', database: 'x', username: 'u', password: 'p', language: 'zh_CN', timeoutMs: 300 })
    const error = await rejection(closed.create('party.party', [{ name: 'x' }]))
    expect(error.kind).toBe('transient')
    expect(error.userMessage).toMatch(/^无法连接 Tryton 服务器/)
  })
})

describe('money on the wire', () => {
  it.each([
    [12850, '128.50'],
    [5, '0.05'],
    [100, '1.00'],
    [-12345, '-123.45'],
  ])('fen %i → decimal %s', (fen, decimal) => {
    expect(fenToDecimal(fen)).toBe(decimal)
  })

  it.each([
    [2_099_700, 3, '6999.0000'],
    [10_000, 3, '33.3333'],
    [999, 2, '4.9950'],
  ])('budget %i fen over %i units → unit price %s', (budget, quantity, price) => {
    expect(unitPrice(budget, quantity)).toBe(price)
  })
})
