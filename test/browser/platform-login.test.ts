import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PLATFORM_BRIDGES } from '../../miniapp/pages/login-page.js'
import { FakeDingtalk } from '../fakes/dingtalk/fake-dingtalk.js'
import { FakeFeishuOpenPlatform } from '../fakes/feishu/fake-open-platform.js'
import { screenshot } from './screenshots.js'
import { startServer, type RunningServer } from './server-process.js'
import { launchChromium } from './chromium.js'

/**
 * Signing in inside Feishu and DingTalk, in real Chromium at a phone viewport. The host apps are
 * played by their user agent and a stub of the JS API the host injects (`tt.requestAccess`,
 * `dd.requestAuthCode` / `dd.runtime.permission.requestAuthCode`) that hands the page a code the
 * fake open platform issued. The page posts it; the real server exchanges it with the fake Feishu
 * (authen v2 token, user_info, contact lookup) or the fake DingTalk (getuserinfo, user/get) and maps
 * the person to the employee master by 工号. The bridge script the page loads from the platform's CDN
 * is blocked: every request leaving the machine is refused and recorded.
 */

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'miniapp')
const FEISHU_APP = { appId: 'cli_browser_login', appSecret: 'browser-login-secret' }
const DINGTALK_APP = { clientId: 'dingbrowserlogin', clientSecret: 'browser-login-dingtalk-secret' }
const CORP_ID = 'dingfakecorp0001'
const LARK_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Lark/7.16.5 LarkLocale/zh_CN ChannelName/Feishu'
const DINGTALK_UA =
  'Mozilla/5.0 (Linux; U; Android 13; zh-CN; PGEM10 Build/TP1A.220905.001) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.0.0 Mobile Safari/537.36 AliApp(DingTalk/7.5.10) com.alibaba.android.rimet/37000000 Channel/700159 language/zh-CN'

let feishu: FakeFeishuOpenPlatform
let dingtalk: FakeDingtalk
let server: RunningServer
let browser: Browser

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true })
  feishu = await FakeFeishuOpenPlatform.start({
    ...FEISHU_APP,
    users: [
      { open_id: 'ou_sunba', name: '孙八', employee_no: 'E1007' },
      { open_id: 'ou_stranger', name: '路人甲', employee_no: 'E9999' },
    ],
  })
  dingtalk = await FakeDingtalk.start({
    ...DINGTALK_APP,
    users: [
      { userid: 'staff-lisi', name: '李四', jobNumber: 'E1002' },
      { userid: 'staff-zhengshi', name: '郑十', jobNumber: 'E1008' },
    ],
  })
  server = await startServer({
    FEISHU_APP_ID: FEISHU_APP.appId,
    FEISHU_APP_SECRET: FEISHU_APP.appSecret,
    FEISHU_VERIFICATION_TOKEN: 'verification-token',
    FEISHU_DOMAIN: feishu.url,
    FEISHU_MODE: 'http',
    DINGTALK_CLIENT_ID: DINGTALK_APP.clientId,
    DINGTALK_CLIENT_SECRET: DINGTALK_APP.clientSecret,
    DINGTALK_MODE: 'http',
    DINGTALK_API_BASE: dingtalk.url,
    DINGTALK_OAPI_BASE: dingtalk.url,
    // Only people in the employee master may sign in: nobody is created on the way.
    FEISHU_AUTO_PROVISION: '0',
    DINGTALK_AUTO_PROVISION: '0',
  })
  browser = await launchChromium()
}, 90_000)

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await feishu?.close()
  await dingtalk?.close()
})

interface InHost {
  context: BrowserContext
  page: Page
  errors: string[]
  /** Requests that would have left the machine (refused). */
  external: string[]
  /** What the page asked the host's JS API, across navigations. */
  bridgeCalls: BridgeCall[]
}

type BridgeCall = { api: string; appID?: string; corpId?: string; clientId?: string }

/** A phone inside the host app: its user agent, its injected JS API (`stub`), no network beyond our server. */
async function insideHost<A>(userAgent: string, stub: (arg: A) => void, arg: A): Promise<InHost> {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, locale: 'zh-CN', userAgent, isMobile: true, hasTouch: true })
  context.setDefaultTimeout(10_000)
  const external: string[] = []
  await context.route((url) => url.origin !== new URL(server.baseUrl).origin, (route) => {
    external.push(route.request().url())
    return route.abort('blockedbyclient')
  })
  const bridgeCalls: BridgeCall[] = []
  await context.exposeFunction('__bridgeCall', (call: BridgeCall) => void bridgeCalls.push(call))
  // Plain JSON arguments: what the stub is given is what it declares.
  await context.addInitScript(stub as (arg: unknown) => void, arg)
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  return { context, page, errors, external, bridgeCalls }
}

async function run(name: string, host: InHost, body: (page: Page) => Promise<void>): Promise<void> {
  try {
    await body(host.page)
    expect(host.errors).toEqual([])
  } catch (error) {
    await screenshot(host.page, join(ARTIFACTS, `failure-${name}.png`)).catch(() => {})
    throw new Error(`${(error as Error).message}\n--- server output ---\n${server.output().slice(-4000)}`, { cause: error })
  } finally {
    await host.context.close()
  }
}

const me = (page: Page) =>
  page.evaluate(async () => {
    const res = await fetch('/api/admin/me')
    return { status: res.status, body: (await res.json().catch(() => null)) as unknown }
  })

/**
 * Feishu injects `tt` into its webview. The stub keeps the grant until the test calls
 * `__grant()`, so the sign-in page can be seen while it waits, like a person would.
 */
