import OpenAI from 'openai'
import type { LlmSettings } from './llm-settings.js'

/** The OpenAI SDK client for the configured model: one try, the configured timeout, nothing from the process environment. */
export function openAiClient(settings: LlmSettings): OpenAI {
  return new OpenAI({
    // The SDK insists on a key; keyless servers get a placeholder and no Authorization header.
    apiKey: settings.apiKey ?? 'none',
    // Given explicitly so the SDK never falls back to the process environment on its own.
    baseURL: settings.baseURL ?? 'https://api.openai.com/v1',
    defaultHeaders: settings.apiKey === undefined ? { Authorization: null } : {},
    adminAPIKey: null,
    organization: null,
    project: null,
    timeout: settings.timeoutMs,
    maxRetries: 0,
  })
}
