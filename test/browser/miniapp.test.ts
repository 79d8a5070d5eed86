import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWebhookErp, type WebhookErp } from '../fakes/erp-proxy/webhook-erp.js'
import { xlsxWorkbook } from '../miniapp/xlsx-file.js'
import { screenshot } from './screenshots.js'
import { startServer, type RunningServer } from './server-process.js'
import { launchChromium } from './chromium.js'

/**
 * The admin mini-app in real headless Chromium at a phone viewport, against the real server in dev
 * mode, with data made the way people make it: through the chat simulator's API. Screenshots of
 * every page go to test-artifacts/miniapp/.
 */

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'miniapp')
const WEBHOOK_SECRET = 'webhook-secret-0123456789'

let server: RunningServer
let browser: Browser
let erp: WebhookErp

interface SimCard {
  id: string
  requestNo?: string
  actions: { id: string }[]
}

async function sim<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.baseUrl}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

/** Types a claim in the simulator and confirms its card: what 张三 does in chat. */
async function submitInChat(userId: string, text: string): Promise<string> {
  const { messages } = await sim<{ messages: { card?: SimCard }[] }>('/api/dev/messages', { userId, text })
  const card = messages.find((m) => m.card?.actions.some((a) => a.id === 'confirm'))?.card
  if (!card) throw new Error(`no confirmation card for "${text}": ${JSON.stringify(messages)}`)
  const { message } = await sim<{ message: string }>(`/api/dev/cards/${card.id}/actions/confirm`, { userId })
  return /[A-Z]{2}-\d{6}-\d{4}/.exec(message)![0]
}

async function approveInChat(userId: string, requestNo: string): Promise<void> {
  const inbox = await sim<{ card?: SimCard }[]>(`/api/dev/inbox/${userId}`)
  const card = inbox.map((i) => i.card).find((c) => c?.requestNo === requestNo && c.actions.some((a) => a.id === 'approve'))
  if (!card) throw new Error(`${userId} has no card to approve ${requestNo}`)
  await sim(`/api/dev/cards/${card.id}/actions/approve`, { userId })
}

async function phone(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, locale: 'zh-CN' })
  context.setDefaultTimeout(10_000)
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('dialog', (d) => void d.accept())
  return { context, page, errors }
}

async function signIn(page: Page, userId: string, next = ''): Promise<void> {
  await page.goto(`${server.baseUrl}/miniapp/login${next ? `?next=${encodeURIComponent(next)}` : ''}`)
  await page.locator(`[data-login-user="${userId}"]`).click()
  await page.waitForURL(/\/miniapp\/(?!login)/)
}

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.waitForTimeout(150)
  await screenshot(page, join(ARTIFACTS, `${name}.png`), { fullPage })
}

async function withPhone(name: string, run: (page: Page) => Promise<void>): Promise<void> {
  const { context, page, errors } = await phone()
  try {
    await run(page)
    expect(errors).toEqual([])
  } catch (error) {
    await shot(page, `failure-${name}`).catch(() => {})
    throw new Error(`${(error as Error).message}\n--- server output ---\n${server.output().slice(-4000)}`, { cause: error })
  } finally {
    await context.close()
  }
}

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true })
  ;[server, erp] = await Promise.all([startServer(), startWebhookErp({ secret: WEBHOOK_SECRET })])
  browser = await launchChromium()
}, 90_000)

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await erp?.close()
})