function feishuHost(arg: { code: string }): void {
  const w = window as unknown as { tt: unknown; __bridgeCall(call: unknown): void; __grant: () => void }
  let granted: (() => void) | undefined
  let ready = false
  w.__grant = () => (granted ? granted() : (ready = true))
  w.tt = {
    requestAccess(options: { appID: string; scopeList: string[]; success(res: { code: string }): void; fail(err: unknown): void }) {
      w.__bridgeCall({ api: 'tt.requestAccess', appID: options.appID })
      granted = () => setTimeout(() => options.success({ code: arg.code }), 0)
      if (ready) granted()
    },
  }
}

describe('signing in inside the chat apps', () => {
  it('Feishu: tt.requestAccess hands the page a code, the server exchanges it, and 孙八 is signed in as himself', async () => {
    const code = feishu.issueLoginCode('ou_sunba')
    const host = await insideHost(LARK_UA, feishuHost, { code })
    await run('feishu-login', host, async (page) => {
      // The workplace opens the homepage; without a session it leads to the sign-in page.
      await page.goto(`${server.baseUrl}/miniapp`)
      await page.waitForURL(/\/miniapp\/login/)
      await expect.poll(() => page.locator('#platform-status').textContent()).toContain('正在通过飞书登录')
      await screenshot(page, join(ARTIFACTS, '24-feishu-signing-in.png'))
      expect(host.bridgeCalls).toEqual([{ api: 'tt.requestAccess', appID: FEISHU_APP.appId }])
      await page.evaluate(() => (window as unknown as { __grant: () => void }).__grant())
      await page.waitForURL(/\/miniapp\/(?!login)/)
      expect(await page.locator('.who-name').textContent()).toBe('孙八')
      expect(await me(page)).toMatchObject({ status: 200, body: { id: 'sunba', employeeNo: 'E1007', roles: expect.arrayContaining(['finance']) } })
      await screenshot(page, join(ARTIFACTS, '25-feishu-signed-in.png'), { fullPage: false })
      // The host's bridge was asked for (and refused here); nothing else left the machine.
      expect(host.external).toEqual([PLATFORM_BRIDGES.feishu])
      // The code was used up: the same one again is refused.
      const replay = await page.evaluate(async (used) => {
        const res = await fetch('/api/admin/auth/feishu', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: used }) })
        return { status: res.status, body: (await res.json()) as { code: string } }
      }, code)
      expect(replay).toMatchObject({ status: 401, body: { code: 'BAD_LOGIN_CODE' } })
    })
  }, 30_000)

  it('Feishu: someone who is not in the employee master is told so and stays signed out', async () => {
    const host = await insideHost(LARK_UA, feishuHost, { code: feishu.issueLoginCode('ou_stranger') })
    await run('feishu-stranger', host, async (page) => {
      await page.goto(`${server.baseUrl}/miniapp/login`)
      await page.evaluate(() => (window as unknown as { __grant: () => void }).__grant())
      await expect.poll(() => page.locator('#platform-status').textContent()).toContain('员工名录中没有你')
      expect(page.url()).toContain('/miniapp/login')
      expect((await me(page)).status).toBe(401)
      await screenshot(page, join(ARTIFACTS, '26-feishu-not-registered.png'))
    })
  }, 30_000)

  /** DingTalk's JS API: `dd.requestAuthCode` (jsapi 3) or the older `dd.runtime.permission.requestAuthCode`. */
  function dingtalkHost(arg: { code: string; legacy: boolean }): void {
    const w = window as unknown as { dd: unknown; __bridgeCall(call: unknown): void }
    type Options = { corpId: string; clientId: string; success?(res: { code: string }): void; onSuccess?(res: { code: string }): void }
    const requestAuthCode = (api: string, answer: (options: Options) => void) => (options: Options) => {
      w.__bridgeCall({ api, corpId: options.corpId, clientId: options.clientId })
      setTimeout(() => answer(options), 0)
    }
    w.dd = arg.legacy
      ? { runtime: { permission: { requestAuthCode: requestAuthCode('dd.runtime.permission.requestAuthCode', (o) => o.onSuccess!({ code: arg.code })) } } }
      : { requestAuthCode: requestAuthCode('dd.requestAuthCode', (o) => o.success!({ code: arg.code })) }
  }

  for (const { legacy, staffId, name, userId } of [
    { legacy: false, staffId: 'staff-lisi', name: '李四', userId: 'lisi' },
    { legacy: true, staffId: 'staff-zhengshi', name: '郑十', userId: 'zhengshi' },
  ]) {
    const api = legacy ? 'dd.runtime.permission.requestAuthCode' : 'dd.requestAuthCode'
    it(`DingTalk: ${api} hands the page a code for the corp in the homepage URL, and ${name} is signed in`, async () => {
      const host = await insideHost(DINGTALK_UA, dingtalkHost, { code: dingtalk.issueAuthCode(staffId), legacy })
      await run(`dingtalk-login-${legacy ? 'legacy' : 'jsapi3'}`, host, async (page) => {
        // The homepage configured in DingTalk: https://<host>/miniapp?corpid=$CORPID$
        await page.goto(`${server.baseUrl}/miniapp?corpid=${CORP_ID}`)
        await page.waitForURL(/\/miniapp\/(?!login)/)
        expect(host.bridgeCalls).toEqual([{ api, corpId: CORP_ID, clientId: DINGTALK_APP.clientId }])
        expect(await page.locator('.who-name').textContent()).toBe(name)
        expect(await me(page)).toMatchObject({ status: 200, body: { id: userId } })
        expect(host.external).toEqual([PLATFORM_BRIDGES.dingtalk])
        if (!legacy) await screenshot(page, join(ARTIFACTS, '27-dingtalk-signed-in.png'), { fullPage: false })
      })
    }, 30_000)
  }
})
