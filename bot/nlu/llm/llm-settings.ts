/**
 * Whether an LLM is configured, read from the OPENAI_* variables of the config contract. Any
 * OpenAI-compatible service works; local ones (Ollama, vLLM) need a base URL and no key.
 */
export interface LlmSettings {
  model: string
  /** Unset means api.openai.com. */
  baseURL: string | undefined
  /** Unset for servers that take no key: then no Authorization header is sent at all. */
  apiKey: string | undefined
  /** The whole call, connect to last byte; the user is waiting for a chat reply. */
  timeoutMs: number
}

/** Short enough that a chat reply never waits long, long enough for a hosted model's tool call. */
const DEFAULT_LLM_TIMEOUT_MS = 3000

export class LlmSettingsError extends Error {}

type Env = Readonly<Record<string, string | undefined>>

/** Empty strings count as unset, so `OPENAI_API_KEY=` switches a key off. */
function setting(env: Env, name: string): string | undefined {
  const value = env[name]?.trim()
  return value === undefined || value === '' ? undefined : value
}

function timeoutFrom(env: Env): number {
  const raw = setting(env, 'OPENAI_TIMEOUT_MS')
  if (raw === undefined) return DEFAULT_LLM_TIMEOUT_MS
  const ms = Number(raw)
  if (!Number.isInteger(ms) || ms < 100 || ms > 60_000)
    throw new LlmSettingsError(`OPENAI_TIMEOUT_MS 必须是 100 到 60000 之间的整数（毫秒） / OPENAI_TIMEOUT_MS must be an integer from 100 to 60000 (milliseconds), got: ${raw}`)
  return ms
}

/** The LLM to ask, or undefined when rules must answer alone: a model plus a key and/or a base URL. */
export function llmSettingsFromEnv(env: Env): LlmSettings | undefined {
  const model = setting(env, 'OPENAI_MODEL')
  const baseURL = setting(env, 'OPENAI_BASE_URL')
  const apiKey = setting(env, 'OPENAI_API_KEY')
  if (model === undefined || (baseURL === undefined && apiKey === undefined)) return undefined
  return { model, baseURL, apiKey, timeoutMs: timeoutFrom(env) }
}
