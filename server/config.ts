import { z } from 'zod'

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : ['1', 'true', 'yes'].includes(v)))

/** Every env var the product reads (the config contract in DESIGN.md), validated at start. */
export const configSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^(mysql|mariadb|sqlite|file):/, 'DATABASE_URL 必须以 mysql:// 或 sqlite: 开头 / must start with mysql:// or sqlite:')
    .optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(8787),
  HOST: z.string().default('127.0.0.1'),
  FEISHU_APP_ID: z.string().optional(),
  FEISHU_APP_SECRET: z.string().optional(),
  FEISHU_VERIFICATION_TOKEN: z.string().optional(),
  FEISHU_ENCRYPT_KEY: z.string().optional(),
  FEISHU_DOMAIN: z.string().url().optional(),
  FEISHU_MODE: z.enum(['http', 'ws']).default('http'),
  FEISHU_AUTO_PROVISION: flag,
  DINGTALK_CLIENT_ID: z.string().optional(),
  DINGTALK_CLIENT_SECRET: z.string().optional(),
  DINGTALK_ROBOT_CODE: z.string().optional(),
  DINGTALK_CALLBACK_TOKEN: z.string().optional(),
  DINGTALK_CALLBACK_AES_KEY: z.string().optional(),
  DINGTALK_MODE: z.enum(['stream', 'http']).default('stream'),
  DINGTALK_API_BASE: z.string().url().default('https://api.dingtalk.com'),
  DINGTALK_OAPI_BASE: z.string().url().default('https://oapi.dingtalk.com'),
  DINGTALK_AUTO_PROVISION: flag,
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  OPENAI_MODEL: z.string().optional(),
  APP_SECRET_KEY: z.string().min(32, 'APP_SECRET_KEY 至少 32 个字符 / at least 32 characters').optional(),
  DEV_MODE: flag,
  /** Outbox poll interval; the worker is also woken right after each final approval. */
  OUTBOX_POLL_MS: z.coerce.number().int().min(50).default(1000),
  /** Set to 0 to run the HTTP server without the in-process outbox worker (e.g. a separate worker fleet). */
  OUTBOX_WORKER: flag,
})

export type AppConfig = z.infer<typeof configSchema> & {
  feishuEnabled: boolean
  dingtalkEnabled: boolean
  /** The simulator is the chat when no platform is configured, or when DEV_MODE=1. */
  devMode: boolean
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const parsed = configSchema.safeParse(env)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new ConfigError(`配置错误 / invalid configuration:\n${lines.join('\n')}`)
  }
  const config = parsed.data
  const feishuEnabled = Boolean(config.FEISHU_APP_ID && config.FEISHU_APP_SECRET)
  const dingtalkEnabled = Boolean(config.DINGTALK_CLIENT_ID && config.DINGTALK_CLIENT_SECRET)
  const devMode = config.DEV_MODE ?? !(feishuEnabled || dingtalkEnabled)
  return { ...config, feishuEnabled, dingtalkEnabled, devMode }
}
