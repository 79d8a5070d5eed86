import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { createDingtalkIntegration, CARD_CALLBACK_ROUTE_KEY, type DingtalkIntegration } from '../../bot/platforms/dingtalk/dingtalk-integration.js'
import { createFeishuIntegration, type FeishuIntegration } from '../../bot/platforms/feishu/feishu-integration.js'
import type { DeliveryPolicy } from '../../bot/delivery/delivery-store.js'
import type { DbHandle } from '../../db/connect.js'
import type { ErpAdapter } from '../../erp-bridge/erp-adapter.js'
import { loadConfig } from '../../server/config.js'
import { APP as DINGTALK_APP, CARD_TEMPLATE, DINGTALK_USERS, EVENT_KEYS } from '../dingtalk/dingtalk-harness.js'
import { FakeDingtalk } from '../fakes/dingtalk/fake-dingtalk.js'
import { startFaultProxy, type FaultProxy } from '../fakes/erp-proxy/fault-proxy.js'
import { FakeFeishuOpenPlatform } from '../fakes/feishu/fake-open-platform.js'
import { FeishuEventPusher } from '../fakes/feishu/feishu-event-pusher.js'
import { APP as FEISHU_APP, FEISHU_USERS } from '../feishu/feishu-harness.js'
import type { TestDbKind } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'

/** One app instance: the real app with both chat platforms over HTTP, served on a loopback port. */
export interface ChatInstance {
  t: TestSystem
  feishu: FeishuIntegration
  dingtalk: DingtalkIntegration
  url: string
  /** Delivers signed, encrypted Feishu events to this instance. */
  pusher: FeishuEventPusher
}

/**
 * The whole chat side of the product on one database: Feishu's open platform and DingTalk (fakes
 * that sign and encrypt like the real ones), and one or more app instances sharing the database,
 * as behind a load balancer. DingTalk's robot and card callbacks go to the first instance.
 */
export interface ChatStack {
  kind: TestDbKind
  database: DbHandle
  instances: ChatInstance[]
  feishu: FakeFeishuOpenPlatform
  dingtalk: FakeDingtalk
  /** Every log line of every instance. */
  logs: string[]
  /** With `faultProxies`: what the app reaches Feishu's open platform and DingTalk's v1.0 API through. */
  feishuProxy?: FaultProxy
  dingtalkProxy?: FaultProxy
  /** Waits until every acknowledged event has been handled, and every posting told, by every instance. */
  settle(): Promise<void>
  /**
   * Every instance stops (its in-memory queues, sessions and retries gone) and a new one takes its
   * place on the same database, the same platforms and fault proxies, as after a process restart.
   */
  restart(): Promise<void>
  close(): Promise<void>
}

export interface ChatStackOptions {
  instances?: number
  erp?: ErpAdapter
  /** A database already made (e.g. on a disposable server); it is closed with the stack. */
  database?: DbHandle
  /** Feishu's re-push schedule; compressed by default. */
  redeliveryScheduleMs?: number[]
  /** The platforms' own retry timing (seconds of back-off) instead of the compressed one. */
  productionRetries?: boolean
  /**
   * Fault proxies between the app and the platforms' APIs (Feishu's open platform, DingTalk's
   * api host). DingTalk's oapi host stays direct: its sessionWebhooks must match it.
   */
  faultProxies?: boolean
  /** The chat delivery queue's timing; production defaults otherwise. */
  chatDelivery?: Partial<DeliveryPolicy>
  /** How long a posting is retried before it is dead; 72 h (production) otherwise. */
  outboxGiveUpAfterMs?: number
}

async function listen(fetch: (request: Request) => Response | Promise<Response>): Promise<{ server: Server; url: string }> {
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server
  })
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

