import { transportFailure } from '../../transport-failure.js'
import { ErpError } from '../../erp-adapter.js'

/**
 * Frappe's failures as ErpErrors. An error reply (API v1) carries `exc_type` (the exception class
 * name, always set: frappe/frappe frappe/utils/response.py report_error) and, when the server
 * said something to the user, `_server_messages`: a JSON list of JSON-encoded {message, title...}.
 * HTTP statuses come from the exception's http_status_code (frappe/exceptions.py):
 * ValidationError 417, AuthenticationError 401, PermissionError 403, DoesNotExistError 404,
 * DuplicateEntryError 409, RateLimitExceededError/TooManyRequestsError 429.
 */
export interface FrappeErrorBody {
  exc_type?: string
  exception?: string
  _server_messages?: string
  message?: unknown
}

/** The sentences Frappe showed the user, without HTML. */
export function serverMessages(body: FrappeErrorBody | null): string[] {
  const out: string[] = []
  try {
    for (const encoded of JSON.parse(body?._server_messages ?? '[]') as string[]) {
      const parsed = JSON.parse(encoded) as { message?: string } | string
      const text = typeof parsed === 'string' ? parsed : parsed.message
      if (text) out.push(text.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim())
    }
  } catch {
    // a malformed list: fall back to the exception line below
  }
  if (!out.length && body?.exception) out.push(body.exception.replace(/^[\w.]+:\s*/, ''))
  return out
}

/** Known messages an accountant should read in Chinese first. */
const KNOWN: { pattern: RegExp; say: (m: RegExpExecArray) => string }[] = [
  { pattern: /Could not find (?:Row #\d+: )?([\w ]+): (.+)/, say: (m) => `ERPNext 中找不到${m[1]}「${m[2]}」，请检查映射` },
  { pattern: /closed Accounting Period|books have been closed|Books have been closed/i, say: () => '会计期间已关闭' },
  { pattern: /Total Debit must be equal to Total Credit/i, say: () => '借贷不平衡' },
  { pattern: /Party Type and Party is required/i, say: () => '应付科目需要往来单位：请配置员工 → ERPNext 员工映射' },
]

function explain(messages: string[]): string {
  const text = messages.join('；')
  for (const known of KNOWN) {
    const match = known.pattern.exec(text)
    if (match) return `${known.say(match)}（ERPNext：${text}）`
  }
  return text
}

/** A duplicate of our unique key field: the document exists already. */
export function isDuplicateKey(status: number, body: FrappeErrorBody | null): boolean {
  return status === 409 || body?.exc_type === 'UniqueValidationError' || body?.exc_type === 'DuplicateEntryError'
}

export function frappeError(status: number, body: FrappeErrorBody | null, raw: string, what: string, write: boolean, retryAfter: string | null): ErpError {
  const messages = serverMessages(body)
  const type = body?.exc_type ?? ''
  const detail = `${what}: HTTP ${status} ${type} ${messages.join(' | ') || raw.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200)}`.trim()
  if (status === 401 || type === 'AuthenticationError') {
    return new ErpError('permanent', 'ERPNext 认证失败：API Key 或 API Secret 错误，或该用户已被禁用。ERPNext rejected the API credentials.', detail)
  }
  if (status === 403 || type === 'PermissionError') {
    return new ErpError('permanent', `ERPNext 权限不足（${what}）：请给对接用户相应角色。The ERPNext user lacks permission.`, detail)
  }
  if (status === 429) {
    const wait = retryAfter ? `（ERPNext 要求 ${retryAfter} 秒后再试）` : ''
    return new ErpError('transient', `ERPNext 调用过于频繁，已被限流${wait}，稍后会重试。ERPNext throttled the call; will retry.`, detail)
  }
  if (/Unknown column '(\w+)'/.test(messages.join(' ') + raw)) {
    const field = /Unknown column '(\w+)'/.exec(messages.join(' ') + raw)![1]
    return new ErpError('permanent', `ERPNext 缺少自定义字段 ${field}：请用"自定义表单"给该单据类型加上唯一字段 ${field}。A custom field is missing in ERPNext.`, detail)
  }
  if (status === 404) {
    return new ErpError('permanent', `ERPNext 中没有 ${what}：请确认已安装相应应用（报销单需要 HRMS）。Not found in ERPNext.`, detail)
  }
  if (status === 504 && write) return new ErpError('unknown', 'ERPNext 网关超时，单据可能已经生成，需要核对后再重试。Gateway timeout; the document may exist.', detail)
  if (status >= 500) return new ErpError('transient', `ERPNext 暂时不可用（HTTP ${status}），稍后会重试。ERPNext is unavailable; will retry.`, detail)
  return new ErpError('permanent', `ERPNext 拒绝了此单据：${explain(messages) || `HTTP ${status}`}。ERPNext rejected the document.`, detail)
}

export function networkError(error: unknown, what: string, write: boolean, timeoutMs: number): ErpError {
  return transportFailure(error, { erp: 'ERPNext', what, write, timeoutMs })
}
