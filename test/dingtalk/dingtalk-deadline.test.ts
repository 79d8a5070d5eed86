import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { DingtalkClient } from '../../bot/platforms/dingtalk/dingtalk-client.js'

let server: Server
let base: string
beforeAll(async () => {
  // A DingTalk that accepts the connection and never answers.
  server = createServer(() => {})
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

it('gives up on a DingTalk that never answers, after its deadline', async () => {
  const client = new DingtalkClient({ clientId: 'ding-app', clientSecret: 'secret', apiBase: base, oapiBase: base, timeoutMs: 300 })
  const started = Date.now()
  await expect(client.api('POST', '/v1.0/robot/oToMessages/batchSend', {})).rejects.toThrow(/abort|timeout/i)
  expect(Date.now() - started).toBeLessThan(2_000)
})
