import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createParserFromEnv } from '../../bot/nlu/parser-from-env.js'
import { SecretBox } from '../../erp-bridge/connections/secret-box.js'
import { createApp } from '../../server/app.js'
import { composeSystem, type System } from '../../server/compose.js'
import { deriveKey } from '../../server/secret-key.js'
import { TestSystem } from '../helpers/test-system.js'
import { AdminClient } from './admin-client.js'

/**
 * The ERP page's connection forms are fields generated from each adapter's settings schema, not a
 * JSON box: typed inputs with the schema's required/min/max, choices as selects, mapping lists as
 * checkboxes, tables as "key = value" lines; secrets only in write-only fields; a saved
 * connection's settings come back into its edit form.
 */

const attr = (value: unknown) => JSON.stringify(value).replace(/"/g, '&quot;')

describe('ERP connection settings form', () => {
  const APP_KEY = 'k'.repeat(48)
  let sys: TestSystem
  let withSecrets: System
  let finance: AdminClient
  beforeAll(async () => {
    sys = await TestSystem.start('sqlite')
    // Stored ERP secrets need the app key, as in production.
    withSecrets = await composeSystem({ database: sys.database, parser: createParserFromEnv({}), erpSecrets: await SecretBox.fromKey(await deriveKey(APP_KEY, 'erp-secrets')) })
    finance = await AdminClient.signIn(createApp(withSecrets, { devMode: true, secretKey: APP_KEY }), 'sunba')
  })
  afterAll(async () => {
    await withSecrets?.outbox.stop()
    await sys?.close()
  })

  const formOf = (page: string, adapter: string, nth = 0) => page.split(`data-adapter="${adapter}"`)[nth + 1]!.split('</form>')[0]!

  it('gives every setting its own field, typed and checked as the schema says', async () => {
    const page = await (await finance.get('/miniapp/erp')).text()
    expect(page).not.toContain('Settings (JSON)')
    const webhook = formOf(page, 'webhook')
    expect(webhook).toMatch(/<input type="url" name="settings.url" data-path="[^"]+" value="" placeholder="" required/)
    expect(webhook).toMatch(/name="settings.timeoutMs"[^>]*placeholder="默认 default: 10000" data-optional[\s\S]*?max="120000" step="1"/)
    expect(webhook).toMatch(/<input type="checkbox" name="settings.employeeNoIsErpCode"/)
    expect(webhook).toContain(`data-path="${attr(['settings', 'requiredMappings', 'expense.voucher'])}" data-list value="expense_category"`)
    expect(webhook).toMatch(/name="settings.maxInFlight"[^>]*data-optional[\s\S]*?min="1"[\s\S]*?max="500"/)
    // The signing secret is write-only, never a plain field.
    expect(webhook).not.toMatch(/type="(text|url)" name="settings.secret"/)
    expect(webhook).toMatch(/type="password" name="settings.secret"/)

    const erpnext = formOf(page, 'erpnext')
    expect(erpnext).toMatch(/<select name="settings.expenseDocument" data-path="[^"]+" data-optional>\s*<option value="">默认 default: journal_entry<\/option><option value="journal_entry"/)
    expect(erpnext).toMatch(/<textarea name="settings.expenseClaimTypes" data-path="[^"]+" data-pairs data-optional/)
    const sap = formOf(page, 'sap')
    expect(sap).toMatch(/<fieldset class="field"><legend><span>采购 <span class="faint mono">purchasing<\/span>/)
    // Kingdee's expense settings change shape with the document chosen: a choice, then that document's fields.
    const kingdee = formOf(page, 'kingdee')
    expect(kingdee).not.toContain('data-json')
    expect(kingdee).toMatch(/<select name="settings.expense.document" data-path="[^"]+" data-union-switch><option value="reimbursement" selected>/)
    expect(kingdee).toMatch(/<div class="grid" data-variant="reimbursement" >[\s\S]*name="settings.expense.expenseItems"[^>]*data-pairs/)
    expect(kingdee).toMatch(/<div class="grid" data-variant="voucher" hidden>[\s\S]*name="settings.expense.accountBook"[^>]*required/)
    for (const adapter of ['tryton', 'kingdee', 'yonyou', 'sap', 'odoo', 'erpnext', 'webhook']) expect(formOf(page, adapter)).not.toContain('data-json')
  })

  it('shows a saved connection’s settings in its edit form, secrets left out', async () => {
    const settings = { url: 'http://127.0.0.1:9/hook', secret: 'webhook-secret-0123456789', timeoutMs: 5000, employeeNoIsErpCode: true, requiredMappings: { 'expense.voucher': ['expense_category', 'department'] } }
    const res = await finance.post('/api/admin/erp/connections', { name: '共享中心', adapter: 'webhook', settings })
    expect(res.status).toBe(200)
    const page = await (await finance.get('/miniapp/erp')).text()
    const edit = page.split('data-connection-id=')[1]!
    expect(edit).toContain('value="http://127.0.0.1:9/hook"')
    expect(edit).toMatch(/name="settings.timeoutMs"[^>]*value="5000"/)
    expect(edit).toMatch(/name="settings.employeeNoIsErpCode"[^>]*checked/)
    expect(edit).toMatch(/data-list value="department" checked/)
    expect(edit).toMatch(/data-list value="employee" >/)
    expect(edit).not.toContain('webhook-secret-0123456789')
  })
})
