import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto'

/**
 * Feishu's callback crypto (PROTOCOLS.md F1/F2): AES-256-CBC with key = SHA-256(encrypt key) and the
 * IV in front of the ciphertext; signatures are hex SHA-256 / SHA-1 over header values + raw body.
 */

/** `{"encrypt": base64(iv || ciphertext)}` → the plaintext JSON text. Throws on a bad ciphertext. */
export function decryptFeishu(encryptKey: string, encrypted: string): string {
  const key = aesKeyOf(encryptKey)
  const data = Buffer.from(encrypted, 'base64')
  if (data.length < 32 || data.length % 16 !== 0) throw new Error('ciphertext has the wrong length')
  const decipher = createDecipheriv('aes-256-cbc', key, data.subarray(0, 16))
  return Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]).toString('utf8')
}

/** An app has one encrypt key: its hash is taken once, not on every callback (4 µs of the ack path). */
let derived: { encryptKey: string; key: Buffer } | undefined
function aesKeyOf(encryptKey: string): Buffer {
  if (derived?.encryptKey !== encryptKey) derived = { encryptKey, key: createHash('sha256').update(encryptKey, 'utf8').digest() }
  return derived.key
}

/** Schema 2.0 events and callbacks: hex SHA-256(timestamp + nonce + encryptKey + raw body bytes). */
export function eventSignature(timestamp: string, nonce: string, encryptKey: string, rawBody: Buffer): string {
  return createHash('sha256').update(Buffer.from(timestamp + nonce + encryptKey, 'utf8')).update(rawBody).digest('hex')
}

/** Legacy card callbacks ("消息卡片请求网址"): hex SHA-1(timestamp + nonce + verificationToken + raw body). */
export function legacyCardSignature(timestamp: string, nonce: string, verificationToken: string, rawBody: Buffer): string {
  return createHash('sha1').update(Buffer.from(timestamp + nonce + verificationToken, 'utf8')).update(rawBody).digest('hex')
}

/** Constant-time comparison, so a forger learns nothing from response timing. */
export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8')
  const right = Buffer.from(b, 'utf8')
  return left.length === right.length && timingSafeEqual(left, right)
}
