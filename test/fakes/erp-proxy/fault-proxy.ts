import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/**
 * How the proxy treats a request:
 * pass — forwarded; refuse — nothing listens on the port (ECONNREFUSED); unavailable — HTTP 503
 * without reaching the ERP; hang — accepted and never answered (the caller times out); lose-reply
 * — forwarded, the ERP does the work, then the connection is cut before the answer gets back;
 * late-reply — forwarded, the ERP does the work and answers, and the answer is held back
 * `lateReplyMs` (a congested link: a lookup's answer says what the ERP held when it was asked).
 */
export type Fault = 'pass' | 'refuse' | 'unavailable' | 'hang' | 'lose-reply' | 'late-reply'

export interface FaultProxy {
  /** The proxy's origin; paths are forwarded unchanged to the upstream origin. */
  origin: string
  port: number
  /** The same fault for every request from now on. */
  set(fault: Fault): Promise<void>
  /** A fault chosen per request (e.g. at random); `refuse` cannot be chosen per request. */
  decide(choose: () => Exclude<Fault, 'refuse'>): Promise<void>
  /** Requests seen per fault (a refused connection never reaches the proxy). */
  counts: Record<Exclude<Fault, 'refuse'>, number>
  close(): Promise<void>
}

/** A fault-injecting HTTP proxy in front of a real ERP (or the webhook fake), on a fixed loopback port. */
export async function startFaultProxy(upstreamOrigin: string, options: { lateReplyMs?: number } = {}): Promise<FaultProxy> {
  const { lateReplyMs = 3_000 } = options
  let choose: () => Exclude<Fault, 'refuse'> = () => 'pass'
  const counts: Record<Exclude<Fault, 'refuse'>, number> = { pass: 0, unavailable: 0, hang: 0, 'lose-reply': 0, 'late-reply': 0 }
  const sockets = new Set<Socket>()

  const forward = async (req: IncomingMessage, body: Buffer) => {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive'].includes(name)) headers[name] = value
    }
    const response = await fetch(`${upstreamOrigin}${req.url ?? '/'}`, { method: req.method, headers, body: body.length ? new Uint8Array(body) : undefined })
    return { status: response.status, type: response.headers.get('content-type') ?? 'application/octet-stream', body: Buffer.from(await response.arrayBuffer()) }
  }

  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const fault = choose()
    counts[fault]++
    switch (fault) {
      case 'hang':
        return
      case 'unavailable':
        res.writeHead(503, { 'content-type': 'text/html' })
        res.end('<html><body><h1>503 Service Unavailable</h1></body></html>')
        return
      case 'pass':
      case 'lose-reply':
      case 'late-reply': {
        const upstream = await forward(req, body)
        if (fault === 'lose-reply') {
          req.socket.destroy()
          return
        }
        if (fault === 'late-reply') await new Promise((resolve) => setTimeout(resolve, lateReplyMs))
        res.writeHead(upstream.status, { 'content-type': upstream.type })
        res.end(upstream.body)
      }
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch(() => req.socket.destroy())
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  const listen = (port: number) => new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()))
  const stopListening = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    })
  await listen(0)
  const port = (server.address() as AddressInfo).port
  let listening = true

  const ensureListening = async (wanted: boolean) => {
    if (wanted === listening) return
    if (wanted) await listen(port)
    else await stopListening()
    listening = wanted
  }

  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    counts,
    async set(fault) {
      if (fault === 'refuse') {
        await ensureListening(false)
        return
      }
      choose = () => fault
      await ensureListening(true)
    },
    async decide(next) {
      choose = next
      await ensureListening(true)
    },
    async close() {
      await ensureListening(false)
    },
  }
}
