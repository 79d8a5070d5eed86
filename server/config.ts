import { z } from 'zod'
import { DEFAULT_RETENTION, MIN_AUDIT_RETENTION_DAYS, type RetentionPolicy } from '../ops/retention/retention.js'
import type { RateLimitSettings } from '../ops/rate-limit.js'

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : ['1', 'true', 'yes'].includes(v)))

/**
 * An empty variable (`PORT=` in a .env file, a blank CI secret) is unset, as for flags: the default
 * applies. Otherwise a number would coerce to 0 (Number('  ') too) and HOST '' would listen everywhere.
 */
const emptyAsUnset = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema)

/** The embedded DB's URL takes one option (db/connect.ts, parseDatabaseUrl): a misspelt one would quietly mean NORMAL. */
function checkSqliteUrl(url: string, ctx: z.RefinementCtx): void {
  if (!/^(sqlite|file):/.test(url)) return
  for (const [name, value] of new URLSearchParams(url.split('?')[1] ?? '')) {
    if (name !== 'synchronous') ctx.addIssue({ code: 'custom', message: `未知参数 ${name}（SQLite 只支持 synchronous）/ unknown parameter ${name} (SQLite takes only synchronous)` })
    else if (!['normal', 'full'].includes(value.toLowerCase())) ctx.addIssue({ code: 'custom', message: `synchronous 只能是 normal 或 full / synchronous must be normal or full, not "${value}"` })
  }
}

/** Every env var the product reads (the config contract in DESIGN.md), validated at start. */
export const configSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^(mysql|mariadb|sqlite|file):/, 'DATABASE_URL 必须以 mysql:// 或 sqlite: 开头 / must start with mysql:// or sqlite:')
    .superRefine(checkSqliteUrl)
    .optional(),
  PORT: emptyAsUnset(z.coerce.number().int().min(1).max(65535).default(8787)),
  HOST: emptyAsUnset(z.string().default('127.0.0.1')),
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
  /** Interactive card template (互动卡片); without one, approvals use ActionCards with text-command buttons. */
  DINGTALK_CARD_TEMPLATE_ID: z.string().min(1).optional(),
  DINGTALK_API_BASE: z.string().url().default('https://api.dingtalk.com'),
  DINGTALK_OAPI_BASE: z.string().url().default('https://oapi.dingtalk.com'),
  DINGTALK_AUTO_PROVISION: flag,
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  OPENAI_MODEL: z.string().optional(),
  /** How long one LLM call may take before the rules' answer stands. */
  OPENAI_TIMEOUT_MS: emptyAsUnset(z.coerce.number().int().min(100).max(60_000).optional()),
  APP_SECRET_KEY: z.string().min(32, 'APP_SECRET_KEY 至少 32 个字符 / at least 32 characters').optional(),
  DEV_MODE: flag,
  /** Outbox poll interval; the worker is also woken right after each final approval. */
  OUTBOX_POLL_MS: emptyAsUnset(z.coerce.number().int().min(50).default(1000)),
  /** Set to 0 to run the HTTP server without the in-process outbox worker (e.g. a separate worker fleet). */
  OUTBOX_WORKER: flag,
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Bearer token Prometheus presents on GET /metrics; without it /metrics is off. */
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN 至少 16 个字符 / at least 16 characters').optional(),
  /** Bearer token for GET /backup (the whole database, personal data included); without it the route is off. */
  BACKUP_TOKEN: z.string().min(32, 'BACKUP_TOKEN 至少 32 个字符 / at least 32 characters').optional(),
  /** On SIGTERM: how long in-flight work may take before the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: emptyAsUnset(z.coerce.number().int().min(1000).max(300_000).default(20_000)),
  /** Deadline for outbound HTTP calls that set none of their own (Node). */
  OUTBOUND_TIMEOUT_MS: emptyAsUnset(z.coerce.number().int().min(1000).max(120_000).default(30_000)),
  /** Chat lines one person may send per minute; over it the bot asks them to wait. */
  RATE_LIMIT_CHAT_PER_MINUTE: emptyAsUnset(z.coerce.number().int().min(1).default(20)),
  /** Chat lines the whole company may send per minute, per instance. */
  RATE_LIMIT_CHAT_TENANT_PER_MINUTE: emptyAsUnset(z.coerce.number().int().min(1).default(600)),
  /** LLM calls one person may cause per hour (cost control); over it rules alone read their lines. */
  RATE_LIMIT_LLM_PER_HOUR: emptyAsUnset(z.coerce.number().int().min(0).default(30)),
  /** LLM calls the whole company may cause per hour, per instance. */
  RATE_LIMIT_LLM_TENANT_PER_HOUR: emptyAsUnset(z.coerce.number().int().min(0).default(600)),
  /** Audit log rows older than this are removed by the maintenance job; at least 3 years. */
  RETENTION_AUDIT_DAYS: emptyAsUnset(z.coerce.number().int().min(MIN_AUDIT_RETENTION_DAYS, `RETENTION_AUDIT_DAYS 至少 ${MIN_AUDIT_RETENTION_DAYS} 天（3 年）/ at least ${MIN_AUDIT_RETENTION_DAYS} days (3 years)`).default(DEFAULT_RETENTION.auditDays)),
  RETENTION_INBOUND_EVENT_DAYS: emptyAsUnset(z.coerce.number().int().min(1).default(DEFAULT_RETENTION.inboundEventDays)),
  RETENTION_CONVERSATION_DAYS: emptyAsUnset(z.coerce.number().int().min(1).default(DEFAULT_RETENTION.conversationDays)),
  /** How often the Node entry runs the maintenance job (retention). */
  MAINTENANCE_INTERVAL_MS: emptyAsUnset(z.coerce.number().int().min(60_000).default(60 * 60_000)),
  /** S3-compatible object storage for attachments (S3, R2, MinIO, OSS), path-style; without it local disk (Node) or none (Workers). */
  S3_ENDPOINT: z.string().url().optional(),
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
})

