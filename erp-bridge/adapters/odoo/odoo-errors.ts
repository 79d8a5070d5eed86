import { transportFailure } from '../../transport-failure.js'
import { ErpError } from '../../erp-adapter.js'

/**
 * Odoo's failures as ErpErrors. Both APIs describe an exception the same way,
 * {name, message, arguments, context, debug}: JSON-RPC inside `error.data` with HTTP 200
 * (confirmed: odoo/odoo odoo/http.py JsonRPCDispatcher.handle_error, code 200 "Odoo Server Error",
 * 100 "Odoo Session Expired"), JSON-2 as the body of a 4xx/5xx (confirmed: odoo/documentation
 * content/developer/reference/external_api.rst, "Response").
 */
export interface OdooException {
  name?: string
  message?: string
  arguments?: unknown[]
}

/** Exceptions a retry can get past: lock and serialisation conflicts, a database that went away. */
const TRANSIENT = /SerializationFailure|LockNotAvailable|ConcurrencyError|TransactionRollbackError|OperationalError|InterfaceError|could not serialize|deadlock/i

export function odooException(exception: OdooException, what: string): ErpError {
  const name = exception.name ?? ''
  const message = (exception.message ?? String(exception.arguments?.[0] ?? '')).trim()
  const detail = `${what}: ${name} ${message}`.trim()
  if (/AccessDenied$/.test(name) || /Unauthorized$/.test(name)) {
    return new ErpError('permanent', 'Odoo 登录失败：登录名或 API 密钥错误，或密钥已过期。Odoo rejected the credentials.', detail)
  }
  if (/AccessError$/.test(name)) {
    return new ErpError('permanent', `Odoo 权限不足：${message}。请给对接用户相应权限。The Odoo user lacks access rights.`, detail)
  }
  if (/(UserError|ValidationError|MissingError|RedirectWarning)$/.test(name)) {
    return new ErpError('permanent', `Odoo 拒绝了此单据：${message}。Odoo rejected the document.`, detail)
  }
  if (TRANSIENT.test(name) || TRANSIENT.test(message)) {
    return new ErpError('transient', '该单据正被 Odoo 中的其他操作修改，稍后会重试。A concurrent change in Odoo blocked the write; will retry.', detail)
  }
  if (/ValueError$|KeyError$|TypeError$/.test(name)) {
    // Wrong field or model names: a version or module mismatch, not something a retry fixes.
    return new ErpError('permanent', `Odoo 不接受此请求（${message}），请确认 Odoo 版本与已安装模块。Odoo refused the call; check the version and installed apps.`, detail)
  }
  return new ErpError('permanent', `Odoo 内部出错：${message || name}。Odoo server error.`, detail)
}

/** An HTTP status without an Odoo exception body (proxies, gateways), or one the status says more about. */
export function odooHttpError(status: number, body: string, what: string, write: boolean, retryAfter: string | null): ErpError {
  const detail = `${what}: HTTP ${status} ${body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200)}`
  if (status === 429) {
    const wait = retryAfter ? `（Odoo 要求 ${retryAfter} 秒后再试）` : ''
    return new ErpError('transient', `Odoo 调用过于频繁，已被限流${wait}，稍后会重试。Odoo throttled the call; will retry.`, detail)
  }
  if (status === 504 && write) {
    return new ErpError('unknown', 'Odoo 网关超时，单据可能已经生成，需要核对后再重试。Gateway timeout; the document may exist.', detail)
  }
  if (status >= 500) return new ErpError('transient', `Odoo 暂时不可用（HTTP ${status}），稍后会重试。Odoo is unavailable; will retry.`, detail)
  if (status === 404) return new ErpError('permanent', `Odoo 上找不到该接口（${what}），请检查地址、数据库名和已安装的模块。Not found in Odoo.`, detail)
  return new ErpError('permanent', `Odoo 拒绝了请求（HTTP ${status}），请检查连接设置。Odoo refused the request.`, detail)
}

export function odooNetworkError(error: unknown, what: string, write: boolean, timeoutMs: number): ErpError {
  return transportFailure(error, { erp: 'Odoo', what, write, timeoutMs })
}
