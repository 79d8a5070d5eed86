import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { FakeFeishuOpenPlatform } from '../fakes/feishu/fake-open-platform.js'
import { screenshot } from './screenshots.js'
import { startServer, type RunningServer } from './server-process.js'
import { launchChromium } from './chromium.js'

/**
 * 从飞书同步通讯录 on a phone: the real server connected to the fake Feishu open platform, an admin
 * previews the sync (counts, nothing written), confirms, and sees the new department and people.
 */

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'miniapp')
const APP = { appId: 'cli_browser_sync', appSecret: 'browser-sync-secret' }
let fake: FakeFeishuOpenPlatform
let server: RunningServer
let browser: Browser

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true })
  fake = await FakeFeishuOpenPlatform.start({
    ...APP,
    users: [
      { open_id: 'ou_zhangsan', name: '张三', employee_no: 'E1001', department_ids: ['od-rd'] },
      { open_id: 'ou_feng', name: '冯一', employee_no: 'E2001', department_ids: ['od-legal'], leader_user_id: 'ou_zhangsan', job_title: '法务经理' },
      { open_id: 'ou_chen', name: '陈二', employee_no: 'E2002', department_ids: ['od-legal'], leader_user_id: 'ou_feng' },
    ],
  })
  fake.departments.push({ open_department_id: 'od-rd', name: '研发部', parent_department_id: '0' }, { open_department_id: 'od-legal', name: '法务部', parent_department_id: '0', leader_user_id: 'ou_feng' })
  server = await startServer({ FEISHU_APP_ID: APP.appId, FEISHU_APP_SECRET: APP.appSecret, FEISHU_VERIFICATION_TOKEN: 'verification-token', FEISHU_DOMAIN: fake.url, FEISHU_MODE: 'http' })
  browser = await launchChromium()
}, 90_000)

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await fake?.close()
})

it('an admin previews the Feishu directory sync, confirms it, and the org page shows the result', async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, locale: 'zh-CN' })
  context.setDefaultTimeout(10_000)
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  try {
    await page.goto(`${server.baseUrl}/miniapp/login?next=${encodeURIComponent('/miniapp/org')}`)
    await page.locator('[data-login-user="admin"]').click()
    await page.waitForURL(/\/miniapp\/org/)
    const sync = page.locator('[data-sync][data-platform="feishu"]')
    await sync.locator('.sync-preview').click()
    await expect.poll(() => sync.locator('.sync-result').textContent()).toContain('飞书通讯录预览：部门将新增 1、更新 1、未变 0；人员将新增 2、更新 0、未变 1')
    expect(await page.locator('#departments li[data-department-id="feishu-od-legal"]').count()).toBe(0)
    await page.screenshot({ path: join(ARTIFACTS, '22-contact-sync-preview.png'), fullPage: false })
    await sync.locator('.sync-confirm').click()
    await page.locator('#departments li[data-department-id="feishu-od-legal"]').waitFor({ timeout: 10_000 })
    expect(await page.locator('#departments li[data-department-id="feishu-od-legal"]').textContent()).toContain('负责人 冯一')
    expect(await page.locator('#employees li[data-employee-no="E2002"]').textContent()).toContain('上级 冯一')
    await screenshot(page, join(ARTIFACTS, '23-contact-sync-done.png'))
    expect(errors).toEqual([])
  } catch (error) {
    await screenshot(page, join(ARTIFACTS, 'failure-contact-sync.png')).catch(() => {})
    throw new Error(`${(error as Error).message}\n--- server output ---\n${server.output().slice(-4000)}`, { cause: error })
  } finally {
    await context.close()
  }
}, 40_000)
