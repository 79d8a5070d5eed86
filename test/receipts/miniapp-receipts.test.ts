import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AdminClient } from '../miniapp/admin-client.js'
import { COMPANY, DINNER, einvoicePdf, railwayTicketPdf } from './invoice-fixtures.js'
import { ReceiptsSystem } from './receipts-system.js'

const NOW = Date.parse('2026-11-25T10:00:00+08:00')

/** The admin app's side of receipts: settings, attachments behind the request's access rule, flags on the dashboard. */
describe('mini-app: receipts, settings and flags', () => {
  let t: ReceiptsSystem
  let pdf: Uint8Array
  let requestId: string
  let attachmentId: string

  beforeAll(async () => {
    t = await ReceiptsSystem.start('sqlite', () => NOW)
    pdf = await railwayTicketPdf({ number: '26119110000000777777', issueDate: '2026-11-19', departureDate: '2026-11-20', train: 'D301', fare: '553.00', buyerName: COMPANY.name, buyerTaxId: COMPANY.taxId })
    const sent = await t.send('zhangsan', '', [{ name: '动车票.pdf', mimeType: 'application/pdf', bytes: pdf }])
    await t.tap(sent.messages.find((m) => m.card)!.card!.id, 'confirm', 'zhangsan')
    const row = await t.database.db.selectFrom('attachments').select(['id', 'request_id']).executeTakeFirstOrThrow()
    requestId = row.request_id!
    attachmentId = row.id
  })
  afterAll(async () => {
    await t.close()
  })

  it('lets finance set the company tax ids and refuses an employee', async () => {
    const employee = await AdminClient.signIn(t.app, 'zhangsan')
    expect((await employee.request('/api/admin/settings/company', { method: 'PUT', body: { taxIds: COMPANY.taxId } })).status).toBe(403)
    const finance = await AdminClient.signIn(t.app, 'sunba')
    const bad = await finance.request('/api/admin/settings/company', { method: 'PUT', body: { name: COMPANY.name, taxIds: 'not-a-tax-id' } })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { message: string }).message).toContain('税号应为 15–20 位数字或大写字母')
    const saved = await finance.request('/api/admin/settings/company', { method: 'PUT', body: { name: COMPANY.name, taxIds: `${COMPANY.taxId.toLowerCase()}\n91310000MA1FL0000A` } })
    expect(saved.status).toBe(200)
    expect(await (await finance.get('/api/admin/settings/company')).json()).toEqual({ name: COMPANY.name, taxIds: [COMPANY.taxId, '91310000MA1FL0000A'] })
    const page = await (await finance.get('/miniapp/settings')).text()
    expect(page).toContain('id="company-settings"')
    expect(page).not.toContain('id="pilot-settings"')
  })

  it('serves an attachment to those who may see the request, and to nobody else', async () => {
    const url = `/miniapp/requests/${requestId}/attachments/${attachmentId}`
    for (const who of ['zhangsan', 'lisi', 'sunba']) {
      const res = await (await AdminClient.signIn(t.app, who)).get(url)
      expect(res.status, who).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/pdf')
      expect(res.headers.get('content-disposition')).toBe(`inline; filename*=UTF-8''${encodeURIComponent('动车票.pdf')}`)
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(pdf)
    }
    const outsider = await AdminClient.signIn(t.app, 'wujiu')
    expect((await outsider.get(url)).status).toBe(404)
    expect((await outsider.get(`/api/admin/requests/${requestId}/attachments`)).status).toBe(403)
    // The id alone does not open it under another request.
    const other = await t.database.db.selectFrom('requests').select('id').where('id', '!=', requestId).executeTakeFirst()
    if (other) expect((await (await AdminClient.signIn(t.app, 'sunba')).get(`/miniapp/requests/${other.id}/attachments/${attachmentId}`)).status).toBe(404)
    expect(await (await (await AdminClient.signIn(t.app, 'lisi')).get(`/api/admin/requests/${requestId}/attachments`)).json()).toMatchObject([{ id: attachmentId, name: '动车票.pdf', reading: 'invoice', invoice: { number: '26119110000000777777', trip: 'D301' } }])
  })

  it('shows files on the request page, and the context line to the approver only', async () => {
    const approverPage = await (await (await AdminClient.signIn(t.app, 'lisi')).get(`/miniapp/requests/${requestId}`)).text()
    expect(approverPage).toContain('动车票.pdf')
    expect(approverPage).toContain('发票 ¥553.00，2026-11-20，动车票')
    expect(approverPage).toContain('张三本月第1笔差旅费报销，累计 ¥553')
    const ownPage = await (await (await AdminClient.signIn(t.app, 'zhangsan')).get(`/miniapp/requests/${requestId}`)).text()
    expect(ownPage).toContain('动车票.pdf')
    expect(ownPage).not.toContain('id="insight"')
  })

  it('lists flagged requests on the dashboard and in /api/admin/flags', async () => {
    const big = await einvoicePdf({ ...DINNER, number: '26112000000055556666', amount: '6000.00', tax: '360.00', total: '6360.00' })
    const sent = await t.send('wujiu', '', [{ name: 'banquet.pdf', mimeType: 'application/pdf', bytes: big }])
    const { body } = await t.tap(sent.messages.find((m) => m.card)!.card!.id, 'confirm', 'wujiu')
    const requestNo = /BX-\d{6}-\d{4}/.exec(body.message)![0]
    const card = (await t.cards('zhaoliu', requestNo)).find((c) => c.actions.some((a) => a.id === 'approve'))!
    expect((await t.tap(card.id, 'approve', 'zhaoliu')).body.ok).toBe(true)
    const reason = '赵六 收到后 0 秒即同意了这笔 ¥6,360 的餐费，未填写意见'
    const finance = await AdminClient.signIn(t.app, 'sunba')
    const flags = (await (await finance.get('/api/admin/flags?from=2026-11-01&to=2026-11-25')).json()) as { requestNo: string; flags: { code: string; reason: string }[] }[]
    expect(flags).toContainEqual(expect.objectContaining({ requestNo, flags: expect.arrayContaining([{ code: 'quick_approval', reason }]) }))
    const dashboard = await (await finance.get('/miniapp/dashboard?from=2026-11-01&to=2026-11-25')).text()
    expect(dashboard).toContain('id="flags"')
    expect(dashboard).toContain(reason)
    // The next approver's card carries it too.
    const next = (await t.cards('sunba', requestNo)).find((c) => c.actions.some((a) => a.id === 'approve'))!
    expect(next.notes).toContain(`🚩 ${reason}`)
  })

  it('pilot: admins choose departments; others are told politely, approvers still approve', async () => {
    const finance = await AdminClient.signIn(t.app, 'sunba')
    expect((await finance.request('/api/admin/settings/pilot', { method: 'PUT', body: { enabled: true, departmentIds: ['d-sales'] } })).status).toBe(403)
    const admin = await AdminClient.signIn(t.app, 'admin')
    expect((await admin.request('/api/admin/settings/pilot', { method: 'PUT', body: { enabled: true, departmentIds: ['d-nowhere'] } })).status).toBe(400)
    const saved = await admin.request('/api/admin/settings/pilot', { method: 'PUT', body: { enabled: true, departments: { 'd-sales': true, 'd-rd': false }, elsewhere: '请继续在 OA 系统中提交' } })
    expect(saved.status).toBe(200)
    expect((await admin.get('/miniapp/settings').then((r) => r.text()))).toContain('id="pilot-settings"')

    const declined = await t.send('zhangsan', '报销交通费 58元')
    expect(declined.messages.map((m) => m.text)).toEqual(['你好，张三！审批助手目前正在销售部试点，研发部暂未开通。请继续在 OA 系统中提交。开通后会第一时间通知你，感谢理解。'])
    const files = await t.send('zhangsan', '', [{ name: 'x.pdf', mimeType: 'application/pdf', bytes: pdf }])
    expect(files.messages[0]?.text).toContain('研发部暂未开通')
    expect((await t.send('wujiu', '报销交通费 58元')).messages.some((m) => m.card)).toBe(true)
    expect((await t.send('lisi', '待我审批')).messages.some((m) => m.text?.includes('暂未开通'))).toBe(false)

    await admin.request('/api/admin/settings/pilot', { method: 'PUT', body: { enabled: false } })
    expect((await t.send('zhangsan', '报销交通费 58元')).messages.some((m) => m.card)).toBe(true)
  })
})
