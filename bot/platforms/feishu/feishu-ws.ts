import * as lark from '@larksuiteoapi/node-sdk'
import type { FeishuInbound } from './feishu-inbound.js'

/** Long-connection frames carry no signature (the connection itself is authenticated): hand them straight in. */
class InboundDispatcher extends lark.EventDispatcher {
  constructor(
    private readonly inbound: FeishuInbound,
    logger: lark.Logger,
  ) {
    super({ logger })
  }

  override async invoke(data: unknown): Promise<unknown> {
    const reply = await this.inbound.handle(data as Record<string, unknown>)
    this.inbound.followUp(reply)
    return reply.answer
  }
}

export interface FeishuWsOptions {
  appId: string
  appSecret: string
  baseUrl: string
  httpInstance: lark.HttpInstance
  log: (message: string) => void
}

/**
 * FEISHU_MODE=ws: the SDK's WSClient holds a long connection (no public URL needed) and the same
 * FeishuInbound serves its frames. Each event goes to one of an app's connections, so every
 * instance may hold one.
 */
export async function startFeishuWs(inbound: FeishuInbound, options: FeishuWsOptions): Promise<{ close(): void }> {
  const say = (level: string) => (...parts: unknown[]) => options.log(`feishu ws ${level}: ${parts.map(String).join(' ')}`)
  const quiet = () => {}
  const logger: lark.Logger = { error: say('error'), warn: say('warn'), info: quiet, debug: quiet, trace: quiet }
  const client = new lark.WSClient({
    appId: options.appId,
    appSecret: options.appSecret,
    domain: options.baseUrl,
    httpInstance: options.httpInstance,
    logger,
    autoReconnect: true,
  })
  await client.start({ eventDispatcher: new InboundDispatcher(inbound, logger) })
  return { close: () => client.close({ force: true }) }
}
