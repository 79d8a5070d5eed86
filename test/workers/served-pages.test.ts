import { SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'

const get = (path: string) => SELF.fetch(`https://approvals.example${path}`)

describe('the worker serves the whole app, not only the callbacks', () => {
  it.each(['/healthz', '/readyz'])('%s answers ok', async (path) => {
    const response = await get(path)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ ok: true })
  })

  it('the dev simulator page and its API', async () => {
    const page = await get('/dev')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toContain('text/html')
    const users = (await (await get('/api/dev/users')).json()) as { name: string }[]
    expect(users.map((u) => u.name)).toContain('张三')
  })

  it('the admin mini-app: sign-in page and its own and vendored assets', async () => {
    const login = await get('/miniapp/login')
    expect(login.status).toBe(200)
    expect(await login.text()).toContain('<html')
    const assets = { 'app.js': 'function', 'app.css': '{', 'uplot.js': 'uPlot', 'uplot.css': '.uplot' }
    for (const [asset, marker] of Object.entries(assets)) {
      const response = await get(`/miniapp/assets/${asset}?v=1`)
      expect(response.status, asset).toBe(200)
      expect(response.headers.get('content-type'), asset).toMatch(asset.endsWith('.js') ? /^text\/javascript/ : /^text\/css/)
      // Vendored files are pinned by package-lock, so any ?v= may be cached for good (as on Node).
      if (asset.startsWith('uplot')) expect(response.headers.get('cache-control'), asset).toContain('immutable')
      expect(await response.text(), asset).toContain(marker)
    }
  })
})
