import { ErpError } from '../../erp-adapter.js'
import { erpFetch, joinShared } from '../../erp-fetch.js'
import { loginSign, signatureHeaders } from './kingdee-auth.js'
import {
  credentialsRefused,
  gatewayError,
  httpError,
  loginRefused,
  networkError,
  sessionLost,
  statusError,
  succeeded,
  type ResponseStatus,
} from './kingdee-errors.js'

/**
 * A small client for the K/3 Cloud WebAPI: `POST {site}/Kingdee.BOS.WebApi.ServicesStub.<Service>.<Op>.common.kdsvc`.
 *
 * Request bodies use the named form of the official Python SDK 8.x, `{"formid": F, "data": {...}}`
 * (k3cloud_webapi_sdk/main.py in github.com/takewiki/k3cloud_webapi_sdk); the Java SDK posts the same
 * values positionally as `{"parameters": [F, data]}` (K3CloudApi.java in github.com/leoluonet/k3cloud-webapi-sdk).
 * Logins take positional `{"parameters": [acctId, user, appId, appSecret, lcid]}`.
 *
 * The session is the `kdservice-sessionid` cookie (plus ASP.NET_SessionId), replayed as a cookie and
 * as a header the way the SDKs do. A valid session takes precedence over signature headers, and when
 * it is gone the server answers MsgCode 1; then we log in (or re-sign) once and repeat the call, which
 * is safe because the server refused it before doing anything.
 */

export interface KingdeeConnection {
  url: string
  acctId: string
  username: string
  authMode: 'signedHeaders' | 'loginBySign' | 'appSecret'
  appId: string
  appSecret: string
  signHash: 'sha256' | 'sha1'
  lcid: number
  orgNumber: string
  timeoutMs: number
}

export interface SavedBill {
  id: string
  number: string
}

export interface BillQuery {
  FormId: string
  FieldKeys: string
  FilterString: string
  TopRowCount?: number
  Limit?: number
}

const STUB = 'Kingdee.BOS.WebApi.ServicesStub'

type Reply = { status: number; body: string }

export class KingdeeClient {
  private readonly cookies = new Map<string, string>()
  private loggedIn = false
  /** Parallel calls share one login. */
  private pendingLogin: Promise<void> | null = null

  constructor(private readonly connection: KingdeeConnection) {}

  /** Save one bill; the new bill's inner id and number. */
  async save(formId: string, data: Record<string, unknown>, signal?: AbortSignal): Promise<SavedBill> {
    const reply = await this.form('DynamicFormService.Save', { formid: formId, data }, true, signal)
    const entity = reply.status.SuccessEntitys?.find((e) => (e.DIndex ?? 0) === 0) ?? reply.status.SuccessEntitys?.[0]
    const id = entity?.Id ?? reply.result.Id
    const number = entity?.Number ?? reply.result.Number
    if (id === undefined || id === '' || !number) {
      throw new ErpError('unknown', '金蝶保存成功但没有返回单据编号，需要核对（Kingdee saved without returning a number）', JSON.stringify(reply.result).slice(0, 300))
    }
    return { id: String(id), number: String(number) }
  }

  /** Submit or Audit bills by inner id. */
  async operate(operation: 'Submit' | 'Audit', formId: string, ids: string[], signal?: AbortSignal): Promise<void> {
    await this.form(`DynamicFormService.${operation}`, { formid: formId, data: { Ids: ids.join(',') } }, true, signal)
  }

  /** ExecuteBillQuery: rows as arrays in FieldKeys order. */
  async billQuery(query: BillQuery, signal?: AbortSignal): Promise<unknown[][]> {
    const data = { TopRowCount: 0, StartRow: 0, Limit: 2000, OrderString: '', ...query }
    for (let attempt = 0; ; attempt++) {
      await this.ensureSession(signal)
      const parsed = this.parse(await this.send('DynamicFormService.ExecuteBillQuery', { data }, false, signal), 'ExecuteBillQuery')
      // Success is a bare 2-D array; failure is the usual envelope wrapped as [[{Result:{...}}]].
      const status = Array.isArray(parsed) ? envelopeStatus(parsed[0]?.[0]) : envelopeStatus(parsed)
      if (status && !succeeded(status)) {
        if (sessionLost(status) && attempt === 0) {
          this.dropSession()
          continue
        }
        throw sessionLost(status) ? credentialsRefused('ExecuteBillQuery') : statusError(status, `ExecuteBillQuery ${query.FormId}`)
      }
      if (!Array.isArray(parsed)) throw unreadable('ExecuteBillQuery', parsed, 'permanent')
      return parsed as unknown[][]
    }
  }

