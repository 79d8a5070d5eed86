import { Hono, type Context } from 'hono'
import type { CallbackSecrets } from './feishu-envelope.js'
import { openCallback } from './feishu-envelope.js'
import type { FeishuInbound } from './feishu-inbound.js'

export interface FeishuRouteOptions {
  secrets: CallbackSecrets
  log: (message: string) => void
  now: () => number
}

/**
 * The HTTP contract: `POST /feishu/events` (event subscription, incl. url_verification) and
 * `POST /feishu/cards` (card callbacks). Both accept both kinds, as Feishu lets one URL serve both.
 * Rejections say little to the caller and everything to the log.
 */
export function feishuRoutes(inbound: FeishuInbound, options: FeishuRouteOptions): Hono {
  const app = new Hono()

  const serve = async (c: Context) => {
    const raw = Buffer.from(await c.req.arrayBuffer())
    const opened = openCallback(raw, (name) => c.req.header(name), options.secrets, { now: options.now(), warn: options.log })
    if (opened.kind === 'rejected') {
      options.log(`feishu: rejected ${c.req.method} ${c.req.path} (HTTP ${opened.status}): ${opened.reason}`)
      return c.json({ ok: false, message: opened.status === 401 ? '请求验证失败 / request verification failed' : '请求无法解析 / malformed request' }, opened.status)
    }
    if (opened.kind === 'challenge') return c.json({ challenge: opened.challenge })
    const reply = await inbound.handle(opened.body, { legacyCard: opened.legacyCard })
    inbound.followUp(reply)
    return c.json(reply.answer)
  }

  app.post('/feishu/events', serve)
  app.post('/feishu/cards', serve)
  return app
}
