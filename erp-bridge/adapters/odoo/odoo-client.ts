import { ErpError } from '../../erp-adapter.js'
import { erpFetch, joinShared } from '../../erp-fetch.js'
import { odooException, odooHttpError, odooNetworkError, type OdooException } from './odoo-errors.js'

/**
 * A small client for Odoo's two external APIs, chosen by server version:
 * - JSON-2 (19+): POST /json/2/<model>/<method>, `Authorization: bearer <API key>`,
 *   `X-Odoo-Database`, named arguments plus `ids` and `context`, one transaction per call;
 * - JSON-RPC (≤ 18, deprecated in 19, removal planned for 22): POST /jsonrpc with service
 *   `common` (login → uid) and `object` (execute_kw db, uid, key, model, method, args, kwargs).
 * Both confirmed in odoo/documentation content/developer/reference/external_api.rst (19.0), which
 * also gives GET /web/version → {"version_info": [19, 0, ...]} as the replacement of common.version.
 * Calls are written with named arguments only, which execute_kw takes as kwargs, so one call
 * shape serves both APIs.
 */

export interface OdooConnection {
  url: string
  database: string
  login?: string
  apiKey: string
  protocol: 'auto' | 'jsonrpc' | 'json2'
  language: string
  timeoutMs: number
}

export type OdooParams = { ids?: number[] } & Record<string, unknown>

const READ_ONLY = new Set(['search_read', 'read', 'search', 'search_count', 'fields_get', 'context_get'])

export class OdooClient {
  private server: Promise<{ major: number; api: 'jsonrpc' | 'json2' }> | null = null
  private uid: Promise<number> | null = null
  private requestId = 0

  constructor(private readonly connection: OdooConnection) {}

  /** Major version and the API in use; asked once, for every posting. */
  describe(signal?: AbortSignal): Promise<{ major: number; api: 'jsonrpc' | 'json2' }> {
    return joinShared(signal, 'web/version', () =>
      (this.server ??= this.detect().catch((error: unknown) => {
        this.server = null
        throw error
      })),
    )
  }

  async call<T>(model: string, method: string, params: OdooParams = {}, signal?: AbortSignal): Promise<T> {
    const { api } = await this.describe(signal)
    const context = { lang: this.connection.language, ...((params.context as object) ?? {}) }
    return api === 'json2' ? this.json2<T>(model, method, { ...params, context }, signal) : this.executeKw<T>(model, method, { ...params, context }, signal)
  }

  private async detect(): Promise<{ major: number; api: 'jsonrpc' | 'json2' }> {
    const reply = await this.http('GET', '/web/version', undefined, {}, 'web/version', false)
    let info: unknown[] | undefined
    if (reply.status === 200) info = (JSON.parse(reply.body) as { version_info?: unknown[] }).version_info
    else if (reply.status === 404) info = (await this.rpc<{ server_version_info?: unknown[] }>('common', 'version', [])).server_version_info
    else throw odooHttpError(reply.status, reply.body, 'web/version', false, reply.headers.get('retry-after'))
    const major = Number(info?.[0])
    if (!Number.isInteger(major)) throw new ErpError('permanent', '无法识别 Odoo 版本，请检查地址。Cannot tell the Odoo version; check the URL.', JSON.stringify(info))
    const api = this.connection.protocol === 'auto' ? (major >= 19 ? 'json2' : 'jsonrpc') : this.connection.protocol
    return { major, api }
  }

  private async json2<T>(model: string, method: string, body: OdooParams, signal: AbortSignal | undefined): Promise<T> {
    const what = `${model}.${method}`
    const headers = { authorization: `bearer ${this.connection.apiKey}`, 'x-odoo-database': this.connection.database, 'content-type': 'application/json; charset=utf-8' }
    const reply = await this.http('POST', `/json/2/${model}/${method}`, JSON.stringify(body), headers, what, !READ_ONLY.has(method), signal)
    if (reply.status === 200) return JSON.parse(reply.body) as T
    const exception = parseJson<OdooException>(reply.body)
    // An exception raised by Odoo says what went wrong; a bare HTTP error (werkzeug's, a proxy's) only its status does.
    if (exception?.name && (!exception.name.startsWith('werkzeug.') || reply.status === 401)) throw odooException(exception, what)
    throw odooHttpError(reply.status, reply.body, what, !READ_ONLY.has(method), reply.headers.get('retry-after'))
  }

