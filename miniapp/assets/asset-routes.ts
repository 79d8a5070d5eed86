import { Hono } from 'hono'
import { compress } from 'hono/compress'
import { APP_CSS } from '../ui/styles.js'
import { ASSET_VERSION } from './asset-version.js'
import { APP_JS } from './client-script.js'
import { FLOW_EDITOR_JS } from './flow-editor-script.js'
import { isVendorAsset, readVendorAsset, vendorAssetType } from './vendor-assets.js'

const OWN: Record<string, { body: string; type: string }> = {
  'app.js': { body: APP_JS, type: 'text/javascript; charset=utf-8' },
  'app.css': { body: APP_CSS, type: 'text/css; charset=utf-8' },
  'flow-editor.js': { body: FLOW_EDITOR_JS, type: 'text/javascript; charset=utf-8' },
}

/** Static files of the mini-app. URLs carry ?v=<version>, so a year of caching is safe. */
export function assetRoutes(): Hono {
  const app = new Hono()
  // gzip on the way out (CompressionStream: Node and Workers): uPlot goes from 51 KB to 22 KB.
  app.use('/miniapp/assets/*', compress())
  app.get('/miniapp/assets/:name', async (c) => {
    const name = c.req.param('name')
    const own = OWN[name]
    const body = own?.body ?? (isVendorAsset(name) ? await readVendorAsset(name) : undefined)
    if (body === undefined) return c.json({ ok: false, code: 'NOT_FOUND', message: `没有这个文件 / no asset ${name}` }, 404)
    c.header('Content-Type', own?.type ?? (isVendorAsset(name) ? vendorAssetType(name) : 'application/octet-stream'))
    c.header('Cache-Control', c.req.query('v') === ASSET_VERSION || (!own && c.req.query('v')) ? 'public, max-age=31536000, immutable' : 'no-cache')
    return c.body(body)
  })
  return app
}
