import { transportFailure } from '../../transport-failure.js'
import { ErpError } from '../../erp-adapter.js'

/**
 * YonBIP's reply codes as ErpErrors. Business replies are `{code, message, data}` with HTTP 200 and
 * `code` a string or a number; "200" is success, the auth endpoints use "00000".
 *
 * Platform codes, from a YonBIP skill reference built on open.yonyoucloud.com plus an unauthenticated
 * probe (2026-09-11): 310001 no token, 310036 非法token (HTTP 200), 310404 unknown path (HTTP 404,
 * checked before the token), 10018 应用不存在或appKey已停用 on the token endpoint; throttling 310032,
 * 310039, 310042, 310046 (back off). Duplicate submissions: the MDD 幂等 page and the code table
 * disagree (100004 vs 10004), and 310504/310074 mark an existing voucher in one integration's
 * handling code; all are UNCONFIRMED, so a duplicate always triggers a lookup rather than trust.
 */

export interface YonyouReply {
  code?: string | number
  message?: string
  data?: unknown
}

export const TOKEN_REJECTED = new Set(['310001', '310036'])
export const THROTTLED = new Set(['310032', '310039', '310042', '310046'])
export const DUPLICATE = new Set(['10004', '100004', '310504', '310074'])

export function succeeded(reply: YonyouReply): boolean {
  const code = String(reply.code)
  return code === '200' || code === '00000'
}

/** Raised for a duplicate submission, so the adapter can fetch what the first submission created. */
export class DuplicateSubmission extends Error {
  constructor(
    readonly code: string,
    readonly erpMessage: string,
  ) {
    super(`duplicate submission ${code}: ${erpMessage}`)
  }
}

export function replyError(reply: YonyouReply, operation: string): ErpError {
  const code = String(reply.code ?? '?')
  const said = (reply.message ?? '').trim() || `code ${code}`
  const detail = `${operation}: code ${code} ${said}`
  if (THROTTLED.has(code)) return new ErpError('transient', `用友接口调用过于频繁（限流 ${code}），稍后会重试（YonBIP is throttling; will retry）`, detail)
  if (code === '310404') return new ErpError('permanent', `用友开放平台没有这个接口（${said}），请检查数据中心和接口权限（unknown YonBIP API）`, detail)
  if (TOKEN_REJECTED.has(code)) return new ErpError('permanent', `用友拒绝了刚取得的访问令牌（${said}），请检查应用授权（YonBIP refused a fresh token）`, detail)
  return new ErpError('permanent', `用友拒绝了此单据：${said}（YonBIP rejected the document）`, detail)
}

export function credentialsRefused(reply: YonyouReply, appKey: string): ErpError {
  const code = String(reply.code ?? '?')
  const said = (reply.message ?? '').trim() || `code ${code}`
  return new ErpError('permanent', `用友拒绝了应用凭据：${said}，请检查 appKey 和 appSecret（YonBIP refused the app credentials）`, `getAccessToken ${appKey}: code ${code}`)
}

export function tenantUnknown(reply: YonyouReply, tenantId: string): ErpError {
  return new ErpError('permanent', `用友找不到租户 ${tenantId} 的数据中心：${reply.message ?? reply.code}，请检查租户ID（unknown YonBIP tenant）`, `getGatewayAddress ${tenantId}: code ${reply.code}`)
}

export function httpError(status: number, body: string, operation: string, write: boolean): ErpError {
  const detail = `${operation}: HTTP ${status} ${body.replace(/\s+/g, ' ').trim().slice(0, 200)}`
  if (status === 429) return new ErpError('transient', '用友接口调用过于频繁，稍后会重试（YonBIP is throttling; will retry）', detail)
  if (status === 504 && write) return new ErpError('unknown', '用友网关超时，单据可能已经生成，需要核对后再重试（gateway timeout; the document may exist）', detail)
  if (status >= 500) return new ErpError('transient', `用友服务暂时不可用（HTTP ${status}），稍后会重试（YonBIP is unavailable; will retry）`, detail)
  return new ErpError('permanent', `用友拒绝了请求（HTTP ${status}），请检查连接设置（YonBIP refused the request）`, detail)
}

export function networkError(error: unknown, operation: string, write: boolean, timeoutMs: number): ErpError {
  return transportFailure(error, { erp: '用友', what: operation, write, timeoutMs })
}