describe('admin mini-app on a phone', () => {
  it('signs in, and refuses a non-admin on the server, not only in the menu', async () => {
    await withPhone('refused', async (page) => {
      await page.goto(`${server.baseUrl}/miniapp/audit`)
      await page.waitForURL(/\/miniapp\/login\?next=/)
      await shot(page, '01-login')
      await page.locator('[data-login-user="zhangsan"]').click()
      await page.waitForURL(/\/miniapp\/audit/)
      expect(await page.locator('#forbidden').textContent()).toContain('无权访问')
      expect(await page.locator('.nav a').allTextContents()).toEqual([expect.stringContaining('我的')])
      await shot(page, '02-employee-refused')
      const status = await page.evaluate(async () => (await fetch('/api/admin/org/employees')).status)
      expect(status).toBe(403)
      const forged = await page.evaluate(async () => (await fetch('/api/admin/my/tasks/x/decision', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"decision":"approve"}' })).status)
      expect(forged).toBe(403) // no CSRF header: refused before anything else
    })
  }, 30_000)

  it('my work: an approver approves a chat request from the mini-app, and the requester sees the timeline', async () => {
    const requestNo = await submitInChat('zhangsan', '提交本月差旅费 3500元')
    await withPhone('my-work', async (page) => {
      await signIn(page, 'lisi')
      const task = page.locator(`.task[data-request-no="${requestNo}"]`)
      await task.waitFor()
      await task.locator('textarea').fill('同意，出差辛苦')
      await shot(page, '03-my-tasks')
      await task.locator('[data-decide="approve"]').click()
      await expect.poll(() => task.locator('.task-status').textContent()).toBe('已同意')
      await shot(page, '04-approved')
    })
    await withPhone('timeline', async (page) => {
      await signIn(page, 'zhangsan')
      const row = page.locator(`#my-requests li[data-request-no="${requestNo}"]`)
      expect(await row.textContent()).toContain('等待 孙八 审批')
      await row.locator('a.item-title').click()
      await page.locator('#timeline').waitFor()
      expect(await page.locator('#timeline').textContent()).toMatch(/李四 · 已同意[\s\S]*同意，出差辛苦/)
      await shot(page, '05-request-timeline')
    })
  }, 30_000)

  it('flows: an admin adds a step in the visual editor, validates, publishes; the next request follows it', async () => {
    await withPhone('flows', async (page) => {
      await signIn(page, 'admin', '/miniapp/flows')
      await shot(page, '06-flows')
      await page.locator('[data-flow-type="expense"] a.btn').click()
      await page.locator('#flow-canvas').waitFor()
      // The "+" just before 结束: a new approver node at the end of the flow.
      await page.locator('#flow-canvas > li.flow-add').last().locator('.add-node').click()
      await page.locator('#flow-canvas > li.flow-add').last().locator('[data-add="approver"]').click()
      const node = page.locator('#flow-canvas > li.flow-node[data-kind="approver"]').last()
      await node.locator('input[aria-label="名称"]').fill('行政复核')
      await node.locator('input[aria-label="名称"]').press('Tab')
      await node.locator('select[aria-label="审批人来源 source"]').selectOption('users')
      await node.locator('select[aria-label="成员 people"]').selectOption('zhengshi')
      await page.locator('#sample-requester').selectOption('zhangsan')
      await page.locator('#flow-validate').click()
      await expect.poll(() => page.locator('#flow-result').textContent()).toMatch(/校验通过[\s\S]*行政复核：郑十/)
      await shot(page, '07-flow-edited')
      await page.locator('#flow-publish').click()
      await page.waitForURL(/\/miniapp\/flows\/expense$/)
      await expect.poll(() => page.locator('#versions [data-version="2"]').count()).toBe(1)
      await shot(page, '08-flow-published', false)
    })
    const requestNo = await submitInChat('wujiu', '报销上周打车费 86元')
    await approveInChat('zhaoliu', requestNo)
    await approveInChat('sunba', requestNo)
    await withPhone('flow-followed', async (page) => {
      await signIn(page, 'zhengshi')
      const task = page.locator(`.task[data-request-no="${requestNo}"]`)
      await task.waitFor()
      expect(await task.locator('.task-status').textContent()).toBe('行政复核')
      await shot(page, '09-new-step-task')
    })
  }, 40_000)

  it('flows: an editor opened before another admin published cannot overwrite it, and says so', async () => {
    await withPhone('flow-stale', async (page) => {
      const published: unknown[] = []
      page.on('request', (r) => {
        if (r.method() === 'POST' && r.url().endsWith('/api/admin/flows/purchase/publish')) published.push(r.postDataJSON())
      })
      await signIn(page, 'admin', '/miniapp/flows/purchase')
      await page.locator('#flow-canvas').waitFor()

      await withPhone('flow-stale-other', async (other) => {
        await signIn(other, 'admin', '/miniapp/flows/purchase')
        await other.locator('#flow-canvas').waitFor()
        await other.locator('#flow-publish').click()
        await other.waitForURL(/\/miniapp\/flows\/purchase$/)
        await expect.poll(() => other.locator('#versions [data-version="2"]').count()).toBe(1)
      })

      await page.locator('input[aria-label="流程名称"]').fill('采购审批（修订）')
      await page.locator('input[aria-label="流程名称"]').press('Tab')
      await page.locator('#flow-publish').click()
      await expect.poll(() => page.locator('#flow-result').textContent()).toContain('该流程已被他人更新（第 2 版），请刷新后再发布')
      expect(published).toEqual([expect.objectContaining({ baseVersion: 1, definition: expect.objectContaining({ name: '采购审批（修订）' }) })])
      expect(await page.locator('#flow-publish').isDisabled()).toBe(false)
      await shot(page, '08b-flow-stale-refused')
      await page.reload()
      expect(await page.locator('#versions [data-version]').count()).toBe(2)
    })
  }, 40_000)

  it('ERP: finance connects a webhook ERP, adds the mapping a failed posting lacks, and retries it', async () => {
    const requestNo = await submitInChat('zhangsan', '提交本月培训费 1200元')
    await withPhone('erp', async (page) => {
      await signIn(page, 'sunba', '/miniapp/erp')
      const form = page.locator('#new-connection form[data-adapter="webhook"]')
      await page.locator('#new-connection details', { has: page.locator('form[data-adapter="webhook"]') }).locator('summary').click()
      // Form fields, not JSON: only the expense category must be mapped (department too would block the retry below).
      await form.locator('input[name="settings.url"]').fill(erp.url)
      await form.locator('input[name="settings.employeeNoIsErpCode"]').check()
      await form.locator('input[name="settings.requiredMappings.expense.voucher"][value="expense_category"]').check()
      await form.locator('input[name="settings.secret"]').fill(WEBHOOK_SECRET)
      await shot(page, '09b-erp-connection-form')
      await form.locator('button[type=submit]').click()
      const connection = page.locator('#connections li[data-connection-id]')
      await connection.waitFor()
      await connection.getByRole('button', { name: /测试连接/ }).click()
      await expect.poll(() => page.locator('#connections').textContent(), { timeout: 10_000 }).toContain('成功 OK')
      await page.locator('#connections li[data-connection-id]').getByRole('button', { name: /设为当前/ }).click()
      await expect.poll(() => page.locator('#current-target').textContent()).toContain('Webhook')

      await approveInChat('lisi', requestNo)
      await approveInChat('sunba', requestNo)
      await approveInChat('zhengshi', requestNo) // the step the flows test published
      const failed = page.locator(`#outbox-problems li[data-request-no="${requestNo}"]`)
      await expect.poll(async () => { await page.reload(); return failed.count() }, { timeout: 15_000 }).toBe(1)
      expect(await failed.textContent()).toContain('培训费')
      await shot(page, '10-erp-failed-posting')

      await page.goto(`${server.baseUrl}/miniapp/org`)
      const missing = page.locator('#missing-mappings li[data-missing="expense_category:training"]')
      await missing.locator('input[name="erpCode"]').fill('6602.08')
      await shot(page, '11-missing-mapping')
      await missing.locator('button[type=submit]').click()
      await page.locator('#mapping-table tr[data-mapping="expense_category:training"]').waitFor()

      await page.goto(`${server.baseUrl}/miniapp/erp`)
      await page.locator(`#outbox-problems li[data-request-no="${requestNo}"] [data-call$="/retry"]`).click()
      await expect.poll(async () => { await page.reload(); return page.locator(`#outbox-problems li[data-request-no="${requestNo}"]`).count() }, { timeout: 15_000 }).toBe(0)
      await shot(page, '12-erp-after-retry')
    })
    expect(erp.documents.filter((d) => d.idempotencyKey === requestNo)).toHaveLength(1)
  }, 45_000)

  it('ERP mappings: finance corrects a mapping in place, and deletes one only after confirming', async () => {
    type Mapping = { kind: string; localKey: string; erpCode: string; erpName: string | null }
    await withPhone('mapping-edit', async (page) => {
      await signIn(page, 'sunba', '/miniapp/org')
      const mappingOf = async (localKey: string) =>
        ((await page.evaluate(async () => (await fetch('/api/admin/erp/mappings?kind=expense_category')).json())) as Mapping[]).find((m) => m.localKey === localKey)
      const row = page.locator('#mapping-table tr[data-mapping="expense_category:training"]')
      expect(await row.locator('input[name="erpCode"]').inputValue()).toBe('6602.08')

      // Every placeholder in the mapping panel fits its box at 375 px (the optional name's used to be cut off).
      const clipped = await page.evaluate(() => {
        const context = document.createElement('canvas').getContext('2d')!
        return Array.from(document.querySelectorAll<HTMLInputElement>('#mappings input[placeholder]'))
          .filter((input) => input.offsetParent !== null)
          .filter((input) => {
            const style = getComputedStyle(input)
            context.font = style.font
            const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
            return context.measureText(input.placeholder).width > room
          })
          .map((input) => `${input.placeholder} (${input.clientWidth}px)`)
      })
      expect(clipped).toEqual([])
      // …and the table of existing mappings, inputs and buttons included, fits without scrolling sideways.
      expect(await page.locator('#mappings .table-wrap').evaluate((wrap) => wrap.scrollWidth - wrap.clientWidth)).toBeLessThanOrEqual(0)

      await row.locator('input[name="erpCode"]').fill('6602.18')
      await row.locator('input[name="erpName"]').fill('管理费用-培训费')
      await shot(page, '11b-mapping-edit')
      await row.getByRole('button', { name: /保存/ }).click()
      await expect.poll(() => mappingOf('training'), { timeout: 5_000 }).toMatchObject({ erpCode: '6602.18', erpName: '管理费用-培训费' })
      await page.reload()
      expect(await row.locator('input[name="erpCode"]').inputValue()).toBe('6602.18')
      expect(await row.locator('input[name="erpName"]').inputValue()).toBe('管理费用-培训费')

      // 删除 asks first: dismissed, nothing happens; accepted, the mapping is gone and shows as missing again.
      const answers = [false, true]
      const asked: string[] = []
      page.removeAllListeners('dialog')
      page.on('dialog', (dialog) => {
        asked.push(dialog.message())
        void (answers.shift() ? dialog.accept() : dialog.dismiss())
      })
      await row.getByRole('button', { name: /删除/ }).click()
      await expect.poll(() => asked.length).toBe(1)
      expect(asked[0]).toContain('费用类别 培训费 → 6602.18')
      await page.waitForTimeout(300)
      expect(await mappingOf('training')).toMatchObject({ erpCode: '6602.18' })
      await row.getByRole('button', { name: /删除/ }).click()
      await page.locator('#missing-mappings li[data-missing="expense_category:training"]').waitFor({ timeout: 10_000 })
      expect(asked).toHaveLength(2)
      expect(await row.count()).toBe(0)
      expect(await mappingOf('training')).toBeUndefined()
      await shot(page, '11c-mapping-deleted')
    })
  }, 30_000)

  it('ERP: finance cancels a failed posting from the ERP page; the row ends cancelled and nothing reaches the ERP', async () => {
    // The training mapping was just deleted, so this claim fails before the ERP is called.
    const requestNo = await submitInChat('zhangsan', '提交本月培训费 600元')
    await approveInChat('lisi', requestNo)
    await approveInChat('sunba', requestNo)
    await approveInChat('zhengshi', requestNo)
    await withPhone('erp-cancel', async (page) => {
      await signIn(page, 'sunba', '/miniapp/erp')
      const row = page.locator(`#outbox-problems li[data-request-no="${requestNo}"]`)
      await expect.poll(async () => { await page.reload(); return row.count() }, { timeout: 15_000 }).toBe(1)
      expect(await row.getAttribute('data-status')).toBe('failed')
      expect(await row.textContent()).toContain('培训费')
      await shot(page, '12c-erp-failed-to-cancel')
      const asked: string[] = []
      page.on('dialog', (dialog) => asked.push(dialog.message()))
      await row.getByRole('button', { name: /取消/ }).click()
      await expect.poll(async () => { await page.reload(); return row.count() }, { timeout: 10_000 }).toBe(0)
      expect(asked).toEqual([expect.stringContaining('确定放弃这笔入账')])
      type Posting = { requestNo: string; status: string }
      const cancelled = (await page.evaluate(async () => (await fetch('/api/admin/erp/postings?status=cancelled')).json())) as Posting[]
      expect(cancelled.filter((p) => p.requestNo === requestNo)).toEqual([expect.objectContaining({ status: 'cancelled' })])
      await shot(page, '12d-erp-cancelled')
    })
    expect(erp.postsByKey.get(requestNo)).toBeUndefined()
    expect(erp.documents.filter((d) => d.idempotencyKey === requestNo)).toEqual([])
  }, 45_000)

  it('dashboard, audit, organisation and policies render the stories’ real data', async () => {
    await withPhone('pages', async (page) => {
      await signIn(page, 'admin', '/miniapp/dashboard')
      await page.locator('#chart-per-day canvas').waitFor()
      expect(Number(await page.locator('#kpis .kpi').first().locator('.kpi-value').textContent())).toBeGreaterThanOrEqual(3)
      expect(await page.locator('#pending-by-approver').textContent()).not.toContain('没有待审批')
      await shot(page, '13-dashboard')

      await page.goto(`${server.baseUrl}/miniapp/audit?action=task.approved`)
      expect(await page.locator('#audit-entries li[data-action="task.approved"]').count()).toBeGreaterThanOrEqual(3)
      await page.locator('#verify-chain').click()
      await expect.poll(() => page.locator('#chain-result').textContent()).toContain('哈希链完整')
      // The last tab of a row wider than the phone: scrolled into view, and no fade once nothing follows it.
      const tabs = await page.locator('.nav').evaluate((nav) => {
        const box = nav.getBoundingClientRect()
        const current = nav.querySelector('[aria-current="page"]')!.getBoundingClientRect()
        return { overflows: nav.scrollWidth > nav.clientWidth, visible: current.left >= box.left && current.right <= box.right + 1, fades: nav.classList.contains('more-right') }
      })
      expect(tabs).toEqual({ overflows: true, visible: true, fades: false })
      await shot(page, '14-audit')

      await page.goto(`${server.baseUrl}/miniapp/org`)
      const importer = page.locator('#employees form[data-import]')
      await importer.locator('summary').click()
      await importer.locator('input[type=file]').setInputFiles({ name: 'employees.csv', mimeType: 'text/csv', buffer: Buffer.from('工号,姓名,部门,直属上级工号,职位,手机\nE3001,冯晓,研发部,E1002,测试工程师,13700002222\n') })
      await expect.poll(() => importer.locator('.import-preview').textContent()).toContain('将新增 1 条')
      await importer.locator('.import-confirm').click()
      await page.locator('#employees li[data-employee-no="E3001"]').waitFor({ timeout: 10_000 })
      expect(await page.locator('#employees li[data-employee-no="E3001"]').textContent()).toContain('137****2222')
      await shot(page, '15-org')

      await page.goto(`${server.baseUrl}/miniapp/policies`)
      const cap = page.locator('#policies li[data-policy="CLAIM_CAP"]')
      await cap.locator('summary').first().click()
      await cap.locator('input[name="params.maxFen"]').fill('40000')
      await cap.locator('button[type=submit]').click()
      await expect.poll(() => page.locator('#policies li[data-policy="CLAIM_CAP"] .policy-summary').textContent(), { timeout: 5_000 }).toContain('¥40,000.00')
      await shot(page, '16-policies')

      await page.setViewportSize({ width: 1280, height: 860 })
      await page.goto(`${server.baseUrl}/miniapp/dashboard`)
      await page.locator('#chart-per-day canvas').waitFor()
      await shot(page, '17-dashboard-desktop', false)
    })
  }, 40_000)

  it('ERP: a Kingdee connection with the voucher document, entered field by field', async () => {
    await withPhone('kingdee-form', async (page) => {
      await signIn(page, 'sunba', '/miniapp/erp')
      await page.locator('#new-connection details', { has: page.locator('form[data-adapter="kingdee"]') }).locator('summary').click()
      const form = page.locator('#new-connection form[data-adapter="kingdee"]')
      await form.locator('input[name="settings.url"]').fill('https://erp.example.com/k3cloud/')
      await form.locator('input[name="settings.acctId"]').fill('6512345678')
      await form.locator('input[name="settings.username"]').fill('集成用户')
      await form.locator('input[name="settings.appId"]').fill(`300001_${'A'.repeat(32)}`)
      await form.locator('input[name="settings.appSecret"]').fill('kingdee-app-secret')
      await form.locator('input[name="settings.orgNumber"]').fill('100')
      expect(await form.locator('input[name="settings.expense.accountBook"]').isVisible()).toBe(false)
      await form.locator('select[name="settings.expense.document"]').selectOption('voucher')
      await form.locator('input[name="settings.expense.accountBook"]').fill('001')
      await form.locator('input[name="settings.expense.payableAccount"]').fill('2241.01')
      await form.locator('textarea[name="settings.expense.expenseAccounts"]').fill('travel = 6602.01\nmeal = 6602.02')
      await shot(page, '12b-kingdee-form')
      await form.locator('button[type=submit]').click()
      type Connection = { name: string; settings: { expense: unknown; appSecret?: string } }
      await expect
        .poll(async () => ((await page.evaluate(async () => (await fetch('/api/admin/erp/connections')).json())) as Connection[]).find((c) => c.name.includes('Kingdee'))?.settings.expense, { timeout: 5_000 })
        .toEqual({ document: 'voucher', accountBook: '001', payableAccount: '2241.01', expenseAccounts: { travel: '6602.01', meal: '6602.02' } })
    })
  }, 30_000)

  it('policies: the travel standard is a table and city lines, not JSON; a cleared row is removed', async () => {
    await withPhone('travel-standard', async (page) => {
      await signIn(page, 'sunba', '/miniapp/policies')
      const rule = page.locator('#policies li[data-policy="LODGING_PER_NIGHT"]')
      await rule.locator('summary').first().click()
      expect(await rule.locator('textarea[data-json]').count()).toBe(0)
      await rule.locator('input[name="params.limits.0.maxFen"]').fill('450')
      for (const key of ['cityTier', 'minLevel', 'maxLevel', 'maxFen']) await rule.locator(`input[name="params.limits.7.${key}"]`).fill('')
      await rule.locator('input[name="params.limits.8.cityTier"]').fill('4')
      await rule.locator('input[name="params.limits.8.maxFen"]').fill('260')
      const tiers = rule.locator('textarea[name="params.cityTiers"]')
      await tiers.fill(`${await tiers.inputValue()}\n拉萨 = 4`)
      await shot(page, '16b-travel-standard')
      await rule.locator('button[type=submit]').click()
      await page.waitForLoadState('load')
      type Lodging = { code: string; params: { limits: { cityTier: number; maxFen: number }[]; cityTiers: Record<string, number> } }
      await expect
        .poll(async () => {
          const list = (await page.evaluate(async () => (await fetch('/api/admin/policies')).json())) as Lodging[]
          const lodging = list.find((p) => p.code === 'LODGING_PER_NIGHT')!
          return { first: lodging.params.limits[0], count: lodging.params.limits.length, last: lodging.params.limits.at(-1), lhasa: lodging.params.cityTiers['拉萨'], beijing: lodging.params.cityTiers['北京'] }
        }, { timeout: 5_000 })
        .toEqual({ first: { cityTier: 1, maxLevel: 3, maxFen: 450_00 }, count: 8, last: { cityTier: 4, maxFen: 260_00 }, lhasa: 4, beijing: 1 })
    })
  }, 30_000)

  it('org: an admin imports departments from an Excel workbook, previewed first', async () => {
    await withPhone('xlsx-import', async (page) => {
      await signIn(page, 'admin', '/miniapp/org')
      const importer = page.locator('#departments form[data-import]')
      await importer.locator('summary').click()
      const workbook = xlsxWorkbook([
        ['部门编号', '部门名称', '上级部门', '负责人工号', '成本中心'],
        ['d-legal', '法务部', '总经办', 'E1000', 'CC-600'],
        ['d-it', '信息部', 'd-ceo', null, 'CC-700'],
      ])
      await importer.locator('input[type=file]').setInputFiles({ name: '部门.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: workbook })
      await expect.poll(() => importer.locator('.import-preview').textContent()).toContain('将新增 2 条')
      await shot(page, '21-xlsx-preview')
      await importer.locator('.import-confirm').click()
      await page.locator('#departments li[data-department-id="d-it"]').waitFor({ timeout: 10_000 })
      expect(await page.locator('#departments li[data-department-id="d-legal"]').textContent()).toContain('负责人 周总')
    })
  }, 30_000)

  it('org: a CSV that Excel on Chinese Windows saved in GBK is imported with its names intact', async () => {
    // 工号,姓名,部门 / E3101,冯晓,研发部 in GBK, byte by byte: not valid UTF-8.
    const gbk = Buffer.from([
      0xb9, 0xa4, 0xba, 0xc5, 0x2c, 0xd0, 0xd5, 0xc3, 0xfb, 0x2c, 0xb2, 0xbf, 0xc3, 0xc5, 0x0a,
      0x45, 0x33, 0x31, 0x30, 0x31, 0x2c, 0xb7, 0xeb, 0xcf, 0xfe, 0x2c, 0xd1, 0xd0, 0xb7, 0xa2, 0xb2, 0xbf, 0x0a,
    ])
    await withPhone('gbk-import', async (page) => {
      await signIn(page, 'admin', '/miniapp/org')
      const importer = page.locator('#employees form[data-import]')
      await importer.locator('summary').click()
      await importer.locator('input[type=file]').setInputFiles({ name: '员工.csv', mimeType: 'text/csv', buffer: gbk })
      await expect.poll(() => importer.locator('.import-preview').textContent()).toContain('将新增 1 条')
      await importer.locator('.import-confirm').click()
      const row = page.locator('#employees li[data-employee-no="E3101"]')
      await row.waitFor({ timeout: 10_000 })
      expect(await row.textContent()).toContain('冯晓')
    })
  }, 30_000)

  it('delegation: a manager names a stand-in for his leave in My work, the next task goes to the stand-in, an admin cancels it', async () => {
    const until = new Date(Date.now() + 8 * 3_600_000 + 3 * 86_400_000).toISOString().slice(0, 10)
    await withPhone('delegation', async (page) => {
      await signIn(page, 'lisi')
      const panel = page.locator('#delegations')
      await panel.locator('summary').click()
      await panel.locator('select[name="delegateId"]').selectOption('wangwu')
      await panel.locator('input[name="to"]').fill(until)
      await panel.locator('input[name="reason"]').fill('年假')
      await shot(page, '18-delegation-form')
      await panel.locator('button[type=submit]').click()
      await page.locator('#delegations li[data-delegate="wangwu"]').waitFor({ timeout: 10_000 })
      expect(await page.locator('#delegations li[data-delegate="wangwu"]').textContent()).toMatch(/王五[\s\S]*年假[\s\S]*生效中/)
      await shot(page, '19-delegation-set')
    })
    const requestNo = await submitInChat('zhangsan', '提交本月差旅费 900元')
    await approveInChat('wangwu', requestNo) // 李四's step, in 王五's hands
    await withPhone('delegation-admin', async (page) => {
      await signIn(page, 'admin', '/miniapp/org')
      const row = page.locator('#delegations li[data-principal="lisi"]')
      expect(await row.textContent()).toContain('李四 → 王五')
      await shot(page, '20-org-delegations')
      await row.getByRole('button', { name: /取消代理/ }).click()
      await expect.poll(async () => { await page.reload(); return page.locator('#delegations li[data-principal="lisi"]').count() }, { timeout: 10_000 }).toBe(0)
    })
  }, 40_000)
})
