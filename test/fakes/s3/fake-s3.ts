import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A local S3 endpoint (path-style, one bucket) that checks Signature Version 4 the way S3 does,
 * with its own implementation on node:crypto: a request signed wrongly, with a stale date or with a
 * body that does not match its x-amz-content-sha256 is refused with S3's XML error.
 */
export class FakeS3 {
  readonly url: string
  readonly objects = new Map<string, { bytes: Buffer; contentType: string }>()
  /** Every request as "METHOD /path status". */
  readonly log: string[] = []

  private constructor(
    private readonly server: Server,
    private readonly options: { bucket: string; region: string; accessKeyId: string; secretAccessKey: string },
  ) {
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  static async start(options: { bucket: string; region: string; accessKeyId: string; secretAccessKey: string }): Promise<FakeS3> {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const fake = new FakeS3(server, options)
    server.on('request', (req, res) => void fake.handle(req, res))
    return fake
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const rawPath = (req.url ?? '/').split('?')[0]!
    const answer = (status: number, code?: string, bytes?: Buffer, contentType = 'application/xml') => {
      this.log.push(`${req.method} ${rawPath} ${status}`)
      const payload = code ? Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`) : (bytes ?? Buffer.alloc(0))
      res.writeHead(status, { 'content-type': code ? 'application/xml' : contentType, 'content-length': String(payload.length) })
      res.end(payload)
    }
    const problem = this.checkSignature(req, rawPath, body)
    if (problem) return answer(403, problem)
    const [, bucket, ...rest] = rawPath.split('/')
    if (bucket !== this.options.bucket) return answer(404, 'NoSuchBucket')
    const key = decodeURIComponent(rest.join('/'))
    if (req.method === 'PUT') {
      this.objects.set(key, { bytes: body, contentType: String(req.headers['content-type'] ?? 'application/octet-stream') })
      return answer(200)
    }
    if (req.method === 'GET') {
      const object = this.objects.get(key)
      return object ? answer(200, undefined, object.bytes, object.contentType) : answer(404, 'NoSuchKey')
    }
    return answer(405, 'MethodNotAllowed')
  }

  private checkSignature(req: IncomingMessage, rawPath: string, body: Buffer): string | undefined {
    const auth = String(req.headers.authorization ?? '')
    const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth)
    if (!match) return 'AccessDenied'
    const [, accessKeyId, day, region, signed, signature] = match as unknown as [string, string, string, string, string, string]
    if (accessKeyId !== this.options.accessKeyId) return 'InvalidAccessKeyId'
    if (region !== this.options.region) return 'AuthorizationHeaderMalformed'
    const amzDate = String(req.headers['x-amz-date'] ?? '')
    const at = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'))
    if (!amzDate.startsWith(day) || !Number.isFinite(at) || Math.abs(Date.now() - at) > 15 * 60_000) return 'RequestTimeTooSkewed'
    const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '')
    if (payloadHash !== createHash('sha256').update(body).digest('hex')) return 'XAmzContentSHA256Mismatch'
    const names = signed.split(';')
    if (!names.includes('host') || !names.includes('x-amz-date')) return 'AccessDenied'
    const canonicalHeaders = names.map((n) => `${n}:${String(req.headers[n] ?? '').trim()}\n`).join('')
    const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '')
    const canonicalQuery = [...query].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).sort().join('&')
    const canonical = [req.method, rawPath, canonicalQuery, canonicalHeaders, signed, payloadHash].join('\n')
    const toSign = ['AWS4-HMAC-SHA256', amzDate, `${day}/${region}/s3/aws4_request`, createHash('sha256').update(canonical).digest('hex')].join('\n')
    let key = createHmac('sha256', `AWS4${this.options.secretAccessKey}`).update(day).digest()
    for (const part of [region, 's3', 'aws4_request']) key = createHmac('sha256', key).update(part).digest()
    const expected = createHmac('sha256', key).update(toSign).digest()
    return timingSafeEqual(expected, Buffer.from(signature, 'hex')) ? undefined : 'SignatureDoesNotMatch'
  }
}
