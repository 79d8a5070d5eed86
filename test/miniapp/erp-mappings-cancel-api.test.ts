import type { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createParserFromEnv } from '../../bot/nlu/parser-from-env.js'
import { SecretBox } from '../../erp-bridge/connections/secret-box.js'
import { createApp } from '../../server/app.js'
import { composeSystem, type System } from '../../server/compose.js'
import { deriveKey } from '../../server/secret-key.js'
import { startWebhookErp, type WebhookErp } from '../fakes/erp-proxy/webhook-erp.js'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'
import { AdminClient, expectJson } from './admin-client.js'
import { freePort } from '../../scripts/free-port.js'

/**
 * The org page's ERP mappings edited in place and deleted (the same PUT as a missing one, and
 * DELETE /api/admin/erp/mappings/:kind/:localKey with the key the page encodes), and the ERP page's
 * 取消 on a failed and on a dead posting: the row ends cancelled and the ERP never sees it, even once
 * the ERP would accept it and the worker runs again. On both databases, against a real webhook receiver.
 */

const APP_KEY = 'k'.repeat(48)
const WEBHOOK_SECRET = 'webhook-secret-0123456789'
const MINUTE = 60_000

type Mapping = { kind: string; localKey: string; erpCode: string; erpName: string | null }
type Posting = { id: string; requestNo: string; status: string; reason: string | null; attempts: number }


