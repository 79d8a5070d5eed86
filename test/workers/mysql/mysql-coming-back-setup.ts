import { createServer as createHttpServer } from 'node:http'
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import type { TestProject } from 'vitest/node'
import { MYSQL_BASE_URL } from '../../helpers/databases.js'

/**
 * Global setup (Node): a port in front of the test MariaDB that starts out down, for a Hyperdrive
 * binding whose database is unavailable while the app starts. Down, it accepts each connection and
 * closes it at once, before the server greeting (a database restarting behind its proxy);
 * POST <mysqlControlUrl>/open makes it forward to MariaDB. The tests run inside workerd, hence HTTP.
 *
 * Not down by refusing connections: Miniflare's local Hyperdrive proxy (miniflare 4.20260426.0)
 * has no error handler on its database socket, so ECONNREFUSED there crashes the test process.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const base = new URL(MYSQL_BASE_URL)
  const upstream = { host: base.hostname, port: Number(base.port || 3306) }
  let open = false
  const sockets = new Set<Socket>()
  const forwarder: Server = createServer((client) => {
    sockets.add(client)
    client.on('error', () => client.destroy())
    if (!open) return void client.end()
    const backend = connect(upstream.port, upstream.host)
    sockets.add(backend)
    client.pipe(backend).pipe(client)
    const closeBoth = () => {
      client.destroy()
      backend.destroy()
    }
    client.on('close', closeBoth)
    backend.on('error', closeBoth).on('close', closeBoth)
  })
  await new Promise<void>((resolve) => forwarder.listen(0, '127.0.0.1', () => resolve()))

  const control = createHttpServer((request, response) => {
    if (request.method !== 'POST' || request.url !== '/open') return void response.writeHead(404).end()
    open = true
    response.writeHead(200).end('open')
  })
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', () => resolve()))
  project.provide('comingBackMysqlPort', (forwarder.address() as AddressInfo).port)
  project.provide('mysqlControlUrl', `http://127.0.0.1:${(control.address() as AddressInfo).port}`)
  return async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => forwarder.close(() => resolve()))
    control.closeAllConnections()
    await new Promise<void>((resolve) => control.close(() => resolve()))
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    comingBackMysqlPort: number
    mysqlControlUrl: string
  }
}
