import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { type WorkerEnv } from '../../server/worker.js'
import { FeishuWire } from './feishu-wire.js'

const workerEnv = env as WorkerEnv
const TOKEN_PATH = '/open-apis/auth/v3/tenant_access_token/internal'

/** /readyz inside workerd: the fetch Feishu client obtains the tenant token from the fake open platform. */
describe('GET /readyz on Workers', () => {
  const control = new FeishuWire(() => Promise.reject(new Error('no worker calls here')))
  const tokenRequests = async () => (await control.control<{ method: string; path: string }[]>('GET', '/requests')).filter((r) => r.method === 'POST' && r.path === TOKEN_PATH).length
  /** A deployment's app object; a new name is a freshly started one with its own token cache. */
  const readyz = (objectName: string) => workerEnv.APP.get(workerEnv.APP.idFromName(objectName)).fetch(new Request('https://approvals.example/readyz'))

  it('is 200 with the Feishu token obtained once, then reused by later probes', async () => {
    const before = await tokenRequests()
    const ready = await readyz('readyz-ok')
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ ok: true, checks: { database: 'ok', migrations: 'ok', feishu_token: 'ok' } })
    expect((await readyz('readyz-ok')).status).toBe(200)
    expect((await tokenRequests()) - before).toBe(1)
  })

  it('is 503 naming Feishu when the open platform refuses the app secret', async () => {
    await control.control('POST', '/fail-next', { method: 'POST', path: `^${TOKEN_PATH}$`, status: 200, body: { code: 10014, msg: 'app secret invalid' } })
    const refused = await readyz('readyz-refused')
    expect(refused.status).toBe(503)
    const body = (await refused.json()) as { message: string; checks: Record<string, string> }
    expect(body.message).toBe('平台凭证不可用 / platform token not obtainable: feishu')
    expect(body.checks.feishu_token).toMatch(/^failed: .*10014.*app secret invalid/)
  })
})
