import OpenAI, { APIError } from 'openai'
import { checkModelAnswer, type Checked, type ModelAnswer } from './model-answer.js'
import type { LlmSettings } from './llm-settings.js'
import { openAiClient } from './openai-client.js'
import { PARSE_TOOL, PARSE_TOOL_NAME } from './parse-tool.js'
import { systemPrompt } from './system-prompt.js'

/**
 * Asks an OpenAI-compatible chat model to read one message through the parse tool. The request
 * carries the instructions (with today's date) and the text, nothing else: no user name, id or
 * history. One try, bounded by the timeout: a chat reply must not wait on a flaky model.
 */
export class ModelReader {
  private readonly client: OpenAI

  constructor(private readonly settings: LlmSettings) {
    this.client = openAiClient(settings)
  }

  async read(text: string, now: Date): Promise<Checked<ModelAnswer>> {
    // The SDK's own timeout stops at the response headers; this signal also bounds the body.
    const signal = AbortSignal.timeout(this.settings.timeoutMs)
    let completion: OpenAI.ChatCompletion
    try {
      completion = await this.client.chat.completions.create(
        {
          model: this.settings.model,
          temperature: 0,
          messages: [
            { role: 'system', content: systemPrompt(now) },
            { role: 'user', content: text },
          ],
          tools: [PARSE_TOOL],
          tool_choice: { type: 'function', function: { name: PARSE_TOOL_NAME } },
        },
        { signal },
      )
    } catch (error) {
      return { ok: false, reason: failureReason(error, signal, this.settings.timeoutMs) }
    }
    const call = completion.choices[0]?.message.tool_calls?.find((c) => c.type === 'function' && c.function.name === PARSE_TOOL_NAME)
    if (call === undefined || call.type !== 'function') return { ok: false, reason: `no ${PARSE_TOOL_NAME} call in the answer` }
    return checkModelAnswer(call.function.arguments, text, now)
  }
}

function failureReason(error: unknown, signal: AbortSignal, timeoutMs: number): string {
  if (signal.aborted || error instanceof OpenAI.APIConnectionTimeoutError) return `no answer within ${timeoutMs} ms`
  if (error instanceof APIError && error.status !== undefined) return `HTTP ${error.status}`
  return error instanceof Error ? error.message : String(error)
}
