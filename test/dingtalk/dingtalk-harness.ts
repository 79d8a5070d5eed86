import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { createDingtalkIntegration, CARD_CALLBACK_ROUTE_KEY, type DingtalkIntegration } from '../../bot/platforms/dingtalk/dingtalk-integration.js'
import type { DbHandle } from '../../db/connect.js'
import { loadConfig } from '../../server/config.js'
import { FakeDingtalk, type FakeUser } from '../fakes/dingtalk/fake-dingtalk.js'
import type { TestDbKind } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'

export const APP = { clientId: 'dingfakeappkey0001', clientSecret: 'fake-app-secret-0123456789abcdef' }
export const EVENT_KEYS = { token: 'fake-callback-token', aesKey: 'Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7', ownerKey: APP.clientId }
export const CARD_TEMPLATE = 'approval-card.schema'

/**
 * The demo org as DingTalk knows it: 张三 and 李四 are matched by 工号, 孙八 by mobile (also when
 * the bot has to reach him before he ever wrote), 王五 by email; 路人甲 is not an employee.
 */
export const DINGTALK_USERS: FakeUser[] = [
  { userid: 'dt-zhangsan', name: '张三', jobNumber: 'E1001' },
  { userid: 'dt-lisi', name: '李四', jobNumber: 'E1002' },
  { userid: 'dt-wangwu', name: '王五', email: 'wangwu@demo.example.com' },
  { userid: 'dt-sunba', name: '孙八', mobile: '13800000007' },
  { userid: 'dt-stranger', name: '路人甲', jobNumber: 'X9999' },
]

export interface DingtalkHarness {
  t: TestSystem
  fake: FakeDingtalk
  dingtalk: DingtalkIntegration
  /** POST /dingtalk/events on the running app (HTTP mode). */
  eventsUrl?: string
  logs: string[]
  /** Waits until DingTalk has every ack it expects and every accepted line/tap is processed. */
  settle(): Promise<void>
  /** A second app instance on the same database with its own stream connection (stream mode). */
  startAnotherInstance(): Promise<DingtalkIntegration>
  close(): Promise<void>
}

export async function startDingtalk(
  kind: TestDbKind,
  options: { mode: 'stream' | 'http'; cards?: 'interactive' | 'actionCard'; redeliverAfterMs?: number; autoProvision?: boolean },
): Promise<DingtalkHarness> {
  const fake = await FakeDingtalk.start({ ...APP, users: DINGTALK_USERS, cardTemplates: [CARD_TEMPLATE], redeliverAfterMs: options.redeliverAfterMs })
  const config = loadConfig({
    DINGTALK_CLIENT_ID: APP.clientId,
    DINGTALK_CLIENT_SECRET: APP.clientSecret,
    DINGTALK_MODE: options.mode,
    DINGTALK_API_BASE: fake.url,
    DINGTALK_OAPI_BASE: fake.url,
    DINGTALK_CALLBACK_TOKEN: EVENT_KEYS.token,
    DINGTALK_CALLBACK_AES_KEY: EVENT_KEYS.aesKey,
    DINGTALK_AUTO_PROVISION: options.autoProvision ? '1' : '0',
  })
  const logs: string[] = []
  const integration = (database: DbHandle) =>
    createDingtalkIntegration(config, database, (m) => logs.push(m), {
      cardTemplateId: (options.cards ?? 'interactive') === 'interactive' ? CARD_TEMPLATE : undefined,
      backoffMs: 5,
    })
  let dingtalk: DingtalkIntegration | undefined
  const t = await TestSystem.start(kind, { integrations: (database) => [(dingtalk = integration(database))] })
  const others: TestSystem[] = []
  const instances = [dingtalk!]
  // 孙八's mobile is in the employee master, so the bot can find him on DingTalk before he writes.
  await t.database.db.updateTable('users').set({ mobile: '13800000007' }).where('id', '=', 'sunba').execute()

  let server: ServerType | undefined
  let eventsUrl: string | undefined
  if (options.mode === 'stream') {
    await dingtalk!.start!(t.system.conversation)
    await waitFor(() => fake.openConnections === 1, 'the stream connection')
  } else {
    server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' })
    await new Promise<void>((resolve) => server!.once('listening', resolve))
    eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dingtalk/events`
    fake.transport = 'http'
    fake.robotCallbackUrl = eventsUrl
    await registerCardCallback(fake.url, eventsUrl)
  }

  return {
    t,
    fake,
    dingtalk: dingtalk!,
    eventsUrl,
    logs,
    async settle() {
      await waitFor(() => fake.settled, 'DingTalk to receive every ack')
      await Promise.all(instances.map((i) => i.idle()))
    },
    async startAnotherInstance() {
      let another: DingtalkIntegration | undefined
      const system = await TestSystem.start(kind, { database: t.database, integrations: (database) => [(another = integration(database))] })
      others.push(system)
      instances.push(another!)
      await another!.start!(system.system.conversation)
      return another!
    },
    async close() {
      for (const other of others) {
        await Promise.all(other.system.integrations.map((i) => i.stop?.()))
        await other.system.outbox.stop()
      }
      await t.close()
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
      await fake.close()
    },
  }
}

/** What the README tells an operator to run once for HTTP-mode card callbacks. */
async function registerCardCallback(api: string, callbackUrl: string): Promise<void> {
  const token = (await (
    await fetch(`${api}/v1.0/oauth2/accessToken`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appKey: APP.clientId, appSecret: APP.clientSecret }) })
  ).json()) as { accessToken: string }
  const response = await fetch(`${api}/v1.0/card/callbacks/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-acs-dingtalk-access-token': token.accessToken },
    body: JSON.stringify({ callbackRouteKey: CARD_CALLBACK_ROUTE_KEY, callbackUrl, apiSecret: APP.clientSecret, forceUpdate: true }),
  })
  if (!response.ok) throw new Error(`card callback registration failed: ${await response.text()}`)
}

export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

export const requestNoIn = (texts: string[]) => texts.map((text) => /[A-Z]{2}-\d{6}-\d{4}/.exec(text)?.[0]).find(Boolean)
