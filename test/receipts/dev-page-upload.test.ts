import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../browser/server-process.js'
import { COMPANY, railwayTicketPdf } from './invoice-fixtures.js'
import { launchChromium } from '../browser/chromium.js'

/** The simulator page in headless Chromium against `server/node.ts`: the 📎 button and the choice buttons. */
let server: RunningServer
let browser: Browser

beforeAll(async () => {
  server = await startServer()
  browser = await launchChromium()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

describe('/dev receipts', () => {
  it('uploads an e-invoice PDF with 📎 and shows the prefilled claim; a bare amount offers category buttons', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 812 }, locale: 'zh-CN' })
    const page = await context.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    try {
      await page.goto(`${server.baseUrl}/dev`)
      const me = page.locator('[data-user-id="zhangsan"]')
      if (!(await me.isVisible())) await page.locator('#me').click()
      await me.click()
      await expect.poll(() => page.locator('#me-name').textContent()).toBe('张三')

      const pdf = await railwayTicketPdf({ number: '26119110000000654321', issueDate: '2026-11-19', departureDate: '2026-11-20', train: 'G123', fare: '553.00', buyerName: COMPANY.name, buyerTaxId: COMPANY.taxId })
      await page.locator('#file').setInputFiles({ name: '高铁票.pdf', mimeType: 'application/pdf', buffer: Buffer.from(pdf) })
      await expect.poll(() => page.locator('#messages .row.user .bubble').last().textContent(), { timeout: 15_000 }).toBe('📎 高铁票.pdf')
      await expect.poll(() => page.locator('#messages').textContent(), { timeout: 15_000 }).toContain('识别到发票：¥553.00，2026-11-20，高铁票')
      const draft = page.locator('#messages .card').filter({ has: page.locator('[data-action-id="confirm"]') }).last()
      await draft.waitFor({ timeout: 15_000 })
      expect(await draft.textContent()).toContain('高铁票.pdf（发票 ¥553.00，2026-11-20，高铁票）')

      await page.locator('#input').fill('350元')
      await page.locator('#input').press('Enter')
      const choice = page.locator('#messages .card', { hasText: '这笔 ¥350.00 是哪类费用？' }).last()
      await choice.waitFor({ timeout: 15_000 })
      const first = choice.locator('.btn').first()
      const label = (await first.textContent())!.trim()
      await first.click()
      const chosen = page.locator('#messages .card').filter({ has: page.locator('[data-action-id="confirm"]') }).filter({ hasText: '¥350.00' }).last()
      await chosen.waitFor({ timeout: 15_000 })
      expect(await chosen.textContent()).toContain(label)
      expect(pageErrors).toEqual([])
    } finally {
      await context.close()
    }
  })
})
