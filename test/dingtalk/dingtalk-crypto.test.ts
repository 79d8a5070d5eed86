import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { CallbackCrypto, CallbackRejected, verifyCardSignature, verifyRobotSignature } from '../../bot/platforms/dingtalk/dingtalk-crypto.js'

// The sample from DingTalk's own DingCallbackCrypto (open-dingtalk/DingTalk-Callback-Crypto): a
// check_url event whose padding is 31 bytes, which Node's 16-byte auto-padding cannot remove.
const SAMPLE = {
  token: 'mryue',
  aesKey: 'Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7',
  ownerKey: 'ding6ccabc44d2c8d38b',
  signature: '03044561471240d4a14bb09372dfcfd4fd0e40cb',
  timestamp: '1608001896814',
  nonce: 'WL4PK6yA',
  encrypt: '0vJiX6vliEpwG3U45CtXqi+m8PXbQRARJ8p8BbDuD1EMTDf0jKpQ79QS93qEk7XHpP6u+oTTrd15NRPvNvmBKyDCYxxOK+HZeKju4yhELOFchzNukR+t8SB/qk4ROMu3',
}

describe('DingTalk event crypto', () => {
  const crypto = new CallbackCrypto(SAMPLE.token, SAMPLE.aesKey, SAMPLE.ownerKey)

  it("decrypts DingTalk's published sample", () => {
    expect(crypto.decrypt(SAMPLE)).toBe('{"EventType":"check_url"}')
  })

  it('round-trips every padding length, including a whole 32-byte block', () => {
    for (let length = 0; length <= 40; length++) {
      const message = 'x'.repeat(length)
      const encrypt = crypto.encrypt(message)
      expect(Buffer.from(encrypt, 'base64').length % 32).toBe(0)
      expect(crypto.decrypt({ signature: crypto.signature('1', 'n', encrypt), timestamp: '1', nonce: 'n', encrypt })).toBe(message)
    }
  })

  it('answers with the encrypted, signed word success', () => {
    const reply = crypto.reply(1_700_000_000_000)
    expect(reply.timeStamp).toBe('1700000000000')
    expect(crypto.decrypt({ signature: reply.msg_signature, timestamp: reply.timeStamp, nonce: reply.nonce, encrypt: reply.encrypt })).toBe('success')
  })

  it('rejects a forged signature, another app, a tampered or truncated ciphertext', () => {
    expect(() => crypto.decrypt({ ...SAMPLE, signature: '0'.repeat(40) })).toThrow(CallbackRejected)
    expect(() => crypto.decrypt({ ...SAMPLE, nonce: 'other' })).toThrow(CallbackRejected)
    expect(() => new CallbackCrypto(SAMPLE.token, SAMPLE.aesKey, 'dingotherapp').decrypt(SAMPLE)).toThrow(/another app/)

    const flipped = Buffer.from(SAMPLE.encrypt, 'base64')
    flipped[flipped.length - 1]! ^= 0xff
    const tampered = flipped.toString('base64')
    expect(() => crypto.decrypt({ ...SAMPLE, encrypt: tampered, signature: crypto.signature(SAMPLE.timestamp, SAMPLE.nonce, tampered) })).toThrow(CallbackRejected)

    const truncated = Buffer.from(SAMPLE.encrypt, 'base64').subarray(0, 40).toString('base64')
    expect(() => crypto.decrypt({ ...SAMPLE, encrypt: truncated, signature: crypto.signature(SAMPLE.timestamp, SAMPLE.nonce, truncated) })).toThrow(/whole AES blocks/)
    expect(() => crypto.decrypt({ ...SAMPLE, encrypt: undefined })).toThrow(CallbackRejected)
  })

  it('refuses an EncodingAESKey that is not 43 characters', () => {
    expect(() => new CallbackCrypto('t', 'short', 'k')).toThrow(/43/)
  })
})

describe('DingTalk HMAC signatures', () => {
  const secret = 'app-secret'
  const now = 1_764_000_000_000
  const robotSign = (timestamp: number, key = secret) => createHmac('sha256', key).update(`${timestamp}\n${key}`).digest('base64')
  const cardSign = (timestamp: number, key = secret) => createHmac('sha256', key).update(String(timestamp)).digest('base64')

  it('accepts a robot callback signed within the hour, rejects stale, forged and unsigned ones', () => {
    expect(() => verifyRobotSignature({ timestamp: String(now - 59 * 60_000), sign: robotSign(now - 59 * 60_000) }, secret, now)).not.toThrow()
    expect(() => verifyRobotSignature({ timestamp: String(now - 61 * 60_000), sign: robotSign(now - 61 * 60_000) }, secret, now)).toThrow(/window/)
    expect(() => verifyRobotSignature({ timestamp: String(now + 61 * 60_000), sign: robotSign(now + 61 * 60_000) }, secret, now)).toThrow(/window/)
    expect(() => verifyRobotSignature({ timestamp: String(now), sign: robotSign(now, 'other') }, secret, now)).toThrow(/bad robot signature/)
    expect(() => verifyRobotSignature({ timestamp: String(now) }, secret, now)).toThrow(/missing/)
  })

  it('accepts a card callback signed with the registered apiSecret only', () => {
    expect(() => verifyCardSignature({ timestamp: String(now), signature: cardSign(now) }, secret, now)).not.toThrow()
    expect(() => verifyCardSignature({ timestamp: String(now), signature: cardSign(now, 'other') }, secret, now)).toThrow(/bad card/)
    expect(() => verifyCardSignature({ timestamp: String(now - 2 * 3600_000), signature: cardSign(now - 2 * 3600_000) }, secret, now)).toThrow(/window/)
  })
})
