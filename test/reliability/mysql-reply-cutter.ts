import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net'

/**
 * A TCP proxy in front of MariaDB that can lose one reply: armed with a pattern, it forwards the
 * next matching statement (a COM_QUERY packet of the MySQL protocol) to the server, lets the server
 * run it, and cuts the connection instead of relaying the answer. The client sees "connection
 * lost" for a statement that did commit: what a database crash or failover does at the worst moment.
 */
export interface ReplyCutter {
  port: number
  /** Cut the reply to the next statement matching `sql` (once). */
  arm(sql: RegExp): void
  /** Statements whose reply was cut so far. */
  cut: string[]
  close(): Promise<void>
}

const COM_QUERY = 0x03

export async function startReplyCutter(upstream: { host: string; port: number }): Promise<ReplyCutter> {
  let armed: RegExp | undefined
  const cut: string[] = []
  const sockets = new Set<Socket>()

  const server: Server = createServer((client) => {
    const backend = connect(upstream.port, upstream.host)
    sockets.add(client).add(backend)
    let pending = Buffer.alloc(0)
    let cutNextReply = false
    const closeBoth = () => {
      client.destroy()
      backend.destroy()
    }
    client.on('close', () => backend.destroy())
    backend.on('close', () => client.destroy())
    client.on('error', closeBoth)
    backend.on('error', closeBoth)

    client.on('data', (chunk: Buffer) => {
      // Packets: 3-byte little-endian length, 1-byte sequence, payload; a command starts at sequence 0.
      pending = Buffer.concat([pending, chunk])
      while (pending.length >= 4) {
        const length = pending.readUIntLE(0, 3)
        if (pending.length < 4 + length) break
        const packet = pending.subarray(0, 4 + length)
        pending = pending.subarray(4 + length)
        const sequence = packet[3]
        if (armed && sequence === 0 && packet[4] === COM_QUERY) {
          const sql = packet.subarray(5).toString('utf8')
          if (armed.test(sql)) {
            armed = undefined
            cutNextReply = true
            cut.push(sql)
          }
        }
        backend.write(packet)
      }
    })
    backend.on('data', (chunk: Buffer) => {
      if (cutNextReply) return closeBoth()
      client.write(chunk)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    arm: (sql) => (armed = sql),
    cut,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
