import { ErpError } from '../../erp-adapter.js'
import { erpFetch, joinShared } from '../../erp-fetch.js'
import { tokenSignature } from './yonyou-auth.js'
import {
  credentialsRefused,
  DUPLICATE,
  DuplicateSubmission,
  httpError,
  networkError,
  replyError,
  succeeded,
  tenantUnknown,
  TOKEN_REJECTED,
  type YonyouReply,
} from './yonyou-errors.js'

/**
 * A small client for the YonBIP open platform: look up the tenant's data center, get a 自建应用 token
 * (2 h, refreshed before it runs out), and call `{gatewayUrl}/yonbip/...?access_token=…` — the token
 * goes in the query string, not a header. A rejected token (310001/310036) is fetched anew once and
 * the call repeated; the gateway refuses those before the API runs, so repeating is safe.
 *
 * Paths: getGatewayAddress returns `data.gatewayUrl` (…/iuap-api-gateway) and `data.tokenUrl`
 * (…/iuap-api-auth); the token is `GET {tokenUrl}/open-auth/selfAppAuth/base/v1/getAccessToken`.
 * Confirmed by the YonBIP skill reference ("当前事实" table) and independent client code
 * (a Java AccessTokenUtils.getAccessTokenV2, a TypeScript DataCenterService, a Python c4 helper).
 */

export interface YonyouConnection {
  tenantId: string
  appKey: string
  appSecret: string
  discoveryUrl: string
  timeoutMs: number
}

type Hosts = { gatewayUrl: string; tokenUrl: string }

export class YonyouClient {
  private hosts: Hosts | null = null
  private token: { value: string; refreshAt: number } | null = null
  /** Parallel calls share one token request. */
  private pendingToken: Promise<string> | null = null

  constructor(private readonly connection: YonyouConnection) {}

  /** POST a business API under the gateway; its `data` on success. */
  async post<T = unknown>(path: string, body: unknown, write: boolean, signal?: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken(signal)
      const { gatewayUrl } = await this.gateway(signal)
      const url = `${gatewayUrl}${path}?access_token=${encodeURIComponent(token)}`
      const reply = await this.request(url, path, write, body, signal)
      if (succeeded(reply)) return reply.data as T
      const code = String(reply.code)
      if (TOKEN_REJECTED.has(code) && attempt === 0) {
        this.token = null
        continue
      }
      if (DUPLICATE.has(code)) throw new DuplicateSubmission(code, reply.message ?? '')
      throw replyError(reply, path)
    }
  }

  /** The tenant's gateway and token hosts, looked up once. */
  async gateway(signal?: AbortSignal): Promise<Hosts> {
    if (this.hosts) return this.hosts
    const { discoveryUrl, tenantId } = this.connection
    const url = `${discoveryUrl.replace(/\/+$/, '')}/open-auth/dataCenter/getGatewayAddress?tenantId=${encodeURIComponent(tenantId)}`
    const reply = await this.request(url, 'getGatewayAddress', false, undefined, signal)
    const data = reply.data as Partial<Hosts> | undefined
    if (!succeeded(reply) || !data?.gatewayUrl || !data.tokenUrl) throw tenantUnknown(reply, tenantId)
    this.hosts = { gatewayUrl: data.gatewayUrl.replace(/\/+$/, ''), tokenUrl: data.tokenUrl.replace(/\/+$/, '') }
    return this.hosts
  }

  async accessToken(signal?: AbortSignal): Promise<string> {
    if (this.token && Date.now() < this.token.refreshAt) return this.token.value
    return joinShared(signal, 'getAccessToken', () => (this.pendingToken ??= this.fetchToken().finally(() => (this.pendingToken = null))))
  }

  private async fetchToken(): Promise<string> {
    const { appKey, appSecret } = this.connection
    const { tokenUrl } = await this.gateway()
    const timestamp = Date.now()
    // URLSearchParams encodes the base64 signature exactly once, as the platform expects.
    const query = new URLSearchParams({ appKey, timestamp: String(timestamp), signature: tokenSignature(appKey, timestamp, appSecret) })
    const reply = await this.request(`${tokenUrl}/open-auth/selfAppAuth/base/v1/getAccessToken?${query}`, 'getAccessToken', false)
    const data = reply.data as { access_token?: string; expire?: number } | undefined
    if (!succeeded(reply) || !data?.access_token) throw credentialsRefused(reply, appKey)
    const lifetimeMs = (data.expire ?? 7200) * 1000
    // Refresh ahead of expiry: five minutes early, or a tenth of a short lifetime.
    this.token = { value: data.access_token, refreshAt: Date.now() + lifetimeMs - Math.min(300_000, lifetimeMs / 10) }
    return data.access_token
  }

  private async request(url: string, operation: string, write: boolean, body?: unknown, signal?: AbortSignal): Promise<YonyouReply> {
    const { timeoutMs } = this.connection
    const { response, text } = await erpFetch(
      url,
      {
        method: body === undefined ? 'GET' : 'POST',
        // The platform wants the JSON content type even on GETs.
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      { timeoutMs, signal, what: operation, failed: (error) => networkError(error, operation, write, timeoutMs) },
    )
    let reply: YonyouReply | null = null
    try {
      reply = JSON.parse(text) as YonyouReply
    } catch {
      // Some APIs answer a bad token with plain text 非法token (noted in the same skill reference).
      if (/token/i.test(text)) reply = { code: '310036', message: text.trim() }
    }
    if (response.status === 404 && reply && String(reply.code) === '310404') throw replyError(reply, operation)
    if (!response.ok) throw httpError(response.status, text, operation, write)
    if (!reply || typeof reply !== 'object') {
      throw new ErpError(write ? 'unknown' : 'permanent', '用友返回了无法识别的结果，需要核对（YonBIP returned an unexpected reply）', `${operation}: ${text.slice(0, 200)}`)
    }
    return reply
  }
}
