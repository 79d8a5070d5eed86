import { ErpError } from '../../erp-adapter.js'
import { erpFetch, joinShared } from '../../erp-fetch.js'

/**
 * A small JSON-RPC client for trytond (6.0 wire protocol): session login, the context dict that
 * every model call carries last, Tryton's typed values, and its error envelope turned into
 * ErpErrors a finance person can read.
 */

export interface TrytonConnection {
  /** Base URL of trytond, e.g. http://127.0.0.1:8000 */
  url: string
  database: string
  username: string
  password: string
  /** Language of Tryton's own messages (zh_CN when the database has it loaded). */
  language: string
  timeoutMs: number
}

/** Tryton's Numeric on the wire; decoded replies carry it as a plain decimal string. */
export function trytonDecimal(value: string): { __class__: 'Decimal'; decimal: string } {
  return { __class__: 'Decimal', decimal: value }
}

/** Tryton's Date on the wire, from YYYY-MM-DD; decoded replies carry dates as YYYY-MM-DD. */
export function trytonDate(isoDate: string): { __class__: 'date'; year: number; month: number; day: number } {
  const [year, month, day] = isoDate.split('-').map(Number)
  if (!year || !month || !day) throw new TypeError(`not a YYYY-MM-DD date: ${isoDate}`)
  return { __class__: 'date', year, month, day }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/** Replaces Tryton's tagged values in a reply by strings: Decimal → "128.50", date → "2026-11-25". */
function decodeTagged(_key: string, value: unknown): unknown {
  if (!value || typeof value !== 'object' || !('__class__' in value)) return value
  const v = value as Record<string, number | string>
  switch (v.__class__) {
    case 'Decimal':
      return String(v.decimal)
    case 'date':
      return `${v.year}-${pad(Number(v.month))}-${pad(Number(v.day))}`
    case 'datetime':
      return `${v.year}-${pad(Number(v.month))}-${pad(Number(v.day))}T${pad(Number(v.hour))}:${pad(Number(v.minute))}:${pad(Number(v.second))}`
    case 'timedelta':
      return Number(v.seconds)
    default:
      return value
  }
}

/** Calls that only read: a timeout there cannot have changed anything in Tryton. */
const READ_ONLY_METHOD = /\.(search|read|search_read|search_count|get_preferences)$|^common\./

type Envelope = { id: number; result?: unknown; error?: unknown }

export class TrytonClient {
  private session: { header: string; context: Record<string, unknown> } | null = null
  /** Parallel calls share one login instead of each opening a session. */
  private pendingLogin: Promise<void> | null = null
  private requestId = 0

  constructor(private readonly connection: TrytonConnection) {}

  /** trytond's version string; needs no login. */
  async serverVersion(): Promise<string> {
    return String(await this.rpc('', 'common.server.version', [], null))
  }

  async login(): Promise<void> {
    const { username, password, language } = this.connection
    const reply = await this.rpc(this.dbPath(), 'common.db.login', [username, { password }, language], null)
    if (!Array.isArray(reply) || typeof reply[0] !== 'number' || typeof reply[1] !== 'string') {
      throw new ErpError('permanent', 'Tryton 登录返回了无法识别的结果。Tryton returned an unexpected login reply.', JSON.stringify(reply))
    }
    const header = `Session ${Buffer.from(`${username}:${reply[0]}:${reply[1]}`).toString('base64')}`
    const preferences = await this.rpc(this.dbPath(), 'model.res.user.get_preferences', [true, {}], header).catch((error: unknown) => {
      throw error instanceof SessionExpired ? sessionRefused('model.res.user.get_preferences') : error
    })
    this.session = { header, context: { ...(preferences as Record<string, unknown>), language } }
  }

  async logout(): Promise<void> {
    if (!this.session) return
    const { header } = this.session
    this.session = null
    await this.rpc(this.dbPath(), 'common.db.logout', [], header).catch(() => undefined)
  }

  /** The user's context (company, employee, language...) as the server gave it at login. */
  async context(signal?: AbortSignal): Promise<Record<string, unknown>> {
    return (await this.ensureSession(signal)).context
  }

  private async ensureSession(signal: AbortSignal | undefined): Promise<{ header: string; context: Record<string, unknown> }> {
    if (!this.session) await joinShared(signal, 'common.db.login', () => (this.pendingLogin ??= this.login().finally(() => (this.pendingLogin = null))))
    return this.session!
  }

  /** Calls `model.<model>.<method>`, with the context appended as the last argument. */
  call<T = unknown>(model: string, method: string, args: unknown[] = [], signal?: AbortSignal): Promise<T> {
    return this.invoke<T>(`model.${model}.${method}`, args, signal)
  }

  /** Calls `wizard.<wizard>.<create|execute|delete>`, which take the context last too. */
  wizard<T = unknown>(wizard: string, method: 'create' | 'execute' | 'delete', args: unknown[] = []): Promise<T> {
    return this.invoke<T>(`wizard.${wizard}.${method}`, args, undefined)
  }

  /** A 401 means the session expired: log in again and retry once (trytond refuses before doing anything). */
  private async invoke<T>(name: string, args: unknown[], signal: AbortSignal | undefined): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const { header, context } = await this.ensureSession(signal)
      try {
        return (await this.rpc(this.dbPath(), name, [...args, context], header, signal)) as T
      } catch (error) {
        if (error instanceof SessionExpired && attempt === 0) {
          this.session = null
          continue
        }
        throw error instanceof SessionExpired ? sessionRefused(name) : error
      }
    }
  }

  search(model: string, domain: unknown[], limit: number | null = null, order: unknown = null, signal?: AbortSignal): Promise<number[]> {
    return this.call<number[]>(model, 'search', [domain, 0, limit, order], signal)
  }

  read<R>(model: string, ids: number[], fields: string[], signal?: AbortSignal): Promise<R[]> {
    return this.call<R[]>(model, 'read', [ids, fields], signal)
  }

  searchRead<R>(model: string, domain: unknown[], fields: string[], limit: number | null = null, signal?: AbortSignal): Promise<R[]> {
    return this.call<R[]>(model, 'search_read', [domain, 0, limit, null, fields], signal)
  }

  create(model: string, values: Record<string, unknown>[], signal?: AbortSignal): Promise<number[]> {
    return this.call<number[]>(model, 'create', [values], signal)
  }

  write(model: string, ids: number[], values: Record<string, unknown>, signal?: AbortSignal): Promise<void> {
    return this.call<void>(model, 'write', [ids, values], signal)
  }

  private dbPath(): string {
    return `${encodeURIComponent(this.connection.database)}/`
  }

  private async rpc(path: string, method: string, params: unknown[], authorization: string | null, signal?: AbortSignal): Promise<unknown> {
    const readOnly = READ_ONLY_METHOD.test(method)
    const url = `${this.connection.url.replace(/\/+$/, '')}/${path}`
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' }
    if (authorization) headers.authorization = authorization
    const { response, text: body } = await erpFetch(
      url,
      { method: 'POST', headers, body: JSON.stringify({ id: ++this.requestId, method, params }) },
      { timeoutMs: this.connection.timeoutMs, signal, what: method, failed: (error) => networkError(error, method, readOnly, this.connection) },
    )
    if (response.status === 401) {
      if (method === 'common.db.login') {
        throw new ErpError('permanent', 'Tryton 登录失败：用户名或密码错误。Tryton login failed: wrong user name or password.', `user ${this.connection.username}`)
      }
      throw new SessionExpired()
    }
    if (!response.ok) throw httpError(response.status, method, readOnly, body)
    let envelope: Envelope
    try {
      envelope = JSON.parse(body, decodeTagged) as Envelope
    } catch {
      throw new ErpError('permanent', `Tryton 返回的不是 JSON-RPC 应答，请检查服务地址。Tryton did not answer in JSON-RPC; check the URL.`, `${method}: ${body.slice(0, 200)}`)
    }
    if (envelope.error !== undefined) throw envelopeError(envelope.error, method)
    return envelope.result
  }
}

