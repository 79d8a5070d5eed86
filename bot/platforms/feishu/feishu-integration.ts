import type { Kysely } from 'kysely'
import type { Schema } from '../../../db/schema.js'
import { assembleFeishuIntegration, type FeishuIntegration, type FeishuSettings } from './feishu-assembly.js'
import { FeishuApi } from './feishu-client.js'
import { startFeishuWs } from './feishu-ws.js'

export {
  FEISHU_OPEN_PLATFORM,
  feishuConfigProblem,
  feishuSettingsFrom,
  type FeishuEnv,
  type FeishuIntegration,
  type FeishuSettings,
} from './feishu-assembly.js'

/** Node: the open platform through the SDK client, and the SDK's long connection for FEISHU_MODE=ws. */
export function createFeishuIntegration(settings: FeishuSettings, db: Kysely<Schema>, log: (message: string) => void): FeishuIntegration {
  const api = new FeishuApi({ appId: settings.appId, appSecret: settings.appSecret, baseUrl: settings.baseUrl, retry: settings.retry, log })
  return assembleFeishuIntegration(settings, db, log, api, (inbound) =>
    startFeishuWs(inbound, { appId: settings.appId, appSecret: settings.appSecret, baseUrl: settings.baseUrl, httpInstance: api.http, log }),
  )
}