  /**
   * execute_kw with the cached uid. JSON-RPC is stateless, so "the session" is that uid: when Odoo
   * answers AccessDenied (user re-created, key rotated) the client logs in again, once.
   */
  private async executeKw<T>(model: string, method: string, params: OdooParams, signal: AbortSignal | undefined): Promise<T> {
    const { ids, ...kwargs } = params
    const args = ids ? [ids] : []
    for (let attempt = 0; ; attempt++) {
      const uid = await this.login(signal)
      try {
        return await this.rpc<T>('object', 'execute_kw', [this.connection.database, uid, this.connection.apiKey, model, method, args, kwargs], !READ_ONLY.has(method), signal)
      } catch (error) {
        if (error instanceof AccessDenied && attempt === 0) {
          this.uid = null
          continue
        }
        throw error instanceof AccessDenied ? odooException(error.exception, `${model}.${method}`) : error
      }
    }
  }

  /** One login, for every posting. */
  private login(signal: AbortSignal | undefined): Promise<number> {
    const { login, database, apiKey } = this.connection
    if (!login) return Promise.reject(new ErpError('permanent', '此 Odoo 版本（≤18）用 JSON-RPC 对接，需要填写登录名。Odoo ≤ 18 needs the login.'))
    return joinShared(signal, 'common.login', () =>
      (this.uid ??= this.rpc<number | false>('common', 'login', [database, login, apiKey])
        .then((uid) => {
          if (typeof uid !== 'number') throw new ErpError('permanent', 'Odoo 登录失败：登录名或密码/API 密钥错误。Odoo rejected the credentials.', `login ${login}@${database}`)
          return uid
        })
        .catch((error: unknown) => {
          this.uid = null
          throw error instanceof AccessDenied ? odooException(error.exception, 'common.login') : error
        })),
    )
  }

  private async rpc<T>(service: string, method: string, args: unknown[], write = false, signal?: AbortSignal): Promise<T> {
    const what = service === 'object' ? `${String(args[3])}.${String(args[4])}` : `${service}.${method}`
    const body = JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args }, id: ++this.requestId })
    const reply = await this.http('POST', '/jsonrpc', body, { 'content-type': 'application/json' }, what, write, signal)
    if (reply.status !== 200) throw odooHttpError(reply.status, reply.body, what, write, reply.headers.get('retry-after'))
    const envelope = parseJson<{ result?: T; error?: { code?: number; message?: string; data?: OdooException } }>(reply.body)
    if (!envelope) throw new ErpError('permanent', 'Odoo 返回的不是 JSON-RPC 应答，请检查地址。Odoo did not answer in JSON-RPC.', `${what}: ${reply.body.slice(0, 200)}`)
    if (envelope.error) {
      const exception = envelope.error.data ?? { message: envelope.error.message }
      if (/AccessDenied$/.test(exception.name ?? '')) throw new AccessDenied(exception)
      throw odooException(exception, what)
    }
    return envelope.result as T
  }

  private async http(method: string, path: string, body: string | undefined, headers: Record<string, string>, what: string, write: boolean, signal?: AbortSignal) {
    const { timeoutMs } = this.connection
    const { response, text } = await erpFetch(
      `${this.connection.url.replace(/\/+$/, '')}${path}`,
      { method, headers: { accept: 'application/json', 'user-agent': 'approval-bridge', ...headers }, body },
      { timeoutMs, signal, what, failed: (error) => odooNetworkError(error, what, write, timeoutMs) },
    )
    return { status: response.status, headers: response.headers, body: text }
  }
}

class AccessDenied extends Error {
  constructor(readonly exception: OdooException) {
    super(exception.message)
  }
}

function parseJson<T>(text: string): T | null {
  try {
    return JSON.parse(text) as T
  } catch {
    return null
  }
}
