import type { ChatIntegration } from '../bot/chat-integration.js'
import type { DbHandle } from '../db/connect.js'
import type { AppConfig } from './config.js'

/** The chat platforms this configuration enables, in order of preference for outbound messages. */
export function createIntegrations(config: AppConfig, database: DbHandle, log: (message: string) => void): ChatIntegration[] {
  const integrations: ChatIntegration[] = []
  void config
  void database
  void log
  return integrations
}
