import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDingtalkIntegration, type DingtalkIntegration } from '../../bot/platforms/dingtalk/dingtalk-integration.js'
import { loadConfig } from '../../server/config.js'
import { APP, DINGTALK_USERS } from '../dingtalk/dingtalk-harness.js'
import { FakeDingtalk } from '../fakes/dingtalk/fake-dingtalk.js'
import { COMPANY, PHOTO, railwayTicketPdf } from './invoice-fixtures.js'
import { ReceiptsSystem } from './receipts-system.js'

const NOW = Date.parse('2026-11-25T10:00:00+08:00')

/** A file and a picture sent to the DingTalk robot (HTTP callbacks), fetched by downloadCode from the fake open platform. */
describe('receipts from DingTalk', () => {
  let fake: FakeDingtalk
  let t: ReceiptsSystem
  let dingtalk: DingtalkIntegration
  let server: ServerType

  beforeAll(async () => {
    fake = await FakeDingtalk.start({ ...APP, users: DINGTALK_USERS })
    const config = loadConfig({ DINGTALK_CLIENT_ID: APP.clientId, DINGTALK_CLIENT_SECRET: APP.clientSecret, DINGTALK_MODE: 'http', DINGTALK_API_BASE: fake.url, DINGTALK_OAPI_BASE: fake.url })
    t = await ReceiptsSystem.start('sqlite', () => NOW, { integrations: (database) => [(dingtalk = createDingtalkIntegration(config, database, () => {}, { backoffMs: 5 }))] })
    server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' })
    await new Promise<void>((resolve) => server.once('listening', resolve))
    fake.transport = 'http'
    fake.robotCallbackUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dingtalk/events`
  })
  afterAll(async () => {
    await t.close()
    server.close()
    await fake.close()
  })

  it('reads an e-invoice PDF sent as a file and answers with the prefilled claim', async () => {
    const pdf = await railwayTicketPdf({ number: '26119110000000888888', issueDate: '2026-11-19', departureDate: '2026-11-20', train: 'G7', fare: '553.00', buyerName: COMPANY.name, buyerTaxId: COMPANY.taxId })
    expect((await fake.sendFile('dt-zhangsan', { name: '高铁票.pdf', bytes: pdf })).status).toBe(200)
    await dingtalk.idle()
    expect(fake.calls).toContain('POST /v1.0/robot/messageFiles/download')
    expect(fake.texts('dt-zhangsan')).toContain('识别到发票：¥553.00，2026-11-20，高铁票')
    const draft = fake.actionCardsOf('dt-zhangsan').at(-1)!
    expect(JSON.stringify(draft)).toContain('高铁票.pdf（发票 ¥553.00，2026-11-20，高铁票）')
    const stored = await t.database.db.selectFrom('attachments').select(['name', 'platform', 'reading']).execute()
    expect(stored).toEqual([{ name: '高铁票.pdf', platform: 'dingtalk', reading: 'invoice' }])
  })

  it('keeps a picture for manual entry', async () => {
    await fake.sendFile('dt-lisi', { name: 'ignored', bytes: PHOTO, picture: true })
    await dingtalk.idle()
    expect(fake.texts('dt-lisi').at(-1)).toContain('已保存「picture.jpg」，但无法自动识别')
  })
})
