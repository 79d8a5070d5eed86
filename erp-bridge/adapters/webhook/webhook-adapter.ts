import { ErpError, type ErpAction, type ErpAdapter, type ErpCallOptions, type ErpDocument } from '../../erp-adapter.js'
import { erpFetch } from '../../erp-fetch.js'
import type { MappingPolicy } from '../../mapping/mapping-policy.js'
import { webhookConfigSchema, webhookPolicy, type WebhookConfig, type WebhookConfigInput } from './webhook-config.js'

/** Header names of the webhook contract (README "Connect your ERP"). */
export const WEBHOOK_HEADERS = {
  idempotencyKey: 'Idempotency-Key',
  timestamp: 'X-Bridge-Timestamp',
  signature: 'X-Bridge-Signature',
} as const

type WebhookEvent =
  | { event: 'erp.post'; idempotencyKey: string; action: ErpAction }
  | { event: 'erp.lookup'; idempotencyKey: string }
  | { event: 'erp.ping' }

/**
 * For ERPs we have no adapter for: each action is POSTed as JSON to a receiver the customer runs,
 * signed with HMAC-SHA256 over "<timestamp>.<body>" and carrying the idempotency key as a header.
 * The receiver answers `{documentNo}`, and answers a repeated key with the same document; a
 * lookup event asks whether a key was already posted.
 */
export class WebhookAdapter implements ErpAdapter {
  readonly name = 'webhook'
  readonly mappingPolicy: MappingPolicy
  private readonly config: WebhookConfig
  private signingKey: Promise<CryptoKey> | undefined

  constructor(config: WebhookConfigInput) {
    this.config = webhookConfigSchema.parse(config)
    this.mappingPolicy = webhookPolicy(this.config)
  }

  async post(action: ErpAction, idempotencyKey: string, { signal }: ErpCallOptions = {}): Promise<ErpDocument> {
    const reply = await this.send({ event: 'erp.post', idempotencyKey, action }, idempotencyKey, signal)
    // 409: the receiver already has this key; it names the document it made then.
    if (reply.ok || reply.status === 409) return documentOf(reply, 'post')
    throw replyError(reply, 'post')
  }

  async find(idempotencyKey: string, { signal }: ErpCallOptions = {}): Promise<ErpDocument | null> {
    const reply = await this.send({ event: 'erp.lookup', idempotencyKey }, idempotencyKey, signal)
    if (reply.status === 404) return null
    if (reply.ok) return documentOf(reply, 'lookup')
    throw replyError(reply, 'lookup')
  }

  async testConnection(): Promise<{ ok: true; detail: string }> {
    const started = performance.now()
    const reply = await this.send({ event: 'erp.ping' }, null)
    if (!reply.ok) throw replyError(reply, 'ping')
    const detail = typeof reply.body.detail === 'string' ? `：${reply.body.detail}` : ''
    return { ok: true, detail: `Webhook ${new URL(this.config.url).host} 签名验证通过，耗时 ${Math.round(performance.now() - started)} ms${detail}` }
  }

  private async send(event: WebhookEvent, idempotencyKey: string | null, signal?: AbortSignal): Promise<Reply> {
    const body = JSON.stringify(event)
    const timestamp = String(Math.floor(Date.now() / 1000))
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      [WEBHOOK_HEADERS.timestamp]: timestamp,
      [WEBHOOK_HEADERS.signature]: `sha256=${await this.sign(`${timestamp}.${body}`)}`,
    }
    if (idempotencyKey) headers[WEBHOOK_HEADERS.idempotencyKey] = idempotencyKey
    const { response, text } = await erpFetch(
      this.config.url,
      { method: 'POST', headers, body },
      { timeoutMs: this.config.timeoutMs, signal, what: event.event, failed: (error) => networkError(error, event.event, this.config) },
    )
    let parsed: Record<string, unknown> = {}
    try {
      const value: unknown = text ? JSON.parse(text) : {}
      if (value && typeof value === 'object') parsed = value as Record<string, unknown>
    } catch {
      parsed = { message: text.slice(0, 300) }
    }
    return { ok: response.ok, status: response.status, body: parsed }
  }

  private async sign(payload: string): Promise<string> {
    this.signingKey ??= crypto.subtle.importKey('raw', new TextEncoder().encode(this.config.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    const mac = await crypto.subtle.sign('HMAC', await this.signingKey, new TextEncoder().encode(payload))
    return Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, '0')).join('')
  }
}

interface Reply {
  ok: boolean
  status: number
  body: Record<string, unknown>
}

function documentOf(reply: Reply, what: string): ErpDocument {
  const documentNo = reply.body.documentNo
  if (typeof documentNo === 'string' && documentNo.trim()) return { documentNo: documentNo.trim() }
  // Something was accepted but we cannot tell what: ask again (lookup) rather than assume either way.
  throw new ErpError('unknown', 'ERP 接收方的应答中没有单据号，需要核对后再重试。The receiver answered without a documentNo.', `${what}: HTTP ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`)
}

function replyError(reply: Reply, what: string): ErpError {
  const message = typeof reply.body.message === 'string' ? reply.body.message.trim() : ''
  const detail = `${what}: HTTP ${reply.status}${message ? ` ${message}` : ''}`
  if (reply.status === 401 || reply.status === 403) {
    return new ErpError('permanent', 'ERP 接收方拒绝了签名，请核对两边的签名密钥。The receiver rejected the signature; check the shared secret.', detail)
  }
  if (reply.status === 504 && what === 'post') {
    return new ErpError('unknown', 'ERP 网关超时，单据可能已经生成，需要核对后再重试。Gateway timeout; the document may exist.', detail)
  }
  if (reply.status === 408 || reply.status === 425 || reply.status === 429 || reply.status >= 500) {
    return new ErpError('transient', `ERP 暂时不可用（HTTP ${reply.status}），稍后自动重试。The ERP is unavailable; will retry.`, detail)
  }
  // 4xx: the ERP looked at the document and said no; its own words are the best explanation.
  return new ErpError('permanent', message ? `ERP 拒绝了此单据：${message}` : `ERP 拒绝了此单据（HTTP ${reply.status}）。The ERP rejected the document.`, detail)
}

function networkError(error: unknown, event: WebhookEvent['event'], config: WebhookConfig): ErpError {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } }
  const code = err.cause?.code ?? err.name ?? 'Error'
  const detail = `${event}: ${code} ${err.cause?.message ?? err.message ?? ''}`.trim()
  const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError'
  const neverSent = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)
  if (event === 'erp.post' && !neverSent) {
    const why = timedOut ? `在 ${config.timeoutMs / 1000} 秒内没有应答` : '连接中断'
    return new ErpError('unknown', `ERP ${why}，单据可能已经生成，需要核对后再重试。No reply from the ERP; the document may exist.`, detail)
  }
  return new ErpError('transient', `无法连接 ERP（${new URL(config.url).host}），稍后自动重试。Cannot reach the ERP; will retry.`, detail)
}
