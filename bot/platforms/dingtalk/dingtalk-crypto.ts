import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** DingTalk signs callbacks with millisecond timestamps and refuses anything older than an hour. */
export const SIGNATURE_WINDOW_MS = 60 * 60_000

/** DingTalk pads to 32-byte blocks (PKCS#7 with k = 32), which Node's 16-byte auto-padding rejects. */
const PAD_BLOCK = 32

export class CallbackRejected extends Error {}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

function withinWindow(timestamp: string | undefined, now: number): boolean {
  const ms = Number(timestamp)
  return Number.isFinite(ms) && Math.abs(now - ms) <= SIGNATURE_WINDOW_MS
}

const hmacBase64 = (key: string, message: string) => createHmac('sha256', key).update(message, 'utf8').digest('base64')

/** The robot's HTTP outgoing callback: `sign = base64(HMAC-SHA256(appSecret, timestamp + "\n" + appSecret))`. */
export function verifyRobotSignature(headers: { timestamp?: string; sign?: string }, appSecret: string, now = Date.now()): void {
  if (!headers.timestamp || !headers.sign) throw new CallbackRejected('missing timestamp/sign headers')
  if (!withinWindow(headers.timestamp, now)) throw new CallbackRejected('timestamp outside the 1-hour window')
  if (!sameText(hmacBase64(appSecret, `${headers.timestamp}\n${appSecret}`), headers.sign)) throw new CallbackRejected('bad robot signature')
}

/** Card callbacks over HTTP: `x-ddpaas-signature = base64(HMAC-SHA256(apiSecret, timestampMs))`. */
export function verifyCardSignature(headers: { timestamp?: string; signature?: string }, apiSecret: string, now = Date.now()): void {
  if (!headers.timestamp || !headers.signature) throw new CallbackRejected('missing x-ddpaas-signature headers')
  if (!withinWindow(headers.timestamp, now)) throw new CallbackRejected('card callback timestamp outside the 1-hour window')
  if (!sameText(hmacBase64(apiSecret, headers.timestamp), headers.signature)) throw new CallbackRejected('bad card callback signature')
}

export interface EncryptedReply {
  msg_signature: string
  timeStamp: string
  nonce: string
  encrypt: string
}

/**
 * The event-subscription envelope ("DingCallbackCrypto"): SHA1 signature over the sorted
 * token/timestamp/nonce/ciphertext, AES-256-CBC with IV = key[0..16), plaintext
 * `random16 || uint32_be(length) || message || ownerKey`.
 */
export class CallbackCrypto {
  private readonly key: Buffer

  constructor(
    private readonly token: string,
    encodingAesKey: string,
    /** The app key for console event subscriptions (the corp id for legacy corp-level registrations). */
    private readonly ownerKey: string,
  ) {
    this.key = Buffer.from(`${encodingAesKey}=`, 'base64')
    if (encodingAesKey.length !== 43 || this.key.length !== 32) {
      throw new Error('DINGTALK_CALLBACK_AES_KEY 必须是 43 个字符 / must be the 43-character EncodingAESKey')
    }
  }

  signature(timestamp: string, nonce: string, encrypt: string): string {
    return createHash('sha1').update([this.token, timestamp, nonce, encrypt].sort().join(''), 'utf8').digest('hex')
  }

  /** Verifies, decrypts and checks the owner key; any mismatch throws before the content is used. */
  decrypt(input: { signature?: string; timestamp?: string; nonce?: string; encrypt?: string }): string {
    const { signature, timestamp, nonce, encrypt } = input
    if (!signature || !timestamp || !nonce || !encrypt) throw new CallbackRejected('missing signature/timestamp/nonce/encrypt')
    if (!sameText(this.signature(timestamp, nonce, encrypt), signature)) throw new CallbackRejected('bad event signature')
    const cipherText = Buffer.from(encrypt, 'base64')
    if (cipherText.length === 0 || cipherText.length % 16 !== 0) throw new CallbackRejected('ciphertext is not whole AES blocks')
    const decipher = createDecipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16))
    decipher.setAutoPadding(false)
    const padded = Buffer.concat([decipher.update(cipherText), decipher.final()])
    const pad = padded[padded.length - 1] ?? 0
    if (pad < 1 || pad > PAD_BLOCK || pad > padded.length || !padded.subarray(padded.length - pad).every((b) => b === pad)) {
      throw new CallbackRejected('bad padding')
    }
    const plain = padded.subarray(0, padded.length - pad)
    if (plain.length < 20) throw new CallbackRejected('plaintext too short')
    const length = plain.readUInt32BE(16)
    if (20 + length > plain.length) throw new CallbackRejected('bad message length')
    const owner = plain.subarray(20 + length).toString('utf8')
    if (!sameText(owner, this.ownerKey)) throw new CallbackRejected('event addressed to another app')
    return plain.subarray(20, 20 + length).toString('utf8')
  }

  encrypt(message: string, random = randomBytes(16)): string {
    const body = Buffer.from(message, 'utf8')
    const length = Buffer.alloc(4)
    length.writeUInt32BE(body.length)
    const plain = Buffer.concat([random, length, body, Buffer.from(this.ownerKey, 'utf8')])
    const pad = PAD_BLOCK - (plain.length % PAD_BLOCK)
    const cipher = createCipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16))
    cipher.setAutoPadding(false)
    return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64')
  }

  /** The answer DingTalk expects once an event is taken: the encrypted, signed word `success`. */
  reply(now = Date.now()): EncryptedReply {
    const timeStamp = String(now)
    const nonce = randomBytes(6).toString('base64url')
    const encrypt = this.encrypt('success')
    return { msg_signature: this.signature(timeStamp, nonce, encrypt), timeStamp, nonce, encrypt }
  }
}
