import { transportFailure } from '../../transport-failure.js'
import { ErpError } from '../../erp-adapter.js'

/**
 * K/3 Cloud's failure shapes turned into ErpErrors. Business failures come back with HTTP 200 in
 * `Result.ResponseStatus` (IsSuccess false, Errors[{FieldName, Message, DIndex}], MsgCode); the
 * public gateway answers its own failures with the non-standard HTTP 519 and `{errcode, description_cn}`.
 *
 * MsgCode meanings confirmed by live probes recorded in github.com/adamzhang1987/kingdee-k3cloud-mcp
 * docs/session-auth-experiments.md: 1 = "会话信息已丢失，请重新登录", which means no valid session *and*
 * the credentials failed; 4 = unknown form or bad filter, 8 = empty parameter, 9 = unknown field.
 * The 519 bodies (4002 APP_ID is empty, 4006 X-Api-TimeStamp过期, 5001 API not found) come from a
 * probe of the public gateway quoted in a K/3 Cloud skill reference ("无凭证探测结果").
 */

export interface ResponseStatus {
  IsSuccess?: boolean | string
  ErrorCode?: number | string
  MsgCode?: number | string
  Errors?: { FieldName?: string | null; Message?: string | null; DIndex?: number }[]
  SuccessEntitys?: { Id?: number | string; Number?: string | null; DIndex?: number }[]
}

/** IsSuccess arrives as true or "true" (and "True" from some builds). */
export function succeeded(status: ResponseStatus): boolean {
  return String(status.IsSuccess).toLowerCase() === 'true'
}

export function sessionLost(status: ResponseStatus): boolean {
  return Number(status.MsgCode) === 1
}

/** Locks and network control (网控) clear up by themselves; everything else the ERP said is final. */
const PASSING_CONFLICT = /网络控制|网控|正在被.*(使用|编辑|操作)|锁定|死锁|deadlock|超时/i

export function statusError(status: ResponseStatus, operation: string): ErpError {
  const messages = (status.Errors ?? []).map((e) => (e.Message ?? '').trim()).filter(Boolean)
  const fields = (status.Errors ?? []).map((e) => e.FieldName).filter(Boolean)
  const said = messages.join('；') || `MsgCode ${status.MsgCode ?? '?'}`
  const detail = `${operation}: MsgCode ${status.MsgCode ?? '?'}${fields.length ? ` fields ${fields.join(',')}` : ''} ${said}`
  const code = Number(status.MsgCode)
  if (code === 4 || code === 8 || code === 9) {
    return new ErpError('permanent', `金蝶接口参数有误，请检查对接配置中的表单和字段：${said}（Kingdee rejected the form, field or filter）`, detail)
  }
  if (PASSING_CONFLICT.test(said)) {
    return new ErpError('transient', `金蝶单据正被占用：${said}，稍后会重试（the document is locked in Kingdee; will retry）`, detail)
  }
  return new ErpError('permanent', `金蝶拒绝了此单据：${said}（Kingdee rejected the document）`, detail)
}

export function loginRefused(message: string | undefined, username: string): ErpError {
  return new ErpError(
    'permanent',
    `金蝶登录失败：${message?.trim() || '账套、用户或应用密钥不正确'}，请检查第三方系统登录授权（Kingdee login failed; check the authorization）`,
    `user ${username}`,
  )
}

export function credentialsRefused(operation: string): ErpError {
  return new ErpError(
    'permanent',
    '金蝶拒绝了登录凭据（会话信息已丢失）：请检查账套ID、集成用户、应用ID和应用密钥，以及该用户是否在第三方系统登录授权中（Kingdee refused the credentials）',
    operation,
  )
}

/** HTTP 519 from Kingdee's API gateway. */
export function gatewayError(body: string, operation: string): ErpError {
  let parsed: { errcode?: number; description?: string; description_cn?: string } = {}
  try {
    parsed = JSON.parse(body) as typeof parsed
  } catch {
    // not JSON: keep the raw text in the detail
  }
  const said = parsed.description_cn ?? parsed.description ?? body.slice(0, 200)
  const detail = `${operation}: HTTP 519 errcode ${parsed.errcode ?? '?'} ${parsed.description ?? body.slice(0, 200)}`
  switch (parsed.errcode) {
    case 4006:
      return new ErpError('permanent', `金蝶网关认为请求时间戳已过期：请校准本服务器的系统时钟（${said}）。Kingdee's gateway rejected the timestamp; check the clock.`, detail)
    case 5001:
      return new ErpError('permanent', `金蝶网关找不到该接口，请检查金蝶地址（${said}）。Kingdee's gateway does not know this API; check the URL.`, detail)
    default:
      if (parsed.errcode !== undefined && parsed.errcode >= 4000 && parsed.errcode < 5000) {
        return new ErpError('permanent', `金蝶网关认证失败：${said}，请检查应用ID和应用密钥（Kingdee's gateway refused the credentials）`, detail)
      }
      return new ErpError('transient', `金蝶网关暂时不可用：${said}，稍后会重试（Kingdee's gateway failed; will retry）`, detail)
  }
}

export function httpError(status: number, body: string, operation: string, write: boolean): ErpError {
  const detail = `${operation}: HTTP ${status} ${body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200)}`
  // A wrong 账套ID takes a different path from bad credentials: a non-200 "Fail to verify thirty passport" (same probe as above).
  if (/passport/i.test(body)) return new ErpError('permanent', '金蝶账套ID不正确，请检查数据中心ID（Kingdee does not know this data center）', detail)
  if (status === 429) return new ErpError('transient', '金蝶请求过于频繁，稍后会重试（Kingdee is throttling requests; will retry）', detail)
  if (status === 504 && write) return new ErpError('unknown', '金蝶网关超时，单据可能已经生成，需要核对后再重试（gateway timeout; the document may exist）', detail)
  if (status >= 500) return new ErpError('transient', `金蝶服务器暂时不可用（HTTP ${status}），稍后会重试（Kingdee is unavailable; will retry）`, detail)
  if (status === 404) return new ErpError('permanent', '金蝶地址不正确：找不到 WebAPI 服务，请检查站点地址是否以 /k3cloud/ 结尾（Kingdee WebAPI not found; check the URL）', detail)
  return new ErpError('permanent', `金蝶拒绝了请求（HTTP ${status}），请检查连接设置（Kingdee refused the request）`, detail)
}

export function networkError(error: unknown, operation: string, write: boolean, url: string, timeoutMs: number): ErpError {
  return transportFailure(error, { erp: '金蝶', what: operation, write, timeoutMs, where: url })
}