class SessionExpired extends Error {}

function sessionRefused(method: string): ErpError {
  return new ErpError('permanent', 'Tryton 拒绝了刚建立的登录会话，请检查该用户的权限。Tryton refused a fresh session; check the user.', method)
}

function networkError(error: unknown, method: string, readOnly: boolean, connection: TrytonConnection): ErpError {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } }
  const code = err.cause?.code ?? err.name ?? 'Error'
  const detail = `${method}: ${code} ${err.cause?.message ?? err.message ?? ''}`.trim()
  const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError'
  const refused = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH'
  if (timedOut && !readOnly) {
    return new ErpError('unknown', `Tryton 在 ${connection.timeoutMs / 1000} 秒内没有应答，单据可能已经生成，需要核对后再重试。Tryton timed out; the document may exist, reconcile before retrying.`, detail)
  }
  if (timedOut) {
    return new ErpError('transient', `Tryton 在 ${connection.timeoutMs / 1000} 秒内没有应答，稍后会重试。Tryton timed out; will retry.`, detail)
  }
  if (refused || readOnly) {
    return new ErpError('transient', `无法连接 Tryton 服务器（${connection.url}），稍后会重试。Cannot reach the Tryton server; will retry.`, detail)
  }
  // The connection broke after the request may have been processed.
  return new ErpError('unknown', 'Tryton 连接中断，单据可能已经生成，需要核对后再重试。The connection to Tryton broke; the document may exist.', detail)
}