  /** Logs in now (session modes), so 测试连接 reports bad credentials as such. */
  async login(): Promise<void> {
    const { authMode, acctId, username, appId, appSecret, lcid } = this.connection
    if (authMode === 'signedHeaders') return
    this.cookies.clear()
    let parameters: unknown[]
    let service: string
    if (authMode === 'appSecret') {
      service = 'AuthService.LoginByAppSecret'
      parameters = [acctId, username, appId, appSecret, lcid]
    } else {
      service = 'AuthService.LoginBySign'
      const timestamp = Math.floor(Date.now() / 1000)
      parameters = [acctId, username, appId, timestamp, loginSign({ acctId, username, appId, appSecret, timestamp }, this.connection.signHash), lcid]
    }
    const reply = this.parse(await this.send(service, { parameters }, false), service) as { LoginResultType?: number; KDSVCSessionId?: string; Message?: string }
    if (Number(reply?.LoginResultType) !== 1) throw loginRefused(reply?.Message, username)
    if (!this.cookies.has('kdservice-sessionid') && reply.KDSVCSessionId) this.cookies.set('kdservice-sessionid', reply.KDSVCSessionId)
    this.loggedIn = true
  }

  private async ensureSession(signal: AbortSignal | undefined): Promise<void> {
    if (this.connection.authMode === 'signedHeaders' || this.loggedIn) return
    await joinShared(signal, 'login', () => (this.pendingLogin ??= this.login().finally(() => (this.pendingLogin = null))))
  }

  private dropSession(): void {
    this.loggedIn = false
    this.cookies.clear()
  }

  /** A DynamicFormService call answered with the `{Result:{ResponseStatus}}` envelope. */
  private async form(service: string, body: unknown, write: boolean, signal: AbortSignal | undefined): Promise<{ status: ResponseStatus; result: { Id?: unknown; Number?: unknown } }> {
    const operation = `${service.split('.').pop()} ${(body as { formid?: string }).formid ?? ''}`.trim()
    for (let attempt = 0; ; attempt++) {
      await this.ensureSession(signal)
      const parsed = this.parse(await this.send(service, body, write, signal), operation)
      const status = envelopeStatus(parsed)
      if (!status) throw unreadable(operation, parsed, write ? 'unknown' : 'permanent')
      if (!succeeded(status)) {
        if (sessionLost(status) && attempt === 0) {
          this.dropSession()
          continue
        }
        throw sessionLost(status) ? credentialsRefused(operation) : statusError(status, operation)
      }
      return { status, result: (parsed as { Result: { Id?: unknown; Number?: unknown } }).Result }
    }
  }

  private parse(reply: Reply, operation: string): unknown {
    if (reply.body.startsWith('response_error:')) {
      // The SDKs treat this prefix as a server-side exception message.
      throw new ErpError('permanent', `金蝶服务端出错：${reply.body.slice('response_error:'.length).trim().slice(0, 200)}（Kingdee server error）`, operation)
    }
    try {
      return JSON.parse(reply.body)
    } catch {
      throw new ErpError('permanent', '金蝶返回的不是 JSON，请检查站点地址（Kingdee did not answer in JSON; check the URL）', `${operation}: ${reply.body.slice(0, 200)}`)
    }
  }

  private async send(service: string, body: unknown, write: boolean, signal?: AbortSignal): Promise<Reply> {
    const url = `${this.connection.url.replace(/\/+$/, '')}/${STUB}.${service}.common.kdsvc`
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', 'accept-charset': 'utf-8' }
    if (this.connection.authMode === 'signedHeaders') Object.assign(headers, signatureHeaders(url, this.connection, Math.floor(Date.now() / 1000)))
    const sid = this.cookies.get('kdservice-sessionid')
    if (sid) headers['kdservice-sessionid'] = sid
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    const { timeoutMs } = this.connection
    const { response, text } = await erpFetch(
      url,
      { method: 'POST', headers, body: JSON.stringify(body) },
      { timeoutMs, signal, what: service, failed: (error) => networkError(error, service, write, this.connection.url, timeoutMs) },
    )
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const eq = pair!.indexOf('=')
      if (eq > 0) this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim())
    }
    if (response.status === 519) throw gatewayError(text, service)
    // The SDKs accept 200 and 206 as answers.
    if (response.status !== 200 && response.status !== 206) throw httpError(response.status, text, service, write)
    return { status: response.status, body: text }
  }
}

function envelopeStatus(value: unknown): ResponseStatus | null {
  const status = (value as { Result?: { ResponseStatus?: unknown } } | null)?.Result?.ResponseStatus
  return status && typeof status === 'object' ? (status as ResponseStatus) : null
}

/** An unreadable answer to a write may hide a saved bill, hence `unknown`. */
function unreadable(operation: string, value: unknown, kind: 'unknown' | 'permanent'): ErpError {
  return new ErpError(kind, '金蝶返回了无法识别的结果，需要核对（Kingdee returned an unexpected reply）', `${operation}: ${JSON.stringify(value).slice(0, 300)}`)
}
