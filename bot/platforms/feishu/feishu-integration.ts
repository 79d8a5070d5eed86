import type { Kysely } from 'kysely'
import type { Schema } from '../../../db/schema.js'
import { assembleFeishuIntegration, type FeishuIntegration, type FeishuSettings } from './feishu-assembly.js'
import { FeishuFetchApi } from './feishu-fetch-client.js'

export {
  FEISHU_OPEN_PLATFORM,
  feishuConfigProblem,
  feishuSettingsFrom,
  type FeishuEnv,
  type FeishuIntegration,
  type FeishuSettings,
} from './feishu-assembly.js'

/**
 * Node: the open platform through the fetch client Workers use too, and for FEISHU_MODE=ws the
 * SDK's long connection. The SDK is imported only then: loading it costs ~65 MB of RSS, a third of
 * the server's (bench/callback-ack-bench.ts), and its WSClient is the one part plain fetch cannot do.
 */
export function createFeishuIntegration(settings: FeishuSettings, db: Kysely<Schema>, log: (message: string) => void): FeishuIntegration {
  const api = new FeishuFetchApi({ appId: settings.appId, appSecret: settings.appSecret, baseUrl: settings.baseUrl, retry: settings.retry, log })
  return assembleFeishuIntegration(settings, db, log, api, async (inbound) => {
    const { startFeishuWs } = await import('./feishu-ws.js')
    return startFeishuWs(inbound, { appId: settings.appId, appSecret: settings.appSecret, baseUrl: settings.baseUrl, httpInstance: api.http, log })
  })
}
