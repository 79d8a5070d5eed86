import { DEFAULT_EMBEDDED_PATH } from '../db/connect.js'
import { ConfigError, describeConfig, loadConfig } from '../server/config.js'

/** `npm run config:check`: validates the environment and prints what would be enabled. */
try {
  const config = loadConfig(process.env)
  console.log('配置有效 / configuration is valid\n')
  for (const [key, value] of Object.entries(describeConfig(config))) console.log(`  ${key.padEnd(28)} ${value}`)
  const llm = config.OPENAI_MODEL ? `${config.OPENAI_MODEL} @ ${config.OPENAI_BASE_URL ?? 'https://api.openai.com/v1'}` : 'off (rules only)'
  console.log(`
  database                     ${config.DATABASE_URL?.startsWith('mysql') ? 'MySQL/MariaDB' : `embedded SQLite (${config.DATABASE_URL ?? DEFAULT_EMBEDDED_PATH})`}
  feishu                       ${config.feishuEnabled ? `on (${config.FEISHU_MODE})` : 'off'}
  dingtalk                     ${config.dingtalkEnabled ? `on (${config.DINGTALK_MODE})` : 'off'}
  simulator (dev mode)         ${config.devMode ? 'on: /dev' : 'off'}
  llm                          ${llm}`)
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
}
