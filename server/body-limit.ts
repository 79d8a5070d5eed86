import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit as countingBodyLimit } from 'hono/body-limit'

export interface BodyLimitOptions {
  maxSize: number
  onError: (c: Context) => Response | Promise<Response>
}

/**
 * Refuses request bodies over `maxSize` bytes. A declared Content-Length is judged from the
 * header alone; only a chunked body is counted as it arrives (Hono's bodyLimit). Hono's own
 * middleware reads `request.body` first thing, which on @hono/node-server turns every request
 * into a full web Request with a stream: about a tenth of the Feishu ack path's time under load.
 */
export function bodyLimit(options: BodyLimitOptions): MiddlewareHandler {
  const counting = countingBodyLimit(options)
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next()
    const declared = c.req.header('content-length')
    if (declared !== undefined && c.req.header('transfer-encoding') === undefined) {
      return Number(declared) > options.maxSize ? options.onError(c) : next()
    }
    return counting(c, next)
  }
}
