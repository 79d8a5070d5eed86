import { parseDatabaseUrl } from '../db/connect.js'
import { ConfigError, describeConfig, loadConfig } from '../server/config.js'
import { describeEnabledErp } from './enabled-erp.js'

/**
 * `npm run config:check`: validates the environment and prints what would be enabled — platforms,
 * LLM, and the ERP, which lives in the database (read read-only, when it can be reached).
 */
try {
  const config = loadConfig(process.env)
  const erp = await describeEnabledErp(config.DATABASE_URL)
  const database = parseDatabaseUrl(config.DATABASE_URL)
  console.log('配置有效 / configuration is valid\n')
  for (const [key, value] of Object.entries(describeConfig(config))) console.log(`  ${key.padEnd(28)} ${value}`)
  const llm = config.OPENAI_MODEL ? `${config.OPENAI_MODEL} @ ${config.OPENAI_BASE_URL ?? 'https://api.openai.com/v1'}` : 'off (rules only)'
  console.log(`
  database                     ${database.kind === 'mysql' ? 'MySQL/MariaDB' : `embedded SQLite (${database.path})`}
  feishu                       ${config.feishuEnabled ? `on (${config.FEISHU_MODE})` : 'off'}
  dingtalk                     ${config.dingtalkEnabled ? `on (${config.DINGTALK_MODE})` : 'off'}
  simulator (dev mode)         ${config.devMode ? 'on: /dev' : 'off'}
  llm                          ${llm}
  erp                          ${erp}
  metrics                      ${config.METRICS_TOKEN ? 'on: GET /metrics with Authorization: Bearer $METRICS_TOKEN' : 'off (set METRICS_TOKEN to enable /metrics)'}
  backup export                ${config.BACKUP_TOKEN ? 'on: GET /backup with Authorization: Bearer $BACKUP_TOKEN' : 'off (set BACKUP_TOKEN to enable /backup)'}
  rate limits                  chat ${config.RATE_LIMIT_CHAT_PER_MINUTE}/min per person, ${config.RATE_LIMIT_CHAT_TENANT_PER_MINUTE}/min in all; LLM ${config.RATE_LIMIT_LLM_PER_HOUR}/h per person, ${config.RATE_LIMIT_LLM_TENANT_PER_HOUR}/h in all (per instance, in memory: N Node instances allow up to N times these; Workers run one app object, so there they hold for the deployment)
  retention                    audit log ${config.RETENTION_AUDIT_DAYS} d, event ids ${config.RETENTION_INBOUND_EVENT_DAYS} d, conversations ${config.RETENTION_CONVERSATION_DAYS} d; job every ${Math.round(config.MAINTENANCE_INTERVAL_MS / 60_000)} min
  shutdown                     on SIGTERM drains for up to ${config.SHUTDOWN_TIMEOUT_MS / 1000} s; outbound calls without their own timeout give up after ${config.OUTBOUND_TIMEOUT_MS / 1000} s`)
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
}
