import type { Kysely } from 'kysely'
import type { Schema } from '../../../db/schema.js'
import type { ChatIntegration } from '../../chat-integration.js'
import type { Conversation } from '../../conversation/conversation.js'
import { IdentityLinks } from '../../identity/identity-links.js'
import { FeishuIdentity } from './feishu-identity.js'
import type { FeishuOutbound, RetryPolicy } from './feishu-outbound.js'
import { FeishuInbound } from './feishu-inbound.js'
import { exchangeFeishuLoginCode, FeishuLoginError, type FeishuLogin } from './feishu-login.js'
import { FeishuPlatform } from './feishu-platform.js'
import { feishuRoutes } from './feishu-routes.js'
import { WorkQueue } from './feishu-work-queue.js'
import { FeishuContactDirectory } from './feishu-contact-directory.js'

export const FEISHU_OPEN_PLATFORM = 'https://open.feishu.cn'
/** What the SDK's WSClient accepts as an app id. */
const WS_APP_ID = /^cli_[0-9a-fA-F]{16}$/

export interface FeishuSettings {
  appId: string
  appSecret: string
  verificationToken?: string
  encryptKey?: string
  /** Open platform base URL (FEISHU_DOMAIN): Feishu by default, https://open.larksuite.com for Lark, or a fake. */
  baseUrl: string
  mode: 'http' | 'ws'
  autoProvision: boolean
  cardAnswerBudgetMs?: number
  afterAnswerDelayMs?: number
  retry?: Partial<RetryPolicy>
  now?: () => number
}

/** The env vars this integration reads (a structural slice of the server's AppConfig). */
export interface FeishuEnv {
  FEISHU_APP_ID?: string
  FEISHU_APP_SECRET?: string
  FEISHU_VERIFICATION_TOKEN?: string
  FEISHU_ENCRYPT_KEY?: string
  FEISHU_DOMAIN?: string
  FEISHU_MODE: 'http' | 'ws'
  FEISHU_AUTO_PROVISION?: boolean
  devMode: boolean
}

/** A readable reason this configuration cannot work, checked at start. */
export function feishuConfigProblem(env: FeishuEnv): string | undefined {
  if (env.FEISHU_MODE === 'http' && !env.FEISHU_VERIFICATION_TOKEN) {
    return '  FEISHU_VERIFICATION_TOKEN: FEISHU_MODE=http 时必填（开发者后台 → 事件与回调 → 加密策略）/ required in http mode (console → Events & Callbacks → Encryption strategy)'
  }
  if (env.FEISHU_MODE === 'ws' && !WS_APP_ID.test(env.FEISHU_APP_ID ?? '')) {
    return '  FEISHU_APP_ID: 长连接模式需要形如 cli_ 加 16 位十六进制的 App ID / ws mode needs an App ID like cli_ + 16 hex digits'
  }
  return undefined
}

export function feishuSettingsFrom(env: FeishuEnv): FeishuSettings {
  return {
    appId: env.FEISHU_APP_ID ?? '',
    appSecret: env.FEISHU_APP_SECRET ?? '',
    verificationToken: env.FEISHU_VERIFICATION_TOKEN || undefined,
    encryptKey: env.FEISHU_ENCRYPT_KEY || undefined,
    baseUrl: (env.FEISHU_DOMAIN ?? FEISHU_OPEN_PLATFORM).replace(/\/+$/, ''),
    mode: env.FEISHU_MODE,
    autoProvision: env.FEISHU_AUTO_PROVISION ?? env.devMode,
  }
}

export interface FeishuIntegration extends ChatIntegration {
  platform: FeishuPlatform
  api: FeishuOutbound
  identity: FeishuIdentity
  /** H5 login: a `tt.requestAccess` code → our employee (the caller issues the session). */
  login(code: string): Promise<FeishuLogin>
  /** The same, in the admin app's LoginCodeExchange shape: employee id, or null when not registered. */
  exchangeLoginCode(code: string): Promise<string | null>
  /** Resolves when every acknowledged event has been fully handled. */
  idle(): Promise<void>
}

/** Holds a long connection that feeds `inbound` (FEISHU_MODE=ws); Node only, so handed in by the Node factory. */
export type FeishuLongConnection = (inbound: FeishuInbound) => Promise<{ close(): void }>

/**
 * The Feishu integration around a given open-platform transport and, where the runtime has one,
 * the SDK's long connection (createFeishuIntegration on Node; server/worker.ts has none).
 */
export function assembleFeishuIntegration(
  settings: FeishuSettings,
  db: Kysely<Schema>,
  log: (message: string) => void,
  api: FeishuOutbound,
  longConnection?: FeishuLongConnection,
): FeishuIntegration {
  const now = settings.now ?? Date.now
  const identity = new FeishuIdentity(db, new IdentityLinks(db, now), api, settings.autoProvision)
  const platform = new FeishuPlatform(api, identity, db, log)
  const queue = new WorkQueue((error) => log(`feishu: background work failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`))
  const afterAnswerDelayMs = settings.afterAnswerDelayMs ?? 100

  const inbounds = new WeakMap<Conversation, FeishuInbound>()
  const inboundFor = (conversation: Conversation) => {
    let inbound = inbounds.get(conversation)
    if (!inbound) {
      inbound = new FeishuInbound({ db, api, platform, identity, conversation, queue, log, now, cardAnswerBudgetMs: settings.cardAnswerBudgetMs ?? 2_000, afterAnswerDelayMs })
      inbounds.set(conversation, inbound)
    }
    return inbound
  }

  const exchangeLoginCode = (code: string) =>
    exchangeFeishuLoginCode(api, identity, code).then(
      (login) => login.userId,
      (error: unknown) => {
        if (error instanceof FeishuLoginError && error.reason === 'not_registered') return null
        throw error
      },
    )

  let ws: { close(): void } | undefined

  return {
    platform,
    api,
    identity,
    routes: (conversation) =>
      feishuRoutes(inboundFor(conversation), {
        secrets: { verificationToken: settings.verificationToken, encryptKey: settings.encryptKey },
        log,
        now,
      }),
    async start(conversation) {
      // Old event ids are pruned by the server's maintenance job (ops/maintenance.ts).
      if (settings.mode === 'ws') {
        if (!longConnection) throw new Error('feishu: FEISHU_MODE=ws needs a long connection, which this runtime does not provide; use FEISHU_MODE=http')
        ws = await longConnection(inboundFor(conversation))
        log(`feishu: long connection to ${settings.baseUrl} started`)
      }
    },
    async stop() {
      ws?.close()
      await queue.idle()
    },
    checkToken: async () => void (await api.tenantAccessToken()),
    contactDirectory: new FeishuContactDirectory(api),
    login: (code) => exchangeFeishuLoginCode(api, identity, code),
    exchangeLoginCode,
    h5Login: { appId: settings.appId, exchangeCode: exchangeLoginCode },
    idle: () => queue.idle(),
  }
}
