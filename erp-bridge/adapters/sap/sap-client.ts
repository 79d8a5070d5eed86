import { ErpError } from '../../erp-adapter.js'
import { erpFetch, joinShared } from '../../erp-fetch.js'
import type { SapAuth } from './sap-config.js'
import { sapHttpError, sapNetworkError } from './sap-errors.js'

/**
 * A small client for SAP S/4HANA's OData V2 services and its SOAP services, written against
 * SAP Gateway's documented behaviour (confirmed in the SAP Cloud SDK docs, "CSRF Fetching",
 * sap.github.io/cloud-sdk/docs/js/features/connectivity/csrf, and SAP Gateway's CSRF guide
 * mirrored at blog.csdn.net/wangbanmin/article/details/130423066):
 * - a write needs an x-csrf-token fetched with `x-csrf-token: Fetch` on a GET, sent back together
 *   with the session cookies of that GET;
 * - an expired session or token answers 403 with `x-csrf-token: Required`: fetch again, retry once.
 * Basic (communication user) or OAuth2 client credentials; the bearer token is cached until shortly
 * before it expires and fetched again once if SAP answers 401.
 */

export interface SapConnection {
  url: string
  auth: SapAuth
  sapClient?: string
  language: string
  timeoutMs: number
}

type Sent = { status: number; headers: Headers; body: string }

const ODATA_ROOT = '/sap/opu/odata/sap'

export class SapClient {
  /** Session cookies (SAP_SESSIONID_*, sap-usercontext...) by name; SAP binds the CSRF token to them. */
  private readonly cookies = new Map<string, string>()
  /** CSRF token per OData service. */
  private readonly csrfTokens = new Map<string, string>()
  private bearer: { token: string; expiresAt: number } | null = null
  private pendingBearer: Promise<string> | null = null

  constructor(private readonly connection: SapConnection) {}

  /** GET on an entity set; returns the `d.results` rows (or `d` for a single entity). */
  async odataGet<T>(service: string, resource: string, query: Record<string, string>, signal: AbortSignal | undefined): Promise<T> {
    const sent = await this.send('GET', this.odataUrl(service, resource, { ...query, $format: 'json' }), {}, undefined, `${service}/${resource}`, false, signal)
    return unwrap<T>(sent, `${service}/${resource}`)
  }

  /** POST a (deep) insert with the service's CSRF token; a stale token is fetched again once. */
  async odataCreate<T>(service: string, entitySet: string, body: unknown, signal: AbortSignal | undefined): Promise<T> {
    const what = `${service}/${entitySet}`
    for (let attempt = 0; ; attempt++) {
      const token = this.csrfTokens.get(service) ?? (await this.fetchCsrfToken(service, signal))
      const sent = await this.send('POST', this.odataUrl(service, entitySet), { 'x-csrf-token': token, 'content-type': 'application/json' }, JSON.stringify(body), what, true, signal)
      if (sent.status === 403 && sent.headers.get('x-csrf-token')?.toLowerCase() === 'required') {
        this.csrfTokens.delete(service)
        if (attempt === 0) continue
        throw new ErpError('permanent', 'SAP 不接受刚获取的 CSRF 令牌，请检查网络代理是否丢弃了会话 Cookie。SAP refused a fresh CSRF token.', `${what}: 403 Required twice`)
      }
      return unwrap<T>(sent, what, true)
    }
  }

  /** Fetches a CSRF token with a GET on the service root; also proves the credentials and that the service is active. */
  async fetchCsrfToken(service: string, signal?: AbortSignal): Promise<string> {
    const what = `${service} (CSRF)`
    const sent = await this.send('GET', this.odataUrl(service, ''), { 'x-csrf-token': 'Fetch' }, undefined, what, false, signal)
    if (sent.status >= 400) throw sapHttpError(sent.status, sent.body, what, false, sent.headers.get('retry-after'))
    const token = sent.headers.get('x-csrf-token')
    if (!token || token.toLowerCase() === 'required') {
      throw new ErpError('permanent', `SAP 没有发放 CSRF 令牌（${service}），无法写入。SAP issued no CSRF token.`, what)
    }
    this.csrfTokens.set(service, token)
    return token
  }