function httpError(status: number, method: string, readOnly: boolean, body: string): ErpError {
  const detail = `${method}: HTTP ${status} ${body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200)}`
  if (status === 429) {
    return new ErpError('transient', 'Tryton 因登录失败次数过多暂时拒绝登录，稍后会重试。Too many failed Tryton logins; will retry later.', detail)
  }
  if (status === 403) {
    return new ErpError('permanent', 'Tryton 拒绝访问，请检查该用户的权限。Tryton denied access; check the user rights.', detail)
  }
  if (status === 504 && !readOnly) {
    return new ErpError('unknown', 'Tryton 网关超时，单据可能已经生成，需要核对后再重试。Gateway timeout; the document may exist.', detail)
  }
  if (status >= 500) {
    return new ErpError('transient', `Tryton 服务器暂时不可用（HTTP ${status}），稍后会重试。Tryton is unavailable; will retry.`, detail)
  }
  return new ErpError('permanent', `Tryton 拒绝了请求（HTTP ${status}），请检查连接设置。Tryton refused the request; check the settings.`, detail)
}

/** trytond reports failures as `error: [type, args]` with HTTP 200; the transaction was rolled back. */
function envelopeError(error: unknown, method: string): ErpError {
  const [type, args] = Array.isArray(error) ? error : [String(error), null]
  const parts = Array.isArray(args) ? args : [args]
  const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '')
  switch (type) {
    case 'UserError': {
      const message = [text(parts[0]), text(parts[1])].filter(Boolean).join(' ')
      const readable = MESSAGE_ID.test(message) ? untranslatedMessage(parts[2]) : message
      return new ErpError('permanent', `Tryton 拒绝了此操作：${readable}（Tryton rejected the request）`, `${method}: ${message}`)
    }
    case 'UserWarning': {
      const message = [text(parts[1]), text(parts[2])].filter(Boolean).join(' ')
      return new ErpError('permanent', `Tryton 需要人工确认：${message}（Tryton asks for a confirmation）`, `${method}: ${String(parts[0])}`)
    }
    case 'ConcurrencyException':
      return new ErpError('transient', '该单据正被他人修改，稍后会重试。The record is being edited in Tryton; will retry.', `${method}: ${text(args)}`)
    case 'LoginException':
      return new ErpError('permanent', `Tryton 登录需要额外验证（${text(parts[1])}），该用户不能用于自动过账。The Tryton login asks for more than a password.`, `${method}: ${String(parts[0])}`)
    default: {
      // Any other exception: trytond sends [str(exception), traceback].
      const message = String(type)
      if (/database is locked|could not serialize|deadlock|OperationalError/i.test(message)) {
        return new ErpError('transient', 'Tryton 数据库繁忙，稍后会重试。The Tryton database is busy; will retry.', `${method}: ${message}`)
      }
      return new ErpError('permanent', `Tryton 内部出错：${message}（Tryton server error）`, `${method}: ${message}`)
    }
  }
}

/** A reply text like "ir.msg_domain_validation_record": the translation failed to format (some zh_CN ones in 6.0 do). */
const MESSAGE_ID = /^\w+\.msg_\w+$/

/** Says which fields failed from the domain trytond attaches to validation errors: [domain, {field: {string, help}}]. */
function untranslatedMessage(domain: unknown): string {
  const fields = Array.isArray(domain) && domain[1] && typeof domain[1] === 'object' ? Object.values(domain[1] as Record<string, { string?: string; help?: string }>) : []
  const named = fields.filter((f) => f.string).map((f) => (f.help ? `${f.string}（${f.help.replace(/[.。]$/, '')}）` : f.string))
  return named.length ? `数据不满足 Tryton 的校验条件：${named.join('；')}` : '数据不满足 Tryton 的校验条件'
}
