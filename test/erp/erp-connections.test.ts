import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfiguredErp } from '../../erp-bridge/connections/configured-erp.js'
import { ErpConnectionStore } from '../../erp-bridge/connections/erp-connection-store.js'
import { SecretBox, SecretUnreadable } from '../../erp-bridge/connections/secret-box.js'
import { ErpAdminService } from '../../erp-bridge/admin/erp-admin-service.js'
import { ErpError } from '../../erp-bridge/erp-adapter.js'
import { MappingStore } from '../../erp-bridge/mapping/mapping-store.js'
import { startWebhookErp, type WebhookErp } from '../fakes/erp-proxy/webhook-erp.js'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'
import { sampleProject } from './sample-actions.js'

const SECRET = 'connection-test-secret-0'
const key = () => crypto.getRandomValues(new Uint8Array(32))

describe('SecretBox', () => {
  it('seals with a fresh IV, opens only with the same key and for the same record', async () => {
    const box = await SecretBox.fromKey(key())
    const a = await box.seal('{"password":"s3cret"}', 'conn-1')
    const b = await box.seal('{"password":"s3cret"}', 'conn-1')
    expect(a).toMatch(/^v1\.[\w-]+\.[\w-]+$/)
    expect(a).not.toBe(b)
    expect(a).not.toContain('s3cret')
    expect(await box.open(a, 'conn-1')).toBe('{"password":"s3cret"}')
    await expect(box.open(a, 'conn-2')).rejects.toBeInstanceOf(SecretUnreadable)
    await expect((await SecretBox.fromKey(key())).open(a, 'conn-1')).rejects.toBeInstanceOf(SecretUnreadable)
    const tampered = `${a.slice(0, -2)}${a.endsWith('A') ? 'B' : 'A'}A`
    await expect(box.open(tampered, 'conn-1')).rejects.toBeInstanceOf(SecretUnreadable)
  })
})

