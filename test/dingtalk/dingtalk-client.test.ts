import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DingtalkApiError, DingtalkClient } from '../../bot/platforms/dingtalk/dingtalk-client.js'
import { FakeDingtalk } from '../fakes/dingtalk/fake-dingtalk.js'
import { APP, DINGTALK_USERS } from './dingtalk-harness.js'

describe('DingTalk API client against the fake', () => {
  let fake: FakeDingtalk
  let client: DingtalkClient
  const sleeps: number[] = []

  beforeEach(async () => {
    fake = await FakeDingtalk.start({ ...APP, users: DINGTALK_USERS })
    sleeps.length = 0
    client = new DingtalkClient({
      ...APP,
      apiBase: fake.url,
      oapiBase: fake.url,
      backoffMs: 40,
      maxAttempts: 4,
      sleep: async (ms) => {
        sleeps.push(ms)
      },
    })
  })
  afterEach(async () => {
    await fake.close()
  })

  const sendText = (content: string) =>
    client.api<{ processQueryKey: string }>('POST', '/v1.0/robot/oToMessages/batchSend', {
      robotCode: client.robotCode,
      userIds: ['dt-zhangsan'],
      msgKey: 'sampleText',
      msgParam: JSON.stringify({ content }),
    })
  const userName = async (userid: string) => (await client.oapi<{ result: { name: string } }>('/topapi/v2/user/get', { userid })).result.name

  it('fetches one token per host, shared by concurrent first calls, and reuses it', async () => {
    await Promise.all([sendText('1'), sendText('2'), userName('dt-lisi'), userName('dt-sunba')])
    await sendText('3')
    expect(await userName('dt-zhangsan')).toBe('张三')
    expect(fake.tokensIssued).toBe(2)
    expect(fake.calls.filter((c) => c === 'POST /v1.0/oauth2/accessToken')).toHaveLength(1)
    expect(fake.calls.filter((c) => c === 'GET /gettoken')).toHaveLength(1)
    expect(fake.texts('dt-zhangsan')).toEqual(expect.arrayContaining(['1', '2', '3']))
  })

  it('replaces a token DingTalk no longer accepts, once', async () => {
    await sendText('before')
    expect(await userName('dt-lisi')).toBe('李四')
    fake.revokeTokens()
    await sendText('after')
    expect(await userName('dt-lisi')).toBe('李四')
    expect(fake.tokensIssued).toBe(4)
    expect(fake.texts('dt-zhangsan')).toEqual(['before', 'after'])
  })

  it('waits out rate limits with doubling back-off, and gives up after the last try', async () => {
    fake.throttle('/v1.0/robot/oToMessages/batchSend', 2)
    await sendText('eventually')
    expect(fake.texts('dt-zhangsan')).toEqual(['eventually'])
    expect(sleeps).toHaveLength(2)
    expect(sleeps[1]!).toBeGreaterThanOrEqual(80)

    fake.throttle('/topapi/v2/user/get', 2)
    expect(await userName('dt-sunba')).toBe('孙八')

    fake.throttle('/v1.0/robot/oToMessages/batchSend', 10)
    await expect(sendText('never')).rejects.toMatchObject({ code: 'rateLimited', status: 429 })
    expect(fake.texts('dt-zhangsan')).toEqual(['eventually'])
  })

  it('reports DingTalk errors with their code, and refuses webhooks off DingTalk', async () => {
    await expect(client.oapi('/topapi/v2/user/get', { userid: 'nobody' })).rejects.toMatchObject({ code: '60121' })
    const wrong = new DingtalkClient({ clientId: APP.clientId, clientSecret: 'wrong', apiBase: fake.url, oapiBase: fake.url })
    await expect(wrong.api('POST', '/v1.0/robot/oToMessages/batchSend', {})).rejects.toBeInstanceOf(DingtalkApiError)
    await expect(client.postSessionWebhook('https://evil.example.com/robot/sendBySession?session=x', { msgtype: 'text', text: { content: 'x' } })).rejects.toMatchObject({
      code: 'foreignWebhook',
    })
  })
})
