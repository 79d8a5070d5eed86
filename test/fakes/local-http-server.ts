import { createServer, type IncomingMessage, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A fake service's HTTP server on 127.0.0.1, at a port the system picked so parallel test files never collide. */
export interface LocalHttpServer {
  /** http://127.0.0.1:<port>, no trailing slash. */
  origin: string
  /** Drops open connections first: a kept-alive client or a reply a test left hanging would otherwise hold close() up. */
  close(): Promise<void>
}

export async function listenLocally(handler: RequestListener): Promise<LocalHttpServer> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** The whole request body as UTF-8 text. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => (data += chunk))
    req.on('end', () => resolve(data))
    req.on('error', reject)
  })
}