describe.each(DB_KINDS)('ERP mappings and cancelled postings over the admin API on %s', (kind) => {
  let sys: TestSystem
  let admin: System
  let app: Hono
  let clock = Date.now()
  let erp: WebhookErp
  let finance: AdminClient
  let employee: AdminClient
  let auditor: AdminClient

  beforeAll(async () => {
    erp = await startWebhookErp({ secret: WEBHOOK_SECRET })
    sys = await TestSystem.start(kind)
    admin = await composeSystem({
      database: sys.database,
      parser: createParserFromEnv({}),
      now: () => clock,
      erpSecrets: await SecretBox.fromKey(await deriveKey(APP_KEY, 'erp-secrets')),
      outboxBaseBackoffMs: 10,
      // Given up once a drain 20 min apart finds the window over: the 8th try.
      outboxGiveUpAfterMs: 7 * 20 * MINUTE,
    })
    app = createApp(admin, { devMode: true, secretKey: APP_KEY })
    finance = await AdminClient.signIn(app, 'sunba')
    employee = await AdminClient.signIn(app, 'zhangsan')
    auditor = await AdminClient.signIn(app, 'admin') // the admin reads the audit log
  })
  afterAll(async () => {
    await admin?.outbox.stop()
    await sys?.close()
    await erp?.close()
  })

  const json = expectJson
  const mappings = (k: string) => json<Mapping[]>(finance.get(`/api/admin/erp/mappings?kind=${k}`))
  const ALL_STATUSES = ['pending', 'sending', 'posted', 'failed', 'unknown', 'dead', 'cancelled'].map((s) => `status=${s}`).join('&')
  const postingOf = async (requestNo: string) => (await json<Posting[]>(finance.get(`/api/admin/erp/postings?${ALL_STATUSES}`))).find((p) => p.requestNo === requestNo)

  /** Taps 同意 for whoever holds the request's card now, until nobody does (the flow is done). */
  async function approveAll(requestNo: string): Promise<void> {
    const people = ['lisi', 'wangwu', 'zhaoliu', 'qianqi', 'sunba', 'zhengshi', 'zhouzong']
    for (let step = 0; step < 8; step++) {
      let tapped = false
      for (const userId of people) {
        const card = (await sys.cards(userId, requestNo)).find((c) => c.actions.some((a) => a.id === 'approve'))
        if (!card) continue
        const { body } = await sys.tap(card.id, 'approve', userId)
        expect(body.ok, body.message).toBe(true)
        tapped = true
        break
      }
      if (!tapped) return
    }
    throw new Error(`${requestNo} still waits for someone after 8 approvals`)
  }

  async function useWebhook(name: string, url: string, required: string[]): Promise<string> {
    const settings = { url, secret: WEBHOOK_SECRET, employeeNoIsErpCode: true, requiredMappings: { 'expense.voucher': required } }
    const saved = await json<{ connection: { id: string } }>(finance.post('/api/admin/erp/connections', { name, adapter: 'webhook', settings }))
    await json(finance.post(`/api/admin/erp/connections/${saved.connection.id}/activate`, {}))
    return saved.connection.id
  }

  it('an existing mapping is edited in place and deleted with the URL the org page renders', async () => {
    await json(finance.request('/api/admin/erp/mappings', { method: 'PUT', body: { entries: [{ kind: 'expense_category', localKey: 'travel', erpCode: '6602.01', erpName: '差旅费' }] } }))
    // The row's inputs post the same PUT: a new code, the name cleared (the optional field is then left out).
    await json(finance.request('/api/admin/erp/mappings', { method: 'PUT', body: { entries: [{ kind: 'expense_category', localKey: 'travel', erpCode: ' 6602.11 ' }] } }))
    expect((await mappings('expense_category')).filter((m) => m.localKey === 'travel')).toEqual([expect.objectContaining({ erpCode: '6602.11', erpName: null })])

    // An item as people type it: spaces and a slash must survive the trip through the URL.
    const item = 'thinkpad x1 / 14寸'
    await json(finance.request('/api/admin/erp/mappings', { method: 'PUT', body: { entries: [{ kind: 'purchase_item', localKey: item, erpCode: 'MAT-001', erpName: '笔记本电脑' }] } }))
    const page = await (await finance.get('/miniapp/org')).text()
    const row = new RegExp(`<tr data-mapping="purchase_item:${item.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}">[\\s\\S]*?</tr>`).exec(page)?.[0]
    expect(row).toBeDefined()
    expect(row).toContain('value="MAT-001"')
    expect(row).toContain('value="笔记本电脑"')
    expect(row).toMatch(/data-confirm="删除映射「采购物品 thinkpad x1 \/ 14寸 → MAT-001」/)
    const deleteUrl = /data-call="([^"]+)" data-method="DELETE"/.exec(row!)?.[1]
    expect(deleteUrl).toBe(`/api/admin/erp/mappings/purchase_item/${encodeURIComponent(item)}`)

    await json(employee.request(deleteUrl!, { method: 'DELETE', body: {} }), 403)
    await json(finance.request(deleteUrl!, { method: 'DELETE', body: {}, csrf: false }), 403)
    expect((await mappings('purchase_item')).map((m) => m.localKey)).toEqual([item])
    await json(finance.request(deleteUrl!, { method: 'DELETE', body: {} }))
    expect(await mappings('purchase_item')).toEqual([])
    await json(finance.request(deleteUrl!, { method: 'DELETE', body: {} }), 404)

    const removed = await json<{ entityId: string; actorId: string }[]>(auditor.get('/api/admin/audit?action=erp.mappings.removed'))
    expect(removed).toEqual([expect.objectContaining({ entityId: `purchase_item:${item}`, actorId: 'sunba' })])
  })

  it('a failed posting is cancelled: the row ends cancelled and the ERP never sees it, even once it would accept it', async () => {
    await useWebhook('需要费用科目的 Webhook', erp.url, ['expense_category'])
    const requestNo = await sys.submitExpense('zhangsan', '提交本月培训费 1200元')
    await approveAll(requestNo)
    clock = Math.max(clock, Date.now())
    await admin.outbox.drainOnce()
    const failed = (await postingOf(requestNo))!
    expect(failed).toMatchObject({ status: 'failed' })
    expect(failed.reason).toContain('培训费')
    expect((await json<Posting[]>(finance.get('/api/admin/erp/postings'))).map((p) => p.requestNo)).toContain(requestNo)

    await json(employee.post(`/api/admin/erp/postings/${failed.id}/cancel`, {}), 403)
    await json(finance.post(`/api/admin/erp/postings/${failed.id}/cancel`, {}, { csrf: false }), 403)
    await json(finance.post(`/api/admin/erp/postings/${failed.id}/cancel`, { note: '已在 ERP 中手工录入' }))
    expect(await postingOf(requestNo)).toMatchObject({ status: 'cancelled' })
    expect((await json<Posting[]>(finance.get('/api/admin/erp/postings'))).map((p) => p.requestNo)).not.toContain(requestNo)
    await json(finance.post(`/api/admin/erp/postings/${failed.id}/cancel`, {}), 409)

    // The missing mapping arrives and the worker runs again: a cancelled row stays where it is.
    await json(finance.request('/api/admin/erp/mappings', { method: 'PUT', body: { entries: [{ kind: 'expense_category', localKey: 'training', erpCode: '6602.08' }] } }))
    clock += 30 * MINUTE
    await admin.outbox.drainOnce()
    expect(await postingOf(requestNo)).toMatchObject({ status: 'cancelled' })
    expect(erp.postsByKey.get(requestNo)).toBeUndefined()
    expect(erp.documents.filter((d) => d.idempotencyKey === requestNo)).toEqual([])

    const requestId = (await sys.database.db.selectFrom('requests').select('id').where('request_no', '=', requestNo).executeTakeFirstOrThrow()).id
    expect((await json<{ posting: { status: string } }>(employee.get(`/api/admin/requests/${requestId}`))).posting).toMatchObject({ status: 'cancelled' })
    const [audited] = await json<{ entityId: string; actorId: string; before: unknown; after: unknown }[]>(auditor.get('/api/admin/audit?action=erp.posting.cancelled'))
    expect(audited).toMatchObject({ entityId: failed.id, actorId: 'sunba', before: { status: 'failed' }, after: { status: 'cancelled', note: '已在 ERP 中手工录入' } })
  })

  it('a dead posting (the ERP unreachable through every retry) is cancelled, and nothing is sent once the ERP is back', async () => {
    const unreachable = await useWebhook('不可达的 Webhook', `http://127.0.0.1:${await freePort()}/erp`, [])
    const requestNo = await sys.submitExpense('zhangsan', '提交本月差旅费 800元')
    await approveAll(requestNo)
    // The retry window counts from the posting's creation: drain from then, 20 min apart.
    clock = Number((await sys.database.db.selectFrom('outbox').select('created_at').where('idempotency_key', '=', requestNo).executeTakeFirstOrThrow()).created_at)
    for (let i = 0; i < 12 && (await postingOf(requestNo))?.status !== 'dead'; i++) {
      await admin.outbox.drainOnce()
      clock += 20 * MINUTE // past any back-off (15 min at most) and the 30 s reconcile wait
    }
    const dead = (await postingOf(requestNo))!
    expect(dead).toMatchObject({ status: 'dead', attempts: 8 })
    expect(dead.reason).toContain('无法连接 ERP')

    await json(finance.post(`/api/admin/erp/postings/${dead.id}/cancel`, {}))
    expect(await postingOf(requestNo)).toMatchObject({ status: 'cancelled' })

    // The live receiver takes over; the worker drains again; the cancelled row is not sent.
    await useWebhook('恢复后的 Webhook', erp.url, [])
    clock += 20 * MINUTE
    await admin.outbox.drainOnce()
    expect(await postingOf(requestNo)).toMatchObject({ status: 'cancelled' })
    expect(erp.postsByKey.get(requestNo)).toBeUndefined()
    expect(erp.documents.filter((d) => d.idempotencyKey === requestNo)).toEqual([])
    await json(finance.request(`/api/admin/erp/connections/${unreachable}`, { method: 'DELETE', body: {} }))
    await json(finance.post('/api/admin/erp/connections/ledger/activate', {}))
  })

  it('a key is stored as postings look it up, however it was written; one that names nobody is refused', async () => {
    await json(finance.request('/api/admin/erp/mappings', { method: 'PUT', body: { entries: [{ kind: 'employee', localKey: 'E1001', erpCode: 'EMP-1001' }, { kind: 'purchase_item', localKey: 'ThinkPad  X1 Carbon', erpCode: 'MAT-009' }] } }))
    expect((await mappings('employee')).filter((m) => m.erpCode === 'EMP-1001').map((m) => m.localKey)).toEqual(['zhangsan'])
    expect((await mappings('purchase_item')).filter((m) => m.erpCode === 'MAT-009').map((m) => m.localKey)).toEqual(['thinkpad x1 carbon'])
    const refused = await finance.request('/api/admin/erp/mappings', { method: 'PUT', body: { entries: [{ kind: 'employee', localKey: '查无此人', erpCode: 'EMP-0' }] } })
    expect(refused.status).toBe(409)
    expect(((await refused.json()) as { message: string }).message).toContain('找不到工号或姓名为 查无此人 的员工')
    expect((await mappings('employee')).filter((m) => m.erpCode === 'EMP-0')).toEqual([])
  })

  it('a batch is audited one mapping at a time, each with its code before and after, however long the batch', async () => {
    const entries = Array.from({ length: 60 }, (_, i) => ({ kind: 'purchase_item', localKey: `audited item ${i}`, erpCode: `MAT-A${i}` }))
    await json(finance.request('/api/admin/erp/mappings', { method: 'PUT', body: { entries } }))
    // The same file again with one code changed: only that one is a change.
    const again = entries.map((e, i) => (i === 59 ? { ...e, erpCode: 'MAT-A59-NEW' } : e))
    await json(finance.request('/api/admin/erp/mappings', { method: 'PUT', body: { entries: again } }))
    const rows = await sys.database.db.selectFrom('audit_log').select(['entity_id']).where('action', '=', 'erp.mappings.saved').where('entity_id', 'like', 'purchase_item:audited item %').execute()
    expect(rows).toHaveLength(61)
    const [latest] = await json<{ entityId: string; actorId: string; before: unknown; after: unknown }[]>(auditor.get('/api/admin/audit?action=erp.mappings.saved'))
    expect(latest).toMatchObject({ entityId: 'purchase_item:audited item 59', actorId: 'sunba', before: { erpCode: 'MAT-A59', erpName: null }, after: { erpCode: 'MAT-A59-NEW', erpName: null } })
  })
})
