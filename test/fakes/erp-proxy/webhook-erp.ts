import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A stand-in ERP behind the signed-webhook contract, written from the contract (node:crypto, not
 * our WebCrypto signer): checks the HMAC and timestamp, creates one document per call, answers
 * lookups, and keeps count of everything so tests can prove "exactly once" on the ERP's side.
 */
export interface WebhookErpOptions {
  secret: string
  /** Added to every answer, like a real ERP's processing time. */
  latencyMs?: number
  /**
   * Honour the Idempotency-Key (a repeated key gets the first document back). Off: every post
   * makes a new document, like an ERP with no idempotency, so only the bridge prevents doubles.
   */
  dedupe?: boolean
  /** A reason to refuse the action with HTTP 422 (closed period, unknown account...), or null. */
  reject?: (action: Record<string, unknown>) => string | null
}

export interface WebhookDocument {
  documentNo: string
  idempotencyKey: string
  action: Record<string, unknown>
}

export interface WebhookErp {
  url: string
  port: number
  /** Documents created, in order. */
  documents: WebhookDocument[]
  /** Posts received per idempotency key (successful or not). */
  postsByKey: Map<string, number>
  lookups: number
  badSignatures: number
  /** Keys with more than one document: must stay empty. */
  duplicates(): string[]
  setLatency(ms: number): void
  close(): Promise<void>
}

export async function startWebhookErp(options: WebhookErpOptions): Promise<WebhookErp> {
  let latencyMs = options.latencyMs ?? 0
  const documents: WebhookDocument[] = []
  const byKey = new Map<string, WebhookDocument>()
  const postsByKey = new Map<string, number>()
  const state = { lookups: 0, badSignatures: 0 }

  const handle = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs))
    const timestamp = String(req.headers['x-bridge-timestamp'] ?? '')
    const signature = String(req.headers['x-bridge-signature'] ?? '')
    const expected = `sha256=${createHmac('sha256', options.secret).update(`${timestamp}.${body}`).digest('hex')}`
    const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300
    if (!fresh || signature.length !== expected.length || !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) {
      state.badSignatures++
      return reply(res, 401, { message: 'bad signature' })
    }
    const event = JSON.parse(body) as { event: string; idempotencyKey?: string; action?: Record<string, unknown> }
    const key = event.idempotencyKey ?? ''
    if (event.event === 'erp.ping') return reply(res, 200, { detail: 'fake ERP' })
    if (event.event === 'erp.lookup') {
      state.lookups++
      if (req.headers['idempotency-key'] !== key) return reply(res, 400, { message: 'Idempotency-Key header does not match the body' })
      const found = byKey.get(key)
      return found ? reply(res, 200, { documentNo: found.documentNo }) : reply(res, 404, { message: 'not found' })
    }
    if (event.event !== 'erp.post' || !event.action) return reply(res, 400, { message: `unknown event ${event.event}` })
    if (req.headers['idempotency-key'] !== key) return reply(res, 400, { message: 'Idempotency-Key header does not match the body' })
    postsByKey.set(key, (postsByKey.get(key) ?? 0) + 1)
    const refusal = options.reject?.(event.action)
    if (refusal) return reply(res, 422, { message: refusal })
    const earlier = byKey.get(key)
    if (earlier && options.dedupe !== false) return reply(res, 200, { documentNo: earlier.documentNo })
    const document = { documentNo: `WH-${String(documents.length + 1).padStart(6, '0')}`, idempotencyKey: key, action: event.action }
    documents.push(document)
    if (!earlier) byKey.set(key, document)
    return reply(res, 201, { documentNo: document.documentNo })
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((error: unknown) => reply(res, 500, { message: String(error) }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/erp/hook`,
    port,
    documents,
    postsByKey,
    get lookups() {
      return state.lookups
    },
    get badSignatures() {
      return state.badSignatures
    },
    duplicates: () => {
      const counts = new Map<string, number>()
      for (const d of documents) counts.set(d.idempotencyKey, (counts.get(d.idempotencyKey) ?? 0) + 1)
      return [...counts].filter(([, n]) => n > 1).map(([key]) => key)
    },
    setLatency: (ms) => {
      latencyMs = ms
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}
