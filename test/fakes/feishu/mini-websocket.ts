import { createHash } from 'node:crypto'
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

/** One server-side WebSocket connection (RFC 6455): enough for binary frames, ping/pong and close. */
export class MiniSocket {
  private buffer = Buffer.alloc(0)
  private fragments: Buffer[] = []
  open = true

  constructor(
    private readonly socket: Duplex,
    private readonly onMessage: (data: Buffer, socket: MiniSocket) => void,
    private readonly onClose: (socket: MiniSocket) => void,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
    socket.on('close', () => this.closed())
    socket.on('error', () => this.closed())
  }

  sendBinary(data: Buffer): void {
    this.write(0x2, data)
  }

  close(): void {
    if (!this.open) return
    this.write(0x8, Buffer.alloc(0))
    this.socket.end()
    this.closed()
  }

  /** Drops the TCP connection without a close frame (a network failure). */
  destroy(): void {
    this.socket.destroy()
    this.closed()
  }

  private closed() {
    if (!this.open) return
    this.open = false
    this.onClose(this)
  }

  private write(opcode: number, payload: Buffer): void {
    if (!this.open) return
    const length = payload.length
    const header =
      length < 126
        ? Buffer.from([0x80 | opcode, length])
        : length < 65536
          ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff])
          : Buffer.concat([Buffer.from([0x80 | opcode, 127]), (() => {
              const b = Buffer.alloc(8)
              b.writeBigUInt64BE(BigInt(length))
              return b
            })()])
    this.socket.write(Buffer.concat([header, payload]))
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk])
    for (;;) {
      if (this.buffer.length < 2) return
      const first = this.buffer[0]!
      const second = this.buffer[1]!
      let length = second & 0x7f
      let offset = 2
      if (length === 126) {
        if (this.buffer.length < 4) return
        length = this.buffer.readUInt16BE(2)
        offset = 4
      } else if (length === 127) {
        if (this.buffer.length < 10) return
        length = Number(this.buffer.readBigUInt64BE(2))
        offset = 10
      }
      const masked = (second & 0x80) !== 0
      const total = offset + (masked ? 4 : 0) + length
      if (this.buffer.length < total) return
      const mask = masked ? this.buffer.subarray(offset, offset + 4) : undefined
      const payload = Buffer.from(this.buffer.subarray(total - length, total))
      if (mask) for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i % 4]!
      this.buffer = this.buffer.subarray(total)
      this.frame(first & 0x0f, (first & 0x80) !== 0, payload)
    }
  }

  private frame(opcode: number, fin: boolean, payload: Buffer): void {
    if (opcode === 0x8) return this.close()
    if (opcode === 0x9) return this.write(0xa, payload)
    if (opcode === 0xa) return
    this.fragments.push(payload)
    if (!fin) return
    const message = Buffer.concat(this.fragments)
    this.fragments = []
    this.onMessage(message, this)
  }
}

/** Accepts WebSocket upgrades on `path` of an existing HTTP server. */
export function acceptWebSockets(server: Server, path: string, handlers: { message: (data: Buffer, socket: MiniSocket) => void; open: (socket: MiniSocket, request: IncomingMessage) => void; close: (socket: MiniSocket) => void }): void {
  server.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
    const url = new URL(request.url ?? '/', 'http://localhost')
    const key = request.headers['sec-websocket-key']
    if (url.pathname !== path || typeof key !== 'string') {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n')
      return
    }
    const accept = createHash('sha1').update(key + GUID).digest('base64')
    socket.write(['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`, '', ''].join('\r\n'))
    handlers.open(new MiniSocket(socket, handlers.message, handlers.close), request)
  })
}
