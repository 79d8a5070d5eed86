import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from './server-process.js'
import { launchChromium } from './chromium.js'

/**
 * The /dev simulator page driven like a person would, in real headless Chromium against the real
 * server: a phone-sized screen, one expense from chat to ERP voucher, three people tapping cards.
 */

interface DevUser {
  id: string
  name: string
  department: string
  roles: string[]
  managerId?: string
}

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'dev-page')
const REQUEST_NO = /BX-\d{6}-\d{4,}/

let server: RunningServer
let browser: Browser
let users: DevUser[]

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true })
  server = await startServer()
  browser = await launchChromium()
  const res = await fetch(`${server.baseUrl}/api/dev/users`)
  expect(res.status).toBe(200)
  users = (await res.json()) as DevUser[]
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

function userNamed(name: string): DevUser {
  const user = users.find((u) => u.name === name)
  if (!user) throw new Error(`demo user ${name} not seeded; users: ${users.map((u) => u.name).join(', ')}`)
  return user
}

async function openPhone(): Promise<{ context: BrowserContext; page: Page; pageErrors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, locale: 'zh-CN' })
  const page = await context.newPage()
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(error.message))
  await page.goto(`${server.baseUrl}/dev`)
  // Once the users have loaded, a first visit opens the drawer by itself: deciding before that, switchUser
  // would click the header button just as the drawer's scrim came over it.
  await page.locator('[data-user-id]').first().waitFor({ state: 'attached' })
  return { context, page, pageErrors }
}

/** On a phone the user list is a drawer behind the header's current-user button. */
async function switchUser(page: Page, user: DevUser): Promise<void> {
  const item = page.locator(`[data-user-id="${user.id}"]`)
  if (!(await item.isVisible())) await page.locator('#me').click()
  await item.click()
  await expect.poll(() => page.locator('#me-name').textContent()).toBe(user.name)
  await expect.poll(() => item.isVisible()).toBe(false)
}

/** The latest card about a request that still offers the given action. */
function cardWithAction(page: Page, requestNo: string, actionId: string): Locator {
  return page
    .locator('#messages .card', { hasText: requestNo })
    .filter({ has: page.locator(`[data-action-id="${actionId}"]`) })
    .last()
}

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(250) // let toasts and the card highlight finish animating in
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) })
}

async function approveAs(page: Page, approver: DevUser, requestNo: string, step: string): Promise<void> {
  await switchUser(page, approver)
  const card = cardWithAction(page, requestNo, 'approve')
  await card.waitFor({ timeout: 15_000 })
  const cardId = await card.getAttribute('data-card-id')
  await card.scrollIntoViewIfNeeded()
  await shot(page, `${step}-approval-card`)

  const pendingStatus = await card.locator('.card-status').textContent()
  const comment = card.locator('textarea.comment')
  if (await comment.count()) await comment.fill('同意，辛苦了')
  await card.locator('[data-action-id="approve"]').click()
  await page.locator('.toast:not(.error)').first().waitFor()

  // The same card, updated in place: no more buttons, and the status moved on (已同意 by …, or
  // already 已入账 when the outbox worker posted before the next poll).
  const updated = page.locator(`#messages .card[data-card-id="${cardId}"]`)
  await expect.poll(() => updated.locator('[data-action-id="approve"]').count(), { timeout: 10_000 }).toBe(0)
  await expect.poll(() => updated.locator('.card-status').textContent()).not.toBe(pendingStatus)
  await shot(page, `${step}-approved`)
}

describe('/dev chat simulator page', () => {
  it('takes an expense from chat through two approvals to a balanced ERP voucher on a phone screen', async () => {
    const requester = userNamed('张三')
    const supervisor = users.find((u) => u.id === requester.managerId)
    const finance = users.find((u) => u.roles.includes('finance') && u.id !== requester.id && u.id !== supervisor?.id)
    if (!supervisor || !finance) throw new Error(`need 张三's supervisor and a finance user; users: ${JSON.stringify(users)}`)

    const { context, page, pageErrors } = await openPhone()
    try {
      await shot(page, '01-user-picker')
      await switchUser(page, requester)

      await page.locator('#input').fill('提交本月差旅费 3500元')
      await page.locator('#input').press('Enter')
      await expect.poll(() => page.locator('#messages .row.user .bubble').last().textContent()).toBe('提交本月差旅费 3500元')

      const confirmCard = page.locator('#messages .card').filter({ has: page.locator('[data-action-id="confirm"]') }).last()
      await confirmCard.waitFor({ timeout: 15_000 })
      expect(await confirmCard.textContent()).toMatch(/3,?500/)
      await shot(page, '02-confirmation-card')

      await confirmCard.locator('[data-action-id="confirm"]').click()
      const transcript = page.locator('#messages')
      await expect.poll(async () => REQUEST_NO.exec((await transcript.textContent()) ?? '')?.[0], { timeout: 15_000 }).toBeTruthy()
      const requestNo = REQUEST_NO.exec((await transcript.textContent()) ?? '')![0]
      await shot(page, '03-submitted')

      await approveAs(page, supervisor, requestNo, '04-supervisor')
      await approveAs(page, finance, requestNo, '05-finance')

      await switchUser(page, requester)
      await expect.poll(async () => (await transcript.textContent()) ?? '', { timeout: 30_000 }).toContain('已入账')
      // Cards sent to the requester earlier were updated in place too: none is still waiting.
      expect(await page.locator('#messages [data-action-id="confirm"]').count()).toBe(0)
      await shot(page, '06-requester-posted')

      await page.locator('#tab-ledger').click()
      const voucher = page.locator(`.voucher[data-request-no="${requestNo}"]`)
      await voucher.waitFor({ timeout: 15_000 })
      await expect.poll(() => voucher.locator('.badge').getAttribute('class')).toContain('ok')
      const totals = await voucher.locator('tfoot td.num').allTextContents()
      expect(totals).toEqual(['3,500.00', '3,500.00'])
      await shot(page, '07-ledger')

      await page.setViewportSize({ width: 1366, height: 860 })
      await shot(page, '08-desktop')
      expect(pageErrors).toEqual([])
    } catch (error) {
      await shot(page, 'failure').catch(() => {})
      throw new Error(`${(error as Error).message}\n--- server output ---\n${server.output()}`, { cause: error })
    } finally {
      await context.close()
    }
  }, 180_000)

  it('shows what people type as text, never as markup, and remembers the chosen user', async () => {
    const requester = userNamed('张三')
    const { context, page, pageErrors } = await openPhone()
    try {
      await switchUser(page, requester)
      const hostile = '<img src=x onerror="window.__injected=1">报销 <b>加粗</b>'
      await page.locator('#input').fill(hostile)
      await page.locator('#input').press('Enter')
      await expect.poll(() => page.locator('#messages .row.user .bubble').last().textContent(), { timeout: 15_000 }).toBe(hostile)
      expect(await page.locator('#messages img, #messages b').count()).toBe(0)
      expect(await page.evaluate(() => (window as unknown as { __injected?: number }).__injected)).toBeUndefined()

      await page.reload()
      await expect.poll(() => page.locator('#me-name').textContent()).toBe(requester.name)
      await expect.poll(() => page.locator('#messages .row.user .bubble').last().textContent()).toBe(hostile)
      expect(pageErrors).toEqual([])
    } finally {
      await context.close()
    }
  }, 60_000)
})
