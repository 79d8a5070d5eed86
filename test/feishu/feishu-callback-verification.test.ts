import * as lark from '@larksuiteoapi/node-sdk'
import { describe, expect, it } from 'vitest'
import { decryptFeishu, legacyCardSignature } from '../../bot/platforms/feishu/feishu-crypto.js'
import { callbackTime, openCallback, type CallbackSecrets } from '../../bot/platforms/feishu/feishu-envelope.js'
import { profileOf } from '../../bot/platforms/feishu/feishu-identity.js'
import { feishuEncrypt, feishuSign, FeishuEventPusher, messageEnvelope } from '../fakes/feishu/feishu-event-pusher.js'

const SECRETS: CallbackSecrets = { verificationToken: 'v-token', encryptKey: 'e-key' }
const NOW = Date.now()
const quiet = () => {}
const SILENT = { error: quiet, warn: quiet, info: quiet, debug: quiet, trace: quiet }

const pusher = (secrets: CallbackSecrets) => new FeishuEventPusher({ target: 'http://unused', appId: 'cli_x', verificationToken: secrets.verificationToken!, encryptKey: secrets.encryptKey })
const event = (token = 'v-token') => messageEnvelope({ appId: 'cli_x', token, openId: 'ou_a', text: 'hi' })
const open = (body: string, headers: Record<string, string>, secrets = SECRETS, now = NOW) => openCallback(Buffer.from(body), (name) => headers[name], secrets, { now })