  /** POSTs a SOAP envelope; returns the reply XML. SAP's SOAP runtime needs no CSRF token. */
  async soap(path: string, soapAction: string, envelope: string, signal: AbortSignal | undefined): Promise<string> {
    const url = this.withParams(`${this.base()}${path}`, {})
    const sent = await this.send('POST', url, { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${soapAction}"` }, envelope, path, true, signal)
    if (sent.status === 200) return sent.body
    const fault = /<(?:\w+:)?faultstring[^>]*>([\s\S]*?)<\/(?:\w+:)?faultstring>/.exec(sent.body)?.[1]
    if (fault && sent.status === 500) {
      // A SOAP fault is the runtime refusing the message (schema, authorisation) before posting anything.
      throw new ErpError('permanent', `SAP 拒绝了此凭证报文：${decodeXml(fault)}。SAP rejected the SOAP message.`, `${path}: ${fault}`)
    }
    throw sapHttpError(sent.status, sent.body, path, true, sent.headers.get('retry-after'))
  }

  private base(): string {
    return this.connection.url.replace(/\/+$/, '')
  }

  private odataUrl(service: string, resource: string, query: Record<string, string> = {}): string {
    return this.withParams(`${this.base()}${ODATA_ROOT}/${service}/${resource}`, query)
  }

  private withParams(url: string, query: Record<string, string>): string {
    const params = new URLSearchParams(query)
    if (this.connection.sapClient) params.set('sap-client', this.connection.sapClient)
    params.set('sap-language', this.connection.language)
    // OData system query options keep their $ unescaped, as SAP's own clients send them.
    return `${url}?${params.toString().replace(/%24/g, '$')}`
  }

  private async send(method: string, url: string, headers: Record<string, string>, body: string | undefined, what: string, write: boolean, signal: AbortSignal | undefined): Promise<Sent> {
    const { timeoutMs } = this.connection
    for (let attempt = 0; ; attempt++) {
      const authorization = await this.authorization(signal)
      const { response, text } = await erpFetch(
        url,
        { method, headers: { accept: 'application/json', ...headers, authorization, ...(this.cookies.size ? { cookie: this.cookieHeader() } : {}) }, body },
        { timeoutMs, signal, what, failed: (error) => sapNetworkError(error, what, write, timeoutMs) },
      )
      this.keepCookies(response.headers)
      if (response.status === 401 && this.connection.auth.kind === 'oauth2' && attempt === 0) {
        // The bearer token expired early (or was revoked): fetch a new one, once.
        this.bearer = null
        continue
      }
      return { status: response.status, headers: response.headers, body: text }
    }
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  private keepCookies(headers: Headers): void {
    for (const cookie of headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const at = pair!.indexOf('=')
      if (at > 0) this.cookies.set(pair!.slice(0, at).trim(), pair!.slice(at + 1).trim())
    }
  }

  private async authorization(signal: AbortSignal | undefined): Promise<string> {
    const auth = this.connection.auth
    if (auth.kind === 'basic') return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`
    if (this.bearer && this.bearer.expiresAt > Date.now()) return `Bearer ${this.bearer.token}`
    const token = await joinShared(signal, 'OAuth token', () => (this.pendingBearer ??= this.fetchBearer(auth).finally(() => (this.pendingBearer = null))))
    return `Bearer ${token}`
  }

  /** OAuth2 client credentials (RFC 6749 §4.4) with the client authenticating by HTTP Basic. */
  private async fetchBearer(auth: Extract<SapAuth, { kind: 'oauth2' }>): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' })
    if (auth.scope) form.set('scope', auth.scope)
    const { timeoutMs } = this.connection
    const { response, text } = await erpFetch(
      auth.tokenUrl,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: `Basic ${Buffer.from(`${auth.clientId}:${auth.clientSecret}`).toString('base64')}` },
        body: form.toString(),
      },
      { timeoutMs, what: 'OAuth token', failed: (error) => sapNetworkError(error, 'OAuth token', false, timeoutMs) },
    )
    if (response.status === 400 || response.status === 401) {
      throw new ErpError('permanent', 'SAP OAuth 令牌申请被拒：clientId 或 clientSecret 错误。The OAuth client credentials were rejected.', `token: HTTP ${response.status} ${text.slice(0, 200)}`)
    }
    if (!response.ok) throw sapHttpError(response.status, text, 'OAuth token', false, response.headers.get('retry-after'))
    const reply = JSON.parse(text) as { access_token?: string; expires_in?: number }
    if (!reply.access_token) throw new ErpError('permanent', 'SAP OAuth 服务没有返回令牌。The OAuth server returned no token.', text.slice(0, 200))
    // Refresh a minute early so a token never expires between our check and SAP's.
    this.bearer = { token: reply.access_token, expiresAt: Date.now() + Math.max(0, (reply.expires_in ?? 600) - 60) * 1000 }
    return reply.access_token
  }
}

function unwrap<T>(sent: Sent, what: string, write = false): T {
  if (sent.status >= 400) throw sapHttpError(sent.status, sent.body, what, write, sent.headers.get('retry-after'))
  let reply: { d?: { results?: unknown } }
  try {
    reply = JSON.parse(sent.body) as typeof reply
  } catch {
    throw new ErpError('permanent', 'SAP 返回的不是 OData JSON，请检查服务地址。SAP did not answer in OData JSON; check the URL.', `${what}: ${sent.body.slice(0, 200)}`)
  }
  const d = reply.d
  return (d && typeof d === 'object' && 'results' in d ? d.results : d) as T
}

export function decodeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&')
}