export type AppConfig = z.infer<typeof configSchema> & {
  feishuEnabled: boolean
  dingtalkEnabled: boolean
  /** The simulator is the chat when no platform is configured, or when DEV_MODE=1. */
  devMode: boolean
}

export class ConfigError extends Error {}

type Env = z.infer<typeof configSchema>

/** Settings that are each valid alone but not together: one readable line per problem. */
function crossFieldProblems(c: Env): string[] {
  const problems: string[] = []
  const both = (a: keyof Env, b: keyof Env) => {
    if (c[a] && !c[b]) problems.push(`${a} 已设置但缺少 ${b} / ${a} is set but ${b} is not`)
  }
  both('FEISHU_APP_ID', 'FEISHU_APP_SECRET')
  both('FEISHU_APP_SECRET', 'FEISHU_APP_ID')
  both('FEISHU_ENCRYPT_KEY', 'FEISHU_VERIFICATION_TOKEN')
  both('DINGTALK_CLIENT_ID', 'DINGTALK_CLIENT_SECRET')
  both('DINGTALK_CLIENT_SECRET', 'DINGTALK_CLIENT_ID')
  both('DINGTALK_CALLBACK_TOKEN', 'DINGTALK_CALLBACK_AES_KEY')
  both('DINGTALK_CALLBACK_AES_KEY', 'DINGTALK_CALLBACK_TOKEN')
  both('OPENAI_API_KEY', 'OPENAI_MODEL')
  both('OPENAI_BASE_URL', 'OPENAI_MODEL')
  const s3 = ['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const
  const s3Missing = s3.filter((k) => !c[k])
  if (s3Missing.length > 0 && s3Missing.length < s3.length) {
    problems.push(`${s3.join('、')} 须同时设置，缺少 ${s3Missing.join('、')} / the S3 settings go together; missing ${s3Missing.join(', ')}`)
  }
  if (c.FEISHU_APP_ID && c.FEISHU_MODE === 'http' && !c.FEISHU_VERIFICATION_TOKEN) {
    problems.push('FEISHU_MODE=http 需要 FEISHU_VERIFICATION_TOKEN 来校验回调 / FEISHU_MODE=http needs FEISHU_VERIFICATION_TOKEN to verify callbacks')
  }
  if (c.DINGTALK_CALLBACK_AES_KEY && c.DINGTALK_CALLBACK_AES_KEY.length !== 43) {
    problems.push('DINGTALK_CALLBACK_AES_KEY 必须是 43 个字符 / must be exactly 43 characters')
  }
  return problems
}

/**
 * Every problem at once, so one run of config:check lists all there is to fix: each invalid setting,
 * and the problems between the others (checked as if the invalid ones were unset, leaving out the
 * ones that would only repeat an invalid setting).
 */
function problemsOf(env: Record<string, string | undefined>, parsed: ReturnType<typeof configSchema.safeParse>): string[] {
  if (parsed.success) return crossFieldProblems(parsed.data)
  const invalid = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))]
  const rest = configSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([key]) => !invalid.includes(key))))
  const between = rest.success ? crossFieldProblems(rest.data).filter((problem) => !invalid.some((key) => problem.includes(key))) : []
  return [...parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`), ...between]
}

export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const parsed = configSchema.safeParse(env)
  const problems = problemsOf(env, parsed)
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(`配置错误 / invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`)
  }
  const config = parsed.data
  const feishuEnabled = Boolean(config.FEISHU_APP_ID && config.FEISHU_APP_SECRET)
  const dingtalkEnabled = Boolean(config.DINGTALK_CLIENT_ID && config.DINGTALK_CLIENT_SECRET)
  const devMode = config.DEV_MODE ?? !(feishuEnabled || dingtalkEnabled)
  return { ...config, feishuEnabled, dingtalkEnabled, devMode }
}

const SECRET_KEYS = /SECRET|TOKEN|KEY|PASSWORD/

/** The effective configuration for humans: secrets masked, credentials stripped from URLs. */
export function describeConfig(config: AppConfig): Record<string, string> {
  const out: Record<string, string> = {}
  for (const key of Object.keys(configSchema.shape) as (keyof Env)[]) {
    const value = config[key]
    if (value === undefined) continue
    if (SECRET_KEYS.test(key) && typeof value === 'string') out[key] = `${value.slice(0, 3)}…(${value.length} chars)`
    else if (key === 'DATABASE_URL' && typeof value === 'string') out[key] = value.replace(/\/\/([^:@/]+)(:[^@/]*)?@/, '//$1:***@')
    else out[key] = String(value)
  }
  return out
}

/** The retention policy the maintenance job enforces. */
export function retentionOf(config: AppConfig): RetentionPolicy {
  return { auditDays: config.RETENTION_AUDIT_DAYS, inboundEventDays: config.RETENTION_INBOUND_EVENT_DAYS, conversationDays: config.RETENTION_CONVERSATION_DAYS }
}

const MINUTE_MS = 60_000
const HOUR_MS = 60 * MINUTE_MS

/** Chat and LLM rate limits, per person and per tenant (this deployment). */
export function rateLimitsOf(config: AppConfig): RateLimitSettings {
  return {
    chatPerUser: { limit: config.RATE_LIMIT_CHAT_PER_MINUTE, windowMs: MINUTE_MS },
    chatPerTenant: { limit: config.RATE_LIMIT_CHAT_TENANT_PER_MINUTE, windowMs: MINUTE_MS },
    llmPerUser: { limit: config.RATE_LIMIT_LLM_PER_HOUR, windowMs: HOUR_MS },
    llmPerTenant: { limit: config.RATE_LIMIT_LLM_TENANT_PER_HOUR, windowMs: HOUR_MS },
  }
}
