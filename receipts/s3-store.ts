import { isStorageKey, type AttachmentStore } from '../workflow/receipts/attachments/attachment-store.js'

export interface S3Settings {
  /** e.g. https://s3.cn-north-1.amazonaws.com.cn, https://<account>.r2.cloudflarestorage.com, http://minio:9000 */
  endpoint: string
  bucket: string
  /** us-east-1 unless the service says otherwise (R2 accepts "auto"). */
  region: string
  accessKeyId: string
  secretAccessKey: string
}

const encoder = new TextEncoder()
const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('')
const sha256Hex = async (data: Uint8Array | string) => hex(await crypto.subtle.digest('SHA-256', typeof data === 'string' ? encoder.encode(data) : new Uint8Array(data)))

async function hmac(key: Uint8Array | ArrayBuffer, data: string): Promise<ArrayBuffer> {
  const imported = await crypto.subtle.importKey('raw', key instanceof Uint8Array ? new Uint8Array(key) : key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return crypto.subtle.sign('HMAC', imported, encoder.encode(data))
}

/** RFC 3986 encoding as SigV4 wants it; slashes kept in a path. */
const uriEncode = (text: string, keepSlash: boolean) =>
  [...encoder.encode(text)]
    .map((b) => {
      const c = String.fromCharCode(b)
      return /[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/') ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`
    })
    .join('')

/**
 * AWS Signature Version 4 for one S3 request (WebCrypto, so the same on Node and Workers). Returns
 * the headers to send: every given header, host, x-amz-date, x-amz-content-sha256, authorization.
 */
export async function signS3Request(input: {
  method: string
  url: string
  headers?: Record<string, string>
  payloadHash: string
  region: string
  accessKeyId: string
  secretAccessKey: string
  now: Date
}): Promise<Record<string, string>> {
  const url = new URL(input.url)
  const amzDate = input.now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
  const day = amzDate.slice(0, 8)
  const headers: Record<string, string> = { host: url.host, 'x-amz-content-sha256': input.payloadHash, 'x-amz-date': amzDate }
  for (const [name, value] of Object.entries(input.headers ?? {})) headers[name.toLowerCase()] = value
  const names = Object.keys(headers).sort()
  const canonicalHeaders = names.map((n) => `${n}:${headers[n]!.trim().replace(/\s+/g, ' ')}\n`).join('')
  const query = [...url.searchParams].map(([k, v]) => [uriEncode(k, false), uriEncode(v, false)]).sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join('&')
  const path = uriEncode(decodeURIComponent(url.pathname), true)
  const signedHeaders = names.join(';')
  const canonical = [input.method, path, query, canonicalHeaders, signedHeaders, input.payloadHash].join('\n')
  const scope = `${day}/${input.region}/s3/aws4_request`
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, await sha256Hex(canonical)].join('\n')
  let key: ArrayBuffer = await hmac(encoder.encode(`AWS4${input.secretAccessKey}`), day)
  for (const part of [input.region, 's3', 'aws4_request']) key = await hmac(key, part)
  const signature = hex(await hmac(key, stringToSign))
  return { ...headers, authorization: `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}` }
}

/**
 * Attachments in S3-compatible object storage (AWS S3, Cloudflare R2, MinIO, Aliyun OSS's S3 API),
 * path-style: <endpoint>/<bucket>/<key>. Plain fetch with SigV4, so it runs on Workers too, where
 * there is no disk.
 */
export class S3Store implements AttachmentStore {
  private readonly base: string

  constructor(
    private readonly settings: S3Settings,
    private readonly now: () => number = Date.now,
  ) {
    this.base = `${settings.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(settings.bucket)}`
  }

  get describe(): string {
    return `S3 ${this.base}`
  }

  async put(key: string, bytes: Uint8Array, mimeType: string): Promise<void> {
    const response = await this.send('PUT', key, bytes, { 'content-type': mimeType })
    if (!response.ok) throw await this.failure('PUT', key, response)
  }

  async get(key: string): Promise<Uint8Array | null> {
    const response = await this.send('GET', key)
    if (!response.ok) {
      const error = await this.failure('GET', key, response)
      // Only a missing object is "nothing stored"; a missing bucket is a misconfiguration.
      if (response.status === 404 && error.message.endsWith('NoSuchKey')) return null
      throw error
    }
    return new Uint8Array(await response.arrayBuffer())
  }

  private async send(method: 'GET' | 'PUT', key: string, body?: Uint8Array, extra: Record<string, string> = {}): Promise<Response> {
    if (!isStorageKey(key)) throw new Error(`invalid attachment key: ${key}`)
    const url = `${this.base}/${key}`
    const payloadHash = await sha256Hex(body ?? new Uint8Array())
    const { host: _host, ...headers } = await signS3Request({ method, url, headers: extra, payloadHash, region: this.settings.region, accessKeyId: this.settings.accessKeyId, secretAccessKey: this.settings.secretAccessKey, now: new Date(this.now()) })
    return fetch(url, { method, headers, body: body ? new Uint8Array(body) : undefined, signal: AbortSignal.timeout(60_000) })
  }

  /** S3 answers errors as XML: <Code> says what (SignatureDoesNotMatch, NoSuchBucket, AccessDenied, …). */
  private async failure(method: string, key: string, response: Response): Promise<Error> {
    const text = await response.text()
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? `HTTP ${response.status}`
    return new Error(`附件存储出错 / object storage ${method} ${key} failed: ${code}`)
  }
}

/** The S3 settings from the validated configuration (all four or none: server/config.ts checks). */
export function s3SettingsFrom(config: { S3_ENDPOINT?: string; S3_BUCKET?: string; S3_REGION: string; S3_ACCESS_KEY_ID?: string; S3_SECRET_ACCESS_KEY?: string }): S3Settings | undefined {
  const { S3_ENDPOINT: endpoint, S3_BUCKET: bucket, S3_ACCESS_KEY_ID: accessKeyId, S3_SECRET_ACCESS_KEY: secretAccessKey } = config
  return endpoint && bucket && accessKeyId && secretAccessKey ? { endpoint, bucket, region: config.S3_REGION, accessKeyId, secretAccessKey } : undefined
}
