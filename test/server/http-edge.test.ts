import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TestSystem } from '../helpers/test-system.js'

describe('the HTTP edge', () => {
  let t: TestSystem
  beforeAll(async () => {
    t = await TestSystem.start('sqlite')
  })
  afterAll(async () => {
    await t.close()
  })

  it('is alive and ready once migrations have run', async () => {
    expect(await (await t.app.request('/healthz')).json()).toEqual({ ok: true })
    const ready = await t.app.request('/readyz')
    expect(ready.status).toBe(200)
  })

  it.each([
    ['malformed JSON', '{"userId": "zhangsan", "text": ', 400],
    ['a wrong type', JSON.stringify({ userId: 'zhangsan', text: 42 }), 400],
    ['a missing field', JSON.stringify({ text: '你好' }), 400],
    ['a body over 1 MB', JSON.stringify({ userId: 'zhangsan', text: 'x'.repeat(1_100_000) }), 413],
  ])('refuses %s with a readable 4xx and no side effect', async (_name, body, status) => {
    const response = await t.app.request('/api/dev/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    expect(response.status).toBe(status)
    const json = (await response.json()) as { ok: boolean; message: string }
    expect(json.ok).toBe(false)
    expect(json.message).toMatch(/[\u4e00-\u9fa5]/)
    expect(await t.inbox('zhangsan')).toEqual([])
  })

  it('sets security headers and a request id', async () => {
    const response = await t.app.request('/healthz')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('x-request-id')).toMatch(/.+/)
  })
})
