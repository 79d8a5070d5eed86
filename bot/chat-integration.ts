import type { Hono } from 'hono'
import type { Conversation } from './conversation/conversation.js'
import type { ContactDirectory } from './identity/contact-directory.js'
import type { ChatPlatform } from './platform.js'

/**
 * One chat platform as the server sees it: the outbound port, plus how its inbound traffic
 * reaches the conversation (HTTP callback routes, a long-lived stream/WS client, or both).
 */
export interface ChatIntegration {
  platform: ChatPlatform
  /** HTTP callback routes (e.g. POST /feishu/events), mounted on the one app. */
  routes?(conversation: Conversation): Hono
  /** Long connections (Feishu WS, DingTalk Stream); Node only. */
  start?(conversation: Conversation): Promise<void>
  stop?(): Promise<void>
  /**
   * Proves the app's platform credentials work by obtaining its access token (the cached one while it
   * lasts); sends nothing to anyone. For /readyz: throws with the platform's reason when it cannot.
   */
  checkToken(): Promise<void>
  /** Admin mini-app sign-in inside this platform's client: H5 auth code → our employee id (null: not registered). */
  h5Login?: { appId: string; exchangeCode(code: string): Promise<string | null> }
  /** The platform's company directory, for the admin app's "sync contacts" (通讯录同步). */
  contactDirectory?: ContactDirectory
}