describe.each(DB_KINDS)('ERP connections (%s)', (kind) => {
  let t: TestSystem
  let erp: WebhookErp
  let other: WebhookErp
  let box: SecretBox
  let store: ErpConnectionStore
  let configured: ConfiguredErp
  let admin: ErpAdminService

  beforeEach(async () => {
    t = await TestSystem.start(kind)
    erp = await startWebhookErp({ secret: SECRET })
    other = await startWebhookErp({ secret: SECRET })
    box = await SecretBox.fromKey(key())
    const mappings = new MappingStore(t.database.db)
    store = new ErpConnectionStore(t.database.db, box)
    configured = new ConfiguredErp(t.database.db, store, mappings, t.system.ledger)
    admin = new ErpAdminService({ db: t.database.db, connections: store, mappings, target: configured.current, kick: () => {} })
  })
  afterEach(async () => {
    await t.close()
    await erp.close()
    await other.close()
  })

  const settings = (url: string) => ({ url, secret: SECRET, employeeNoIsErpCode: true, requiredMappings: { 'expense.voucher': [] } })

  it('keeps secrets sealed in the table and out of what the admin app is shown', async () => {
    const saved = await admin.saveConnection({ name: '财务共享中心', adapter: 'webhook', settings: settings(erp.url) }, 'sunba')
    expect(saved.settings).toEqual({ url: erp.url, employeeNoIsErpCode: true, requiredMappings: { 'expense.voucher': [] } })
    expect(saved.secretsSet).toEqual(['secret'])
    const row = await t.database.db.selectFrom('erp_connections').selectAll().where('id', '=', saved.id).executeTakeFirstOrThrow()
    expect(row.settings).not.toContain(SECRET)
    expect(row.secrets).not.toContain(SECRET)
    expect(row.secrets).toMatch(/^v1\./)

    // Only the secrets actually given are reported as set (SAP has two; basic auth uses one).
    const sap = await store.save({ name: 'SAP', adapter: 'sap', settings: { authMethod: 'basic', username: 'BRIDGE', password: 'sap-pass' } })
    expect(sap.secretsSet).toEqual(['password'])
    expect(sap.settings).toEqual({ authMethod: 'basic', username: 'BRIDGE' })
    await store.remove(sap.id)

    // Saving again without the secret keeps the stored one.
    await admin.saveConnection({ id: saved.id, name: '财务共享中心', adapter: 'webhook', settings: { url: other.url, secret: '' } }, 'sunba')
    expect((await store.fullSettings(saved.id)).settings).toMatchObject({ url: other.url, secret: SECRET })

    // A different APP_SECRET_KEY cannot open it, and says what to do.
    const rekeyed = new ErpConnectionStore(t.database.db, await SecretBox.fromKey(key()))
    await expect(rekeyed.fullSettings(saved.id)).rejects.toThrow(/请重新填写连接密码/)
    const audit = await t.database.db.selectFrom('audit_log').select(['action', 'actor_id', 'after_state']).where('action', '=', 'erp.connection.saved').execute()
    expect(audit).toHaveLength(2)
    expect(audit.every((a) => a.actor_id === 'sunba' && !a.after_state?.includes(SECRET))).toBe(true)
  })

  it('refuses settings that cannot work, in words, and stores nothing', async () => {
    const error = await admin.saveConnection({ name: 'x', adapter: 'webhook', settings: { url: 'not a url', secret: 'short' } }, 'sunba').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ErpError)
    expect((error as ErpError).userMessage).toMatch(/^ERP 连接设置有误：url：Webhook 地址必须是 http\(s\) 网址.*secret：签名密钥至少 16 个字符/)
    const unknown = await admin.saveConnection({ name: 'x', adapter: 'sap-r3', settings: {} }, 'sunba').catch((e: unknown) => e)
    expect((unknown as ErpError).userMessage).toMatch(/^不支持的 ERP 类型：sap-r3/)
    expect(await store.list()).toEqual([])
  })

  it('tests a connection before and after saving, and remembers the last result', async () => {
    const unsaved = await admin.testConnection({ input: { name: 'x', adapter: 'webhook', settings: settings(erp.url) } })
    expect(unsaved).toMatchObject({ ok: true })
    expect(unsaved.detail).toContain('签名验证通过')

    const wrong = await admin.testConnection({ input: { name: 'x', adapter: 'webhook', settings: { ...settings(erp.url), secret: 'a-different-secret-1' } } })
    expect(wrong).toMatchObject({ ok: false })
    expect(wrong.detail).toContain('ERP 接收方拒绝了签名')

    const saved = await admin.saveConnection({ name: 'ERP', adapter: 'webhook', settings: settings(erp.url) }, 'sunba')
    await erp.close()
    const down = await admin.testConnection({ id: saved.id })
    expect(down).toMatchObject({ ok: false })
    expect(down.detail).toMatch(/^无法连接 ERP/)
    expect((await store.view(saved.id)).lastTest).toMatchObject({ ok: false, detail: down.detail })
    erp = await startWebhookErp({ secret: SECRET })
  })

  it('postings follow the active connection, switched without a restart; none active means the ledger', async () => {
    expect((await configured.current()).adapter.name).toBe('ledger')
    const first = await admin.saveConnection({ name: 'A', adapter: 'webhook', settings: settings(erp.url) }, 'sunba')
    await admin.activateConnection(first.id, 'sunba')
    const a = await configured.current()
    expect(a.adapter.name).toBe('webhook')
    expect(await configured.current()).toBe(a)
    await a.adapter.post(sampleProject({ requestNo: 'LX-1' }), 'LX-1')
    expect(erp.documents).toHaveLength(1)

    await admin.saveConnection({ id: first.id, name: 'A', adapter: 'webhook', settings: { ...settings(other.url), secret: '' } }, 'sunba')
    const b = await configured.current()
    expect(b).not.toBe(a)
    await b.adapter.post(sampleProject({ requestNo: 'LX-2' }), 'LX-2')
    expect(other.documents).toHaveLength(1)

    await expect(admin.removeConnection(first.id, 'sunba')).rejects.toThrow(/不能删除正在使用的 ERP 连接/)
    await admin.activateConnection(null, 'sunba')
    expect((await configured.current()).adapter.name).toBe('ledger')
    await admin.removeConnection(first.id, 'sunba')
    expect(await store.list()).toEqual([])
  })
})
