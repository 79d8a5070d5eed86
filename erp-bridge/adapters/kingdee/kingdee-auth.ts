import { createHash, createHmac } from 'node:crypto'

/**
 * The two credentials K/3 Cloud accepts without a password: the LoginBySign digest and the
 * per-request signature headers of the SDK 8.x "第三方系统登录授权".
 *
 * Confirmed against the official SDK sources:
 * - Java SDK 8.x, ApiRequester.buildHeader / decodeSec / xOrSec and MD5Utils.hashMAC
 *   (github.com/leoluonet/k3cloud-webapi-sdk, src/main/java/com/kingdee/bos/webapi/sdk/).
 * - Python SDK kingdee.cdp.webapi.sdk, WebApiClient.BuildHeader
 *   (github.com/takewiki/k3cloud_webapi_sdk, build/lib/k3cloud_webapi_sdk/core/webapi_client.py).
 * Both agree on the header set, the string to sign, "HMAC → lowercase hex → base64", the XOR key
 * bytes being the ASCII text of 0054f397c6234378b09ca7d3e5debce7, and the key of X-Api-Signature
 * being the re-encoded base64 *string* (secret.getBytes()), not its decoded bytes.
 * The public Node port github.com/kingdee-nodejs/k3cloud (src/core/WebApiClient.js) hex-decodes the
 * XOR key into 16 bytes instead, which yields a different secret: that is the bug we avoid.
 * Timestamps: the Python SDK sends Unix seconds, the Java SDK milliseconds; the public gateway
 * reported a 10-digit value as expired (X-Api-TimeStamp过期), so we send seconds
 * (probe recorded in a K/3 Cloud skill reference, "无凭证探测结果", 2026-09-11).
 */

/** The XOR key is these 32 ASCII characters, used as bytes; never hex-decode it. */
const SECRET_MASK = Buffer.from('0054f397c6234378b09ca7d3e5debce7', 'utf8')

/** HMAC-SHA256, hex (lowercase), then base64 of that hex text: how every K/3 Cloud SDK signs. */
export function hmacHexBase64(message: string, key: string): string {
  const hex = createHmac('sha256', Buffer.from(key, 'utf8')).update(message, 'utf8').digest('hex')
  return Buffer.from(hex, 'utf8').toString('base64')
}

/** The gateway secret hidden in the second half of an AppID: base64(base64dec(part) XOR mask). */
export function decodeGatewaySecret(maskedPart: string): string {
  const raw = Buffer.from(maskedPart, 'base64')
  const out = Buffer.alloc(raw.length)
  for (let i = 0; i < raw.length; i++) out[i] = raw[i]! ^ SECRET_MASK[i % SECRET_MASK.length]!
  return out.toString('base64')
}

/** Splits `<clientId>_<masked secret>`; the config schema guarantees the shape. */
export function splitAppId(appId: string): { clientId: string; maskedSecret: string } {
  const cut = appId.indexOf('_')
  return { clientId: appId.slice(0, cut), maskedSecret: appId.slice(cut + 1) }
}

/** URL path as the SDKs sign it: percent-encoded with `/` written as %2F (Java URLEncoder / Python quote+replace). */
export function signedPath(url: string): string {
  return encodeURIComponent(new URL(url).pathname)
}

export interface SignatureIdentity {
  acctId: string
  username: string
  appId: string
  appSecret: string
  lcid: number
  /** 组织编码 for multi-organisation sites; 0 when not used. */
  orgNumber: string
}

/** The X-Api-* / X-Kd-* headers for one POST to `url`, at `nowSeconds`. */
export function signatureHeaders(url: string, identity: SignatureIdentity, nowSeconds: number): Record<string, string> {
  const { clientId, maskedSecret } = splitAppId(identity.appId)
  const timestamp = String(nowSeconds)
  const nonce = timestamp
  const toSign = `POST\n${signedPath(url)}\n\nx-api-nonce:${nonce}\nx-api-timestamp:${timestamp}\n`
  const appData = `${identity.acctId},${identity.username},${identity.lcid},${identity.orgNumber}`
  return {
    'X-Api-ClientID': clientId,
    'X-Api-Auth-Version': '2.0',
    'x-api-timestamp': timestamp,
    'x-api-nonce': nonce,
    'x-api-signheaders': 'x-api-timestamp,x-api-nonce',
    'X-Api-Signature': hmacHexBase64(toSign, decodeGatewaySecret(maskedSecret)),
    'X-Kd-Appkey': identity.appId,
    'X-Kd-Appdata': Buffer.from(appData, 'utf8').toString('base64'),
    'X-Kd-Signature': hmacHexBase64(identity.appId + appData, identity.appSecret),
  }
}

/**
 * LoginBySign's `sign`: the five values sorted ordinally, concatenated, hashed, lowercase hex.
 * Confirmed by ERP.md's reading of the SDKs and by a Go port of a working Python client
 * ("sha256SortedSign sorts the parts lexicographically, then SHA256-updates each in order").
 */
export function loginSign(parts: { acctId: string; username: string; appId: string; appSecret: string; timestamp: number }, hash: 'sha256' | 'sha1'): string {
  const values = [parts.acctId, parts.username, parts.appId, parts.appSecret, String(parts.timestamp)]
  values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return createHash(hash).update(values.join(''), 'utf8').digest('hex')
}
