import type { ChatIntegration } from '../bot/chat-integration.js'
import { createFeishuIntegration, feishuConfigProblem, feishuSettingsFrom } from '../bot/platforms/feishu/feishu-integration.js'
import { createDingtalkIntegration, dingtalkConfigProblem } from '../bot/platforms/dingtalk/dingtalk-integration.js'
import type { DbHandle } from '../db/connect.js'
import { ConfigError, type AppConfig } from './config.js'

/** The chat platforms this configuration enables, in order of preference for outbound messages. */
export function createIntegrations(config: AppConfig, database: DbHandle, log: (message: string) => void): ChatIntegration[] {
  const integrations: ChatIntegration[] = []
  if (config.feishuEnabled) {
    const problem = feishuConfigProblem(config)
    if (problem) throw new ConfigError(`配置错误 / invalid configuration:\n${problem}`)
    integrations.push(createFeishuIntegration(feishuSettingsFrom(config), database.db, log))
  }
  if (config.dingtalkEnabled) {
    const problem = dingtalkConfigProblem(config)
    if (problem) throw new ConfigError(`配置错误 / invalid configuration:\n${problem}`)
    integrations.push(createDingtalkIntegration(config, database, log, { cardTemplateId: config.DINGTALK_CARD_TEMPLATE_ID }))
  }
  return integrations
}
