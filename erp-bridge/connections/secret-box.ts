/**
 * Seals ERP secrets (passwords, signing keys) for storage with AES-256-GCM through WebCrypto, so
 * the same code runs on Node and Workers. Each sealed value is bound to the record it belongs to
 * (additional data), so a ciphertext copied onto another connection does not open.
 * Format: `v1.<iv base64url>.<ciphertext+tag base64url>`.
 */
export class SecretBox {
  private constructor(private readonly key: CryptoKey) {}

  /** `keyMaterial`: 32 bytes derived from APP_SECRET_KEY for this purpose (server/secret-key.ts deriveKey). */
  static async fromKey(keyMaterial: Uint8Array): Promise<SecretBox> {
    if (keyMaterial.byteLength !== 32) throw new Error(`ERP 密钥长度应为 32 字节 / the key must be 32 bytes, got ${keyMaterial.byteLength}`)
    const key = await crypto.subtle.importKey('raw', keyMaterial as BufferSource, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt'])
    return new SecretBox(key)
  }

  async seal(plaintext: string, boundTo: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12))
    const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8(boundTo) }, this.key, utf8(plaintext))
    return `v1.${base64url(iv)}.${base64url(new Uint8Array(sealed))}`
  }

  async open(sealed: string, boundTo: string): Promise<string> {
    const [version, iv, data] = sealed.split('.')
    if (version !== 'v1' || !iv || !data) throw new SecretUnreadable('格式不对 / unknown format')
    try {
      const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64url(iv), additionalData: utf8(boundTo) }, this.key, fromBase64url(data))
      return new TextDecoder().decode(plain)
    } catch {
      throw new SecretUnreadable('密钥不匹配或数据被改动 / wrong key or tampered data')
    }
  }
}

/** Stored secrets that cannot be opened: APP_SECRET_KEY changed, or the row was tampered with. */
export class SecretUnreadable extends Error {
  constructor(why: string) {
    super(`无法解密已保存的 ERP 密码（${why}）；APP_SECRET_KEY 是否变过？请重新填写连接密码。Stored ERP secrets cannot be decrypted; re-enter them.`)
    this.name = 'SecretUnreadable'
  }
}

const utf8 = (text: string) => new TextEncoder().encode(text)

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}
