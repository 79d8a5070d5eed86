import type { DbHandle } from '../../../db/connect.js'
import type { AppConfig } from '../../../server/config.js'
import type { ChatIntegration } from '../../chat-integration.js'
import type { Conversation } from '../../conversation/conversation.js'
import { IdentityLinks } from '../../identity/identity-links.js'
import { DingtalkClient } from './dingtalk-client.js'
import { DingtalkContactDirectory } from './dingtalk-contact-directory.js'
import { CallbackCrypto } from './dingtalk-crypto.js'
import { DingtalkDirectory } from './dingtalk-identity.js'
import { DingtalkInbound } from './dingtalk-inbound.js'
import { employeeIdForAuthCode } from './dingtalk-login.js'
import { DingtalkPlatform } from './dingtalk-platform.js'
import { dingtalkRoutes } from './dingtalk-routes.js'
import type { DingtalkStream } from './dingtalk-stream.js'
import { InboundQueue } from './inbound-queue.js'

/** The route key our HTTP card callback URL is registered under (README, "Connect your DingTalk app"). */
export const CARD_CALLBACK_ROUTE_KEY = 'approval-bridge'

export type DingtalkConfig = Pick<
  AppConfig,
  | 'DINGTALK_CLIENT_ID'
  | 'DINGTALK_CLIENT_SECRET'
  | 'DINGTALK_ROBOT_CODE'
  | 'DINGTALK_CALLBACK_TOKEN'
  | 'DINGTALK_CALLBACK_AES_KEY'
  | 'DINGTALK_MODE'
  | 'DINGTALK_API_BASE'
  | 'DINGTALK_OAPI_BASE'
  | 'DINGTALK_AUTO_PROVISION'
  | 'devMode'
> & { OUTBOUND_TIMEOUT_MS?: number }

/** A readable problem with the DingTalk settings, for the config error at start; undefined when fine. */
export function dingtalkConfigProblem(config: DingtalkConfig): string | undefined {
  const { DINGTALK_CALLBACK_TOKEN: token, DINGTALK_CALLBACK_AES_KEY: aesKey } = config
  if (Boolean(token) !== Boolean(aesKey)) {
    return '  DINGTALK_CALLBACK_TOKEN / DINGTALK_CALLBACK_AES_KEY: 需要同时设置（开发者后台 → 事件订阅 → 加密 aes_key 与签名 token）/ set both or neither'
  }
  if (aesKey && !/^[A-Za-z0-9+/]{43}$/.test(aesKey)) {
    return '  DINGTALK_CALLBACK_AES_KEY: 必须是 43 个字符的 aes_key / must be the 43-character aes_key from the console'
  }
  return undefined
}

export interface DingtalkIntegrationOptions {
  /** The approval card template built in DingTalk's card platform; without it, ActionCards. */
  cardTemplateId?: string
  /** The business clock (identity links); signatures, tokens and webhooks use real time. */
  now?: () => number
  /** First wait after a rate limit (doubles per retry). */
  backoffMs?: number
  /** WebSocket keep-alive pings (on in production). */
  keepAlive?: boolean
}

export interface DingtalkIntegration extends ChatIntegration {
  platform: DingtalkPlatform
  client: DingtalkClient
  directory: DingtalkDirectory
  /**
   * H5 login inside DingTalk: a `dd.requestAuthCode` code → our employee id, null when not in the
   * employee master; throws InvalidAuthCode for a bad, used or expired code.
   */
  exchangeAuthCode(code: string): Promise<string | null>
  /** Resolves when every accepted message and tap has been processed. */
  idle(): Promise<void>
}

export function createDingtalkIntegration(
  config: DingtalkConfig,
  database: DbHandle,
  log: (message: string) => void,
  options: DingtalkIntegrationOptions = {},
): DingtalkIntegration {
  const clientId = config.DINGTALK_CLIENT_ID
  const clientSecret = config.DINGTALK_CLIENT_SECRET
  if (!clientId || !clientSecret) throw new Error('DINGTALK_CLIENT_ID 和 DINGTALK_CLIENT_SECRET 必须同时设置 / both must be set')
  const { db } = database
  const mode = config.DINGTALK_MODE
  const apiBase = config.DINGTALK_API_BASE.replace(/\/+$/, '')
  const client = new DingtalkClient({
    clientId,
    clientSecret,
    robotCode: config.DINGTALK_ROBOT_CODE,
    apiBase,
    oapiBase: config.DINGTALK_OAPI_BASE.replace(/\/+$/, ''),
    backoffMs: options.backoffMs,
    timeoutMs: config.OUTBOUND_TIMEOUT_MS,
  })
  const directory = new DingtalkDirectory(db, client, new IdentityLinks(db, options.now), config.DINGTALK_AUTO_PROVISION ?? config.devMode)
  const platform = new DingtalkPlatform({
    client,
    directory,
    cardTemplateId: options.cardTemplateId,
    callbackType: mode === 'http' ? 'HTTP' : 'STREAM',
    callbackRouteKey: CARD_CALLBACK_ROUTE_KEY,
    log,
  })
  const queue = new InboundQueue(log)
  const inbound = new DingtalkInbound(db, platform, directory, queue, log, (code) => client.downloadMessageFile(code))
  let stream: DingtalkStream | undefined

  const eventCrypto =
    config.DINGTALK_CALLBACK_TOKEN && config.DINGTALK_CALLBACK_AES_KEY
      ? new CallbackCrypto(config.DINGTALK_CALLBACK_TOKEN, config.DINGTALK_CALLBACK_AES_KEY, clientId)
      : undefined

  const integration: DingtalkIntegration = {
    platform,
    client,
    directory,
    exchangeAuthCode: (code) => employeeIdForAuthCode(client, directory, code),
    h5Login: { appId: clientId, exchangeCode: (code) => employeeIdForAuthCode(client, directory, code) },
    contactDirectory: new DingtalkContactDirectory(client),
    idle: () => queue.idle(),
    checkToken: () => client.checkTokens(),
    async stop() {
      await stream?.stop()
      await queue.idle()
    },
  }
  if (mode === 'http') {
    integration.routes = (conversation: Conversation) =>
      dingtalkRoutes(conversation, { inbound, appSecret: clientSecret, cardApiSecret: clientSecret, eventCrypto, log })
  } else {
    integration.start = async (conversation: Conversation) => {
      // Loaded only here: the SDK pulls in ws/axios, which an HTTP-only runtime does not need.
      const { DingtalkStream } = await import('./dingtalk-stream.js')
      stream = new DingtalkStream({ clientId, clientSecret, apiBase, inbound, log, keepAlive: options.keepAlive })
      await stream.start(conversation)
    }
  }
  return integration
}
