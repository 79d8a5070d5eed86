import { serve } from '@hono/node-server'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FeishuFetchApi } from '../../bot/platforms/feishu/feishu-fetch-client.js'
import { createFeishuIntegration, type FeishuIntegration } from '../../bot/platforms/feishu/feishu-integration.js'
import { FeishuEventPusher, messageEnvelope } from '../fakes/feishu/feishu-event-pusher.js'
import { FakeFeishuOpenPlatform } from '../fakes/feishu/fake-open-platform.js'
import { APP, FEISHU_USERS, OPEN_ID, readCard } from '../feishu/feishu-harness.js'
import { COMPANY, DINNER, einvoiceXml, PHOTO } from './invoice-fixtures.js'
import { ReceiptsSystem } from './receipts-system.js'

const NOW = Date.parse('2026-11-25T10:00:00+08:00')

/** A file and an image sent to the Feishu bot (signed HTTP events), downloaded from the fake open platform's message resources. */
describe('receipts from Feishu', () => {
  let fake: FakeFeishuOpenPlatform
  let t: ReceiptsSystem
  let feishu: FeishuIntegration
  let server: Server
  let pusher: FeishuEventPusher

  beforeAll(async () => {
    fake = await FakeFeishuOpenPlatform.start({ appId: APP.appId, appSecret: APP.appSecret, users: FEISHU_USERS })
    const settings = { appId: APP.appId, appSecret: APP.appSecret, verificationToken: APP.verificationToken, encryptKey: APP.encryptKey, baseUrl: fake.url, mode: 'http' as const, autoProvision: false, afterAnswerDelayMs: 20, retry: { baseDelayMs: 5, maxDelayMs: 50 } }
    t = await ReceiptsSystem.start('sqlite', () => NOW, { integrations: (database) => [(feishu = createFeishuIntegration(settings, database.db, () => {}))] })
    server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server
    })
    pusher = new FeishuEventPusher({ target: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, appId: APP.appId, verificationToken: APP.verificationToken, encryptKey: APP.encryptKey, redeliveryScheduleMs: [50, 100] })
  })
  afterAll(async () => {
    pusher.stop()
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await t.close()
    await fake.close()
  })

  async function send(openId: string, type: 'file' | 'image', content: object, bytes: Uint8Array): Promise<void> {
    const envelope = messageEnvelope({ appId: APP.appId, token: APP.verificationToken, openId, text: '' })
    const key = 'file_key' in content ? String(content.file_key) : String((content as { image_key: string }).image_key)
    Object.assign(envelope.event.message, { message_type: type, content: JSON.stringify(content) })
    fake.addResource(envelope.event.message.message_id, key, bytes)
    expect((await pusher.pushEvent(envelope)).status).toBe(200)
    await pusher.settle()
    await feishu.idle()
  }

  const texts = (openId: string) => fake.messagesTo(openId).filter((m) => m.msg_type === 'text').map((m) => (JSON.parse(m.content) as { text: string }).text)

  it('reads a 数电票 XML sent as a file and shows the prefilled claim card', async () => {
    await send(OPEN_ID.zhangsan, 'file', { file_key: 'file_v3_00abc', file_name: 'dinner.xml' }, new TextEncoder().encode(einvoiceXml({ ...DINNER, buyerName: COMPANY.name })))
    expect(texts(OPEN_ID.zhangsan)).toContain('识别到发票：¥530.00，2026-11-18，餐饮服务')
    const card = fake.messagesTo(OPEN_ID.zhangsan).filter((m) => m.msg_type === 'interactive').map(readCard).at(-1)!
    expect(card.text).toContain('dinner.xml（发票 ¥530.00，2026-11-18，餐饮服务）')
    expect(card.buttons.map((b) => b.value.action)).toEqual(['confirm', 'edit', 'cancel'])
  })

  it('keeps an image for manual entry', async () => {
    await send(OPEN_ID.lisi, 'image', { image_key: 'img_v3_00xyz' }, PHOTO)
    expect(texts(OPEN_ID.lisi).at(-1)).toContain('已保存「image.jpg」，但无法自动识别')
    const stored = await t.database.db.selectFrom('attachments').select(['name', 'platform', 'size_bytes']).where('owner_id', '=', 'lisi').execute()
    expect(stored).toEqual([{ name: 'image.jpg', platform: 'feishu', size_bytes: PHOTO.byteLength }])
  })

  it('downloads a resource by message and key, and passes on Feishu’s refusal', async () => {
    fake.addResource('om_user_direct', 'file_v3_direct', PHOTO)
    const api = new FeishuFetchApi({ appId: APP.appId, appSecret: APP.appSecret, baseUrl: fake.url })
    expect(await api.messageResource('om_user_direct', 'file_v3_direct', 'file')).toEqual(PHOTO)
    await expect(api.messageResource('om_user_direct', 'file_v3_missing', 'file')).rejects.toMatchObject({ code: 234003 })
  })
})
