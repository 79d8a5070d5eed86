import { env, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { CallbackCrypto } from '../../bot/platforms/dingtalk/dingtalk-crypto.js'
import { connectDurableSqlite } from '../../db/durable-sqlite/connect-durable-sqlite.js'
import { startWorkersApp, type Running, type WorkerEnv } from '../../server/worker.js'

const APP_SECRET_KEY = 'workers-config-test-secret-key-0123456789abcdef'

/** Starts the app the way the object does, on a fresh object's database, with these settings instead of the test env's. */
function startWith<R>(settings: Record<string, string>, use: (app: Running) => Promise<R>): Promise<R> {
  const namespace = (env as WorkerEnv).APP
  return runInDurableObject(namespace.get(namespace.idFromName(crypto.randomUUID())), async (_instance, state) => use(await startWorkersApp(connectDurableSqlite(state.storage), settings)))
}

const problem = (settings: Record<string, string>) => startWith(settings, async () => 'started').catch((error: unknown) => (error as Error).message)

// DingTalk's published DingCallbackCrypto sample: a check_url event for the app key below.
const DINGTALK_SAMPLE = {
  token: 'mryue',
  aesKey: 'Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7',
  appKey: 'ding6ccabc44d2c8d38b',
  query: 'msg_signature=03044561471240d4a14bb09372dfcfd4fd0e40cb&timestamp=1608001896814&nonce=WL4PK6yA',
  encrypt: '0vJiX6vliEpwG3U45CtXqi+m8PXbQRARJ8p8BbDuD1EMTDf0jKpQ79QS93qEk7XHpP6u+oTTrd15NRPvNvmBKyDCYxxOK+HZeKju4yhELOFchzNukR+t8SB/qk4ROMu3',
}

describe('starting on Workers', () => {
  it('refuses settings that cannot work there, saying which and why', async () => {
    expect(await problem({})).toContain('APP_SECRET_KEY')
    expect(await problem({ APP_SECRET_KEY, FEISHU_APP_ID: 'cli_0123456789abcdef', FEISHU_APP_SECRET: 's', FEISHU_MODE: 'ws' })).toContain('FEISHU_MODE: Workers 上只能用 http')
    expect(await problem({ APP_SECRET_KEY, DINGTALK_CLIENT_ID: 'id', DINGTALK_CLIENT_SECRET: 's' })).toContain('DINGTALK_MODE: Workers 上只能用 http')
  })

  it('DingTalk in HTTP mode: answers the console URL check with the encrypted, signed "success"', async () => {
    const settings = {
      APP_SECRET_KEY,
      DINGTALK_CLIENT_ID: DINGTALK_SAMPLE.appKey,
      DINGTALK_CLIENT_SECRET: 'dingtalk-secret',
      DINGTALK_MODE: 'http',
      DINGTALK_CALLBACK_TOKEN: DINGTALK_SAMPLE.token,
      DINGTALK_CALLBACK_AES_KEY: DINGTALK_SAMPLE.aesKey,
    }
    const reply = await startWith(settings, async (app) => {
      const response = await app.fetch(new Request(`https://approvals.example/dingtalk/events?${DINGTALK_SAMPLE.query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ encrypt: DINGTALK_SAMPLE.encrypt }) }))
      expect(response.status).toBe(200)
      return (await response.json()) as { msg_signature: string; timeStamp: string; nonce: string; encrypt: string }
    })
    const crypto = new CallbackCrypto(DINGTALK_SAMPLE.token, DINGTALK_SAMPLE.aesKey, DINGTALK_SAMPLE.appKey)
    expect(crypto.decrypt({ signature: reply.msg_signature, timestamp: reply.timeStamp, nonce: reply.nonce, encrypt: reply.encrypt })).toBe('success')
  })
})
