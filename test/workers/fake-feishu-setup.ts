import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import type { TestProject } from 'vitest/node'
import { FakeFeishuOpenPlatform } from '../fakes/feishu/fake-open-platform.js'
import { FEISHU_APP, FEISHU_PEOPLE } from './feishu-tenant.js'

/**
 * Global setup (Node): the fake Feishu open platform the worker under test calls, on a real port,
 * plus a small control API under /__control for the tests, which run inside workerd and cannot
 * reach the fake's objects: what was sent, card-update tokens for taps, injected faults.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fake = await FakeFeishuOpenPlatform.start({ appId: FEISHU_APP.appId, appSecret: FEISHU_APP.appSecret, users: FEISHU_PEOPLE })
  const control = new Hono()
  control.get('/__control/url', (c) => c.json({ url: new URL(c.req.url).origin }))
  control.get('/__control/messages', (c) => c.json(fake.messages))
  control.get('/__control/requests', (c) => c.json(fake.requests))
  control.post('/__control/card-tokens', async (c) => {
    const { messageId } = await c.req.json<{ messageId: string }>()
    return c.json({ token: fake.issueCardToken(messageId) })
  })
  control.post('/__control/fail-next', async (c) => {
    const rule = await c.req.json<{ method?: string; path: string; status: number; body: unknown; headers?: Record<string, string>; times?: number }>()
    fake.failNext({ method: rule.method, path: new RegExp(rule.path) }, { status: rule.status, body: rule.body, headers: rule.headers }, rule.times)
    return c.json({ ok: true })
  })
  control.post('/__control/revoke-tenant-tokens', (c) => {
    fake.revokeTenantTokens()
    return c.json({ ok: true })
  })
  control.all('*', (c) => fake.app.fetch(c.req.raw))

  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: control.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server
  })
  project.provide('feishuUrl', `http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  return async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await fake.close()
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    feishuUrl: string
  }
}