export async function startChatStack(kind: TestDbKind, options: ChatStackOptions = {}): Promise<ChatStack> {
  const feishuFake = await FakeFeishuOpenPlatform.start({ appId: FEISHU_APP.appId, appSecret: FEISHU_APP.appSecret, users: FEISHU_USERS })
  const dingtalkFake = await FakeDingtalk.start({ ...DINGTALK_APP, users: DINGTALK_USERS, cardTemplates: [CARD_TEMPLATE] })
  const feishuProxy = options.faultProxies ? await startFaultProxy(feishuFake.url) : undefined
  const dingtalkProxy = options.faultProxies ? await startFaultProxy(dingtalkFake.url) : undefined
  const logs: string[] = []
  const log = (line: string) => logs.push(line)
  const dingtalkConfig = loadConfig({
    DINGTALK_CLIENT_ID: DINGTALK_APP.clientId,
    DINGTALK_CLIENT_SECRET: DINGTALK_APP.clientSecret,
    DINGTALK_MODE: 'http',
    DINGTALK_API_BASE: dingtalkProxy?.origin ?? dingtalkFake.url,
    DINGTALK_OAPI_BASE: dingtalkFake.url,
    DINGTALK_CALLBACK_TOKEN: EVENT_KEYS.token,
    DINGTALK_CALLBACK_AES_KEY: EVENT_KEYS.aesKey,
    DINGTALK_AUTO_PROVISION: '0',
  })

  const instances: ChatInstance[] = []
  const servers: Server[] = []
  let database = options.database
  const startInstance = async (): Promise<ChatInstance> => {
    let feishu: FeishuIntegration | undefined
    let dingtalk: DingtalkIntegration | undefined
    const t = await TestSystem.start(kind, {
      database,
      erp: options.erp,
      chatDelivery: options.chatDelivery,
      outboxGiveUpAfterMs: options.outboxGiveUpAfterMs,
      integrations: (db) => [
        (feishu = createFeishuIntegration(
          {
            appId: FEISHU_APP.appId,
            appSecret: FEISHU_APP.appSecret,
            verificationToken: FEISHU_APP.verificationToken,
            encryptKey: FEISHU_APP.encryptKey,
            baseUrl: feishuProxy?.origin ?? feishuFake.url,
            mode: 'http',
            autoProvision: false,
            afterAnswerDelayMs: 20,
            retry: options.productionRetries ? undefined : { baseDelayMs: 5, maxDelayMs: 50 },
          },
          db.db,
          log,
        )),
        (dingtalk = createDingtalkIntegration(dingtalkConfig, db, log, { cardTemplateId: CARD_TEMPLATE, backoffMs: options.productionRetries ? undefined : 5 })),
      ],
    })
    database = t.database
    const { server, url } = await listen(t.app.fetch)
    servers.push(server)
    const pusher = new FeishuEventPusher({
      target: url,
      appId: FEISHU_APP.appId,
      verificationToken: FEISHU_APP.verificationToken,
      encryptKey: FEISHU_APP.encryptKey,
      redeliveryScheduleMs: options.redeliveryScheduleMs ?? [50, 100, 200, 400],
    })
    return { t, feishu: feishu!, dingtalk: dingtalk!, url, pusher }
  }
  const startInstances = async () => {
    for (let i = 0; i < (options.instances ?? 1); i++) instances.push(await startInstance())
    const first = instances[0]!
    dingtalkFake.transport = 'http'
    dingtalkFake.robotCallbackUrl = `${first.url}/dingtalk/events`
    await registerCardCallback(dingtalkFake.url, `${first.url}/dingtalk/events`)
  }
  /** Everything but the database, which the last instance closes (or a restart keeps). */
  const stopInstances = async (keep: ChatInstance[]) => {
    for (const instance of instances) instance.pusher.stop()
    for (const server of servers.splice(0)) {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
    for (const instance of instances.filter((i) => !keep.includes(i))) {
      await Promise.all(instance.t.system.integrations.map((i) => i.stop?.()))
      await instance.t.system.outbox.stop()
    }
  }
  await startInstances()
  // 孙八's mobile is in the employee master, so DingTalk can find him before he writes.
  await instances[0]!.t.database.db.updateTable('users').set({ mobile: '13800000007' }).where('id', '=', 'sunba').execute()

  return {
    kind,
    get database() {
      return instances[0]!.t.database
    },
    instances,
    feishu: feishuFake,
    dingtalk: dingtalkFake,
    feishuProxy,
    dingtalkProxy,
    logs,
    async settle() {
      await Promise.all(instances.map((i) => i.pusher.settle()))
      // A posting's row reads `posted` before its requester is told: wait for the telling too.
      await Promise.all(instances.map((i) => i.t.system.outbox.idle()))
      for (let round = 0; round < 3; round++) await Promise.all(instances.flatMap((i) => [i.feishu.idle(), i.dingtalk.idle()]))
    },
    async restart() {
      await stopInstances([])
      instances.splice(0)
      await startInstances()
    },
    async close() {
      const first = instances[0]!
      await stopInstances([first])
      await first.t.close()
      await feishuProxy?.close()
      await dingtalkProxy?.close()
      await feishuFake.close()
      await dingtalkFake.close()
    },
  }
}

/** What the README tells an operator to run once for HTTP-mode DingTalk card callbacks. */
async function registerCardCallback(api: string, callbackUrl: string): Promise<void> {
  const json = { 'content-type': 'application/json' }
  const { accessToken } = (await (
    await fetch(`${api}/v1.0/oauth2/accessToken`, { method: 'POST', headers: json, body: JSON.stringify({ appKey: DINGTALK_APP.clientId, appSecret: DINGTALK_APP.clientSecret }) })
  ).json()) as { accessToken: string }
  const response = await fetch(`${api}/v1.0/card/callbacks/register`, {
    method: 'POST',
    headers: { ...json, 'x-acs-dingtalk-access-token': accessToken },
    body: JSON.stringify({ callbackRouteKey: CARD_CALLBACK_ROUTE_KEY, callbackUrl, apiSecret: DINGTALK_APP.clientSecret, forceUpdate: true }),
  })
  if (!response.ok) throw new Error(`card callback registration failed: ${await response.text()}`)
}
