import { createHash } from 'node:crypto'
import { EventEmitter } from 'node:events'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

/**
 * The server side of RFC 6455, just enough for a fake DingTalk gateway: handshake, text frames
 * (fragmented or not), ping → pong, close. Written here because the only WebSocket server in
 * node_modules (`ws`) is a transitive dependency without types.
 */
export class WebSocketPeer extends EventEmitter<{ message: [string]; close: [] }> {
  private buffer = Buffer.alloc(0)
  private fragments: Buffer[] = []
  private closed = false

  constructor(private readonly socket: Duplex) {
    super()
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
    socket.on('close', () => this.finish())
    socket.on('error', () => this.finish())
  }

  get open(): boolean {
    return !this.closed
  }

  send(text: string): void {
    if (!this.closed) this.socket.write(frame(0x1, Buffer.from(text, 'utf8')))
  }

  /** A clean close: close frame, then the TCP connection. */
  close(code = 1000): void {
    if (this.closed) return
    const payload = Buffer.alloc(2)
    payload.writeUInt16BE(code)
    this.socket.write(frame(0x8, payload))
    this.socket.end()
    this.finish()
  }

  /** The connection just dies, as when a network path drops. */
  terminate(): void {
    this.socket.destroy()
    this.finish()
  }

  private finish(): void {
    if (this.closed) return
    this.closed = true
    this.emit('close')
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk])
    for (;;) {
      const parsed = parseFrame(this.buffer)
      if (!parsed) return
      this.buffer = this.buffer.subarray(parsed.size)
      this.handle(parsed.fin, parsed.opcode, parsed.payload)
    }
  }

  private handle(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case 0x0:
      case 0x1:
      case 0x2:
        this.fragments.push(payload)
        if (fin) {
          const message = Buffer.concat(this.fragments).toString('utf8')
          this.fragments = []
          this.emit('message', message)
        }
        return
      case 0x8:
        this.close()
        return
      case 0x9:
        if (!this.closed) this.socket.write(frame(0xa, payload))
        return
      default:
        return
    }
  }
}

/** Completes the upgrade handshake; the caller decides whether to accept the request first. */
export function acceptWebSocket(request: IncomingMessage, socket: Duplex): WebSocketPeer {
  const key = request.headers['sec-websocket-key']
  const accept = createHash('sha1').update(`${key}${GUID}`).digest('base64')
  socket.write(['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`, '', ''].join('\r\n'))
  return new WebSocketPeer(socket)
}

export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}

function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length
  const header = length < 126 ? Buffer.from([0x80 | opcode, length]) : length < 65536 ? Buffer.alloc(4) : Buffer.alloc(10)
  if (length >= 126 && length < 65536) {
    header[0] = 0x80 | opcode
    header[1] = 126
    header.writeUInt16BE(length, 2)
  } else if (length >= 65536) {
    header[0] = 0x80 | opcode
    header[1] = 127
    header.writeBigUInt64BE(BigInt(length), 2)
  }
  return Buffer.concat([header, payload])
}

function parseFrame(buffer: Buffer): { fin: boolean; opcode: number; payload: Buffer; size: number } | undefined {
  if (buffer.length < 2) return undefined
  const fin = (buffer[0]! & 0x80) !== 0
  const opcode = buffer[0]! & 0x0f
  const masked = (buffer[1]! & 0x80) !== 0
  let length = buffer[1]! & 0x7f
  let offset = 2
  if (length === 126) {
    if (buffer.length < 4) return undefined
    length = buffer.readUInt16BE(2)
    offset = 4
  } else if (length === 127) {
    if (buffer.length < 10) return undefined
    length = Number(buffer.readBigUInt64BE(2))
    offset = 10
  }
  const maskOffset = offset
  if (masked) offset += 4
  if (buffer.length < offset + length) return undefined
  const payload = Buffer.from(buffer.subarray(offset, offset + length))
  if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= buffer[maskOffset + (i % 4)]!
  return { fin, opcode, payload, size: offset + length }
}
