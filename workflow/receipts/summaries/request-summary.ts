import { REQUEST_TYPES, isRequestType } from '../../request-types.js'

/**
 * The port: something that writes a short summary of a request's text (an LLM behind the bot
 * layer). It may be slow or fail; `signal` aborts it at the deadline, and whatever it says is
 * checked before anyone sees it.
 */
export interface RequestSummariser {
  /** Who writes the summaries, recorded with each ("gpt-4o-mini"). */
  readonly model: string
  /** How long a summary may take before the request goes on without one. */
  readonly timeoutMs: number
  summarise(input: SummaryInput, signal: AbortSignal): Promise<string>
}

/** What the summariser is shown: the request's kind and its own words, no names or ids. */
export interface SummaryInput {
  typeLabel: string
  title: string
  text: string
}

/** Shorter explanations are read faster than any summary of them. */
export const LONG_TEXT_CHARS = 100
const LONG_TEXT_LINES = 3
export const SUMMARY_MAX_CHARS = 60

/** The request's free text worth summarising (事由/说明), or undefined when it is short. */
export function summaryInputOf(request: { type: string; title: string; payload: string }): SummaryInput | undefined {
  if (!isRequestType(request.type)) return undefined
  const { reason } = JSON.parse(request.payload) as { reason?: unknown }
  if (typeof reason !== 'string') return undefined
  const text = reason.trim()
  if ([...text].length <= LONG_TEXT_CHARS && text.split(/\n/).length < LONG_TEXT_LINES) return undefined
  return { typeLabel: REQUEST_TYPES[request.type].label, title: request.title, text }
}

/**
 * Words a summary of a request has no business containing: talk about instructions or prompts,
 * addressing the approver, verdicts (批准/驳回), links, markup. Seeing one means the request's text
 * steered the model (prompt injection) or the model wandered; either way no summary is shown.
 * Everyday words that requests do use (系统, 模型, 通过) are allowed.
 */
const NOT_A_SUMMARY = /忽略|无视|指令|提示词|审批人|批准|同意|驳回|拒绝|放行|ignore|instruction|prompt|approv|reject|https?:|www\.|```|<\/?[a-z]/i

export type SummaryCheck = { ok: true; summary: string } | { ok: false; reason: string }

/** The model's text as an approver may see it: one plain line, 1–60 characters, no instructions or verdicts. */
export function checkSummary(raw: string): SummaryCheck {
  const summary = raw
    .trim()
    .replace(/^["“”'「『]+|["“”'」』]+$/g, '')
    .trim()
  if (summary === '') return { ok: false, reason: 'empty summary' }
  if (/[\r\n]/.test(summary)) return { ok: false, reason: 'summary has several lines' }
  if ([...summary].length > SUMMARY_MAX_CHARS) return { ok: false, reason: `summary longer than ${SUMMARY_MAX_CHARS} characters` }
  if (NOT_A_SUMMARY.test(summary)) return { ok: false, reason: 'summary talks about instructions or decisions' }
  return { ok: true, summary }
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}
