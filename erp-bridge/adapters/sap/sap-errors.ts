import { transportFailure } from '../../transport-failure.js'
import { ErpError } from '../../erp-adapter.js'

/**
 * SAP's failures as ErpErrors a finance person can read. OData V2 errors come as
 * {"error":{"code","message":{"lang","value"},"innererror":{"errordetails":[{"code","message","severity"}]}}}
 * (confirmed: SAP Gateway error format, as ERP.md §5 and the SAP Cloud SDK describe it).
 */

/** Message classes we can say more about than SAP's own sentence. */
const KNOWN_MESSAGES: { pattern: RegExp; say: string }[] = [
  { pattern: /^F5\/?201$|posting period .* not open|过账期间.*未打开/i, say: '过账期间未打开，请财务在 SAP 中打开该期间' },
  { pattern: /^KI\/?235$|cost cent(er|re) .* (does not exist|is locked|blocked)/i, say: '成本中心不存在或已冻结，请检查部门 → 成本中心映射' },
  { pattern: /^FH\/?\d+$|G\/L account .* (not defined|does not exist|blocked)/i, say: '会计科目在该公司代码下不存在或已冻结，请检查费用类别 → 科目映射' },
  { pattern: /^06\/?\d+$|^ME\/?\d+$/, say: '采购数据不完整或不符合 SAP 的校验' },
]

function explain(code: string, message: string): string {
  const known = KNOWN_MESSAGES.find((k) => k.pattern.test(code) || k.pattern.test(message))
  return known ? `${known.say}（SAP：${message}）` : message
}

interface ODataErrorBody {
  error?: {
    code?: string
    message?: { value?: string } | string
    innererror?: { errordetails?: { code?: string; message?: string; severity?: string }[] }
  }
}

/** The SAP sentence(s) of an OData error body, most specific first, without repeats. */
export function odataMessages(body: string): { code: string; messages: string[] } {
  try {
    const parsed = JSON.parse(body) as ODataErrorBody
    const error = parsed.error
    if (error) {
      const top = typeof error.message === 'string' ? error.message : (error.message?.value ?? '')
      const details = (error.innererror?.errordetails ?? []).filter((d) => d.severity !== 'info' && d.message).map((d) => d.message!)
      return { code: error.code ?? '', messages: [...new Set([top, ...details].filter(Boolean))] }
    }
  } catch {
    // not JSON: an HTML or XML page from the gateway or a proxy
  }
  const text = body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300)
  return { code: '', messages: text ? [text] : [] }
}

/** An HTTP failure of an OData or SOAP call. `write` is true when the call may have changed data. */
export function sapHttpError(status: number, body: string, what: string, write: boolean, retryAfter: string | null): ErpError {
  const { code, messages } = odataMessages(body)
  const detail = `${what}: HTTP ${status} ${code} ${messages.join(' | ')}`.trim()
  if (status === 401) {
    return new ErpError('permanent', 'SAP 登录失败：用户名/密码或 OAuth 凭据错误，或通信用户已被锁定。SAP rejected the credentials.', detail)
  }
  if (status === 403) {
    return new ErpError('permanent', `SAP 拒绝访问：该通信用户没有此服务的权限（${what}）。SAP denied access; check the communication arrangement or roles.`, detail)
  }
  if (status === 404) {
    return new ErpError('permanent', `SAP 上找不到该服务或单据（${what}），请检查服务是否已激活、地址是否正确。SAP service not found; is it activated?`, detail)
  }
  if (status === 429) {
    const wait = retryAfter ? `（SAP 要求 ${retryAfter} 秒后再试）` : ''
    return new ErpError('transient', `SAP 调用过于频繁，已被限流${wait}，稍后会重试。SAP throttled the call; will retry.`, detail)
  }
  if (status === 504 && write) {
    return new ErpError('unknown', 'SAP 网关超时，单据可能已经生成，需要核对后再重试。SAP gateway timeout; the document may exist.', detail)
  }
  if (status >= 500) {
    return new ErpError('transient', `SAP 暂时不可用（HTTP ${status}），稍后会重试。SAP is unavailable; will retry.`, detail)
  }
  const said = messages.length ? explain(code, messages.join('；')) : `HTTP ${status}`
  return new ErpError('permanent', `SAP 拒绝了此单据：${said}。SAP rejected the document.`, detail)
}

/** A journal entry the SOAP service answered with errors in its log (nothing was posted). */
export function journalEntryRejected(notes: { typeId: string; note: string }[]): ErpError {
  const said = notes.map((n) => explain(n.typeId, n.note)).join('；') || '未给出原因'
  return new ErpError('permanent', `SAP 拒绝了此凭证：${said}。SAP rejected the journal entry.`, notes.map((n) => `${n.typeId} ${n.note}`).join(' | '))
}

/** A transport failure: no HTTP answer at all. */
export function sapNetworkError(error: unknown, what: string, write: boolean, timeoutMs: number): ErpError {
  return transportFailure(error, { erp: 'SAP', what, write, timeoutMs })
}
