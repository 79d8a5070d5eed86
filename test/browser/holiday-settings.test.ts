import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from './server-process.js'
import { launchChromium } from './chromium.js'

/** The settings page's holiday section in real headless Chromium against `server/node.ts`: an admin types a new year in. */
let server: RunningServer
let browser: Browser

beforeAll(async () => {
  server = await startServer()
  browser = await launchChromium()
}, 90_000)

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

describe('holiday calendar on the settings page', () => {
  it('an admin adds next year as typed lines, sees it marked custom, and reverts it', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 812 }, locale: 'zh-CN' })
    context.setDefaultTimeout(10_000)
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('dialog', (d) => void d.accept())
    try {
      await page.goto(`${server.baseUrl}/miniapp/login?next=${encodeURIComponent('/miniapp/settings')}`)
      await page.locator('[data-login-user="admin"]').click()
      await page.waitForURL(/\/miniapp\/settings/)
      const year2027 = page.locator('#holiday-settings form[data-post="/api/admin/settings/holidays/2027"]')
      expect(await year2027.locator('.badge').textContent()).toContain('未设置')
      await year2027.locator('textarea[name="holidays"]').fill('元旦 2027-01-01\n春节 2027-02-06 2027-02-12')
      await year2027.locator('input[name="workdays"]').fill('2027-02-20')
      await year2027.locator('button[type="submit"]').click()
      await page.waitForFunction(() => document.querySelector('#holiday-settings form[data-post$="/2028"]') !== null)
      expect(await year2027.locator('.badge').textContent()).toContain('已自定义')
      expect(await year2027.locator('textarea[name="holidays"]').inputValue()).toBe('元旦 2027-01-01 2027-01-01\n春节 2027-02-06 2027-02-12')

      const saved = (await (await page.request.get(`${server.baseUrl}/api/admin/settings/holidays`)).json()) as { years: Array<{ year: number; source: string; workdays: string[] }> }
      expect(saved.years.find((y) => y.year === 2027)).toMatchObject({ source: 'custom', workdays: ['2027-02-20'] })

      await year2027.locator('button[data-method="DELETE"]').click()
      await page.waitForFunction(() => document.querySelector('#holiday-settings form[data-post$="/2028"]') === null)
      expect(await year2027.locator('.badge').textContent()).toContain('未设置')
      expect(errors).toEqual([])
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- server output ---\n${server.output().slice(-3000)}`, { cause: error })
    } finally {
      await context.close()
    }
  }, 60_000)
})