describe('Feishu callback crypto and verification (no database)', () => {
  it('decrypts the sample from Feishu docs, and what the fake pusher encrypts, like the SDK does', () => {
    expect(decryptFeishu('test key', 'P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=')).toBe('hello world')
    const encrypted = feishuEncrypt('e-key', '{"a":"飞书"}')
    expect(decryptFeishu('e-key', encrypted)).toBe('{"a":"飞书"}')
    expect(new lark.AESCipher('e-key').decrypt(encrypted)).toBe('{"a":"飞书"}')
  })

  it("the fake pusher's signature is one the SDK's own dispatcher accepts", async () => {
    const { body, headers } = pusher(SECRETS).wire(event())
    const dispatcher = new lark.EventDispatcher({ encryptKey: 'e-key', logger: SILENT }).register({ 'im.message.receive_v1': async () => 'dispatched' })
    expect(await dispatcher.invoke(Object.assign(Object.create({ headers }), JSON.parse(body)))).toBe('dispatched')
    const forged = { ...headers, 'x-lark-signature': '0'.repeat(64) }
    expect(await dispatcher.invoke(Object.assign(Object.create({ headers: forged }), JSON.parse(body)))).toBeUndefined()
  })

  it('accepts a signed, encrypted event and returns the decrypted body', () => {
    const { body, headers } = pusher(SECRETS).wire(event())
    const opened = open(body, headers)
    expect(opened.kind).toBe('body')
    expect(opened.kind === 'body' && (opened.body.header as { event_type: string }).event_type).toBe('im.message.receive_v1')
  })

  it('verifies the raw bytes: the same JSON re-serialised differently fails', () => {
    const { body, headers } = pusher(SECRETS).wire(event())
    expect(open(body.replace('{"encrypt":', '{ "encrypt": '), headers)).toMatchObject({ kind: 'rejected', status: 401 })
  })

  it('rejects forged signatures, stale timestamps, wrong tokens and bad ciphertext', () => {
    const p = pusher(SECRETS)
    const { body, headers } = p.wire(event())
    expect(open(body, { ...headers, 'x-lark-signature': 'a'.repeat(64) })).toMatchObject({ kind: 'rejected', status: 401, reason: expect.stringContaining('mismatch') })
    const stale = p.wire(event(), NOW - 10 * 60_000)
    expect(open(stale.body, stale.headers)).toMatchObject({ kind: 'rejected', status: 401, reason: expect.stringContaining('stale') })
    const future = p.wire(event(), NOW + 10 * 60_000)
    expect(open(future.body, future.headers)).toMatchObject({ kind: 'rejected', status: 401 })
    const wrongToken = p.wire(event('not-the-token'))
    expect(open(wrongToken.body, wrongToken.headers)).toMatchObject({ kind: 'rejected', status: 401, reason: expect.stringContaining('token') })
    // Signed by someone holding the key, but not AES under it: a 400, after the signature check.
    const garbage = JSON.stringify({ encrypt: Buffer.alloc(48, 7).toString('base64') })
    const signedGarbage = { ...headers, 'x-lark-signature': feishuSign(headers['x-lark-request-timestamp']!, headers['x-lark-request-nonce']!, 'e-key', garbage) }
    expect(open(garbage, signedGarbage)).toMatchObject({ kind: 'rejected', status: 400 })
  })

  it('answers the URL check unsigned (as the console sends it) but nothing else unsigned, and gives no padding oracle', () => {
    const challenge = { challenge: 'c-123', token: 'v-token', type: 'url_verification' }
    const encrypted = JSON.stringify({ encrypt: feishuEncrypt('e-key', JSON.stringify(challenge)) })
    expect(open(encrypted, {})).toEqual({ kind: 'challenge', challenge: 'c-123' })
    const wrongToken = JSON.stringify({ encrypt: feishuEncrypt('e-key', JSON.stringify({ ...challenge, token: 'x' })) })
    expect(open(wrongToken, {})).toMatchObject({ kind: 'rejected', status: 401 })
    const unsignedEvent = JSON.stringify({ encrypt: feishuEncrypt('e-key', JSON.stringify(event())) })
    const badCiphertext = JSON.stringify({ encrypt: Buffer.alloc(48, 1).toString('base64') })
    expect(open(unsignedEvent, {})).toEqual(open(badCiphertext, {}))
    // Without an encrypt key: plain challenge, token checked; encrypted bodies are a configuration error.
    const plain = { verificationToken: 'v-token' }
    expect(open(JSON.stringify(challenge), {}, plain)).toEqual({ kind: 'challenge', challenge: 'c-123' })
    expect(open(JSON.stringify(event('x')), {}, plain)).toMatchObject({ kind: 'rejected', status: 401 })
    expect(open(encrypted, {}, plain)).toMatchObject({ kind: 'rejected', status: 400 })
    expect(open('not json', {}, plain)).toMatchObject({ kind: 'rejected', status: 400 })
  })

  it('checks legacy card callbacks by their SHA-1 signature over the verification token', () => {
    const body = JSON.stringify({ open_id: 'ou_a', user_id: 'u', tenant_key: 't', open_message_id: 'om_1', token: 'c-1', action: { value: { card: 'x', action: 'approve' }, tag: 'button' } })
    const timestamp = String(Math.floor(NOW / 1000))
    const headers = { 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': 'n', 'x-lark-signature': legacyCardSignature(timestamp, 'n', 'v-token', Buffer.from(body)) }
    expect(open(body, headers)).toMatchObject({ kind: 'body', legacyCard: true })
    expect(open(body, { ...headers, 'x-lark-signature': legacyCardSignature(timestamp, 'n', 'guess', Buffer.from(body)) })).toMatchObject({ kind: 'rejected', status: 401 })
    expect(open(body, {})).toMatchObject({ kind: 'rejected', status: 401 })
  })

  it('reads timestamps in seconds, milliseconds or a Go time string', () => {
    expect(callbackTime('1700000000')).toBe(1_700_000_000_000)
    expect(callbackTime('1700000000123')).toBe(1_700_000_000_123)
    expect(callbackTime('2026-11-25 10:00:00.123456789 +0800 CST')).toBe(Date.parse('2026-11-25T02:00:00.123Z'))
    expect(callbackTime('soon')).toBeUndefined()
  })

  it('matches people on 工号, mainland mobile without +86, company mail first', () => {
    expect(profileOf({ name: '张三', employee_no: 'E1001', mobile: '+8613800001001', email: 'me@qq.com', enterprise_email: 'zs@corp.cn' })).toEqual({
      name: '张三',
      employeeNo: 'E1001',
      mobile: '13800001001',
      email: 'zs@corp.cn',
    })
    expect(profileOf({ name: 'Ann', mobile: '+6591234567' })).toEqual({ name: 'Ann', employeeNo: undefined, mobile: '+6591234567', email: undefined })
    expect(profileOf({})).toBeNull()
  })
})
