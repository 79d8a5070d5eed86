import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { bodyLimit } from '../../server/body-limit.js'

/**
 * The 1 MB limit in front of every route: refused before parsing whether the size is declared or
 * streamed, and a small declared body is never touched by the limit itself (reading
 * `request.body` made @hono/node-server build a web Request and stream for every callback).
 */
const LIMIT = 1024 * 1024

function appWithLimit(): Hono {
  const app = new Hono()
  app.use(bodyLimit({ maxSize: LIMIT, onError: (c) => c.json({ ok: false, code: 'TOO_LARGE', message: '请求体超过 1 MB / request body over 1 MB' }, 413) }))
  app.post('/echo', async (c) => c.json({ bytes: (await c.req.arrayBuffer()).byteLength }))
  app.get('/echo', (c) => c.json({ ok: true }))
  return app
}

/** A request whose `body` getter counts how often it is read before the route handler runs. */
function watchedRequest(body: string, headers: Record<string, string>): { request: Request; reads: () => number } {
  const request = new Request('http://app.test/echo', { method: 'POST', body, headers })
  const prototypeBody = Object.getOwnPropertyDescriptor(Request.prototype, 'body')!.get!
  let reads = 0
  Object.defineProperty(request, 'body', { get: () => (reads++, prototypeBody.call(request)) })
  return { request, reads: () => reads }
}

function chunked(size: number): ReadableStream<Uint8Array> {
  let sent = 0
  return new ReadableStream({
    pull(controller) {
      if (sent >= size) return controller.close()
      const chunk = new Uint8Array(Math.min(64 * 1024, size - sent)).fill(120)
      sent += chunk.length
      controller.enqueue(chunk)
    },
  })
}

describe('request body limit', () => {
  it('lets a small declared body through without reading it', async () => {
    const { request, reads } = watchedRequest('{"a":1}', { 'content-type': 'application/json', 'content-length': '7' })
    const app = new Hono()
    let readsBeforeHandler = -1
    app.use(bodyLimit({ maxSize: LIMIT, onError: (c) => c.text('too large', 413) }))
    app.post('/echo', (c) => {
      readsBeforeHandler = reads()
      return c.text('ok')
    })
    expect((await app.request(request)).status).toBe(200)
    expect(readsBeforeHandler).toBe(0)
  })

  it('refuses a declared body over 1 MB with 413 and a readable message', async () => {
    const response = await appWithLimit().request('/echo', { method: 'POST', body: 'x'.repeat(LIMIT + 1), headers: { 'content-length': String(LIMIT + 1) } })
    expect(response.status).toBe(413)
    expect(((await response.json()) as { message: string }).message).toContain('1 MB')
  })

  it('counts a chunked body as it arrives: exactly 1 MB passes, one byte more is 413', async () => {
    const at = (size: number) => appWithLimit().request('/echo', { method: 'POST', body: chunked(size), duplex: 'half' } as RequestInit)
    const exact = await at(LIMIT)
    expect(exact.status).toBe(200)
    expect(await exact.json()).toEqual({ bytes: LIMIT })
    expect((await at(LIMIT + 1)).status).toBe(413)
  })

  it('leaves reads alone', async () => {
    expect((await appWithLimit().request('/echo')).status).toBe(200)
  })
})
