import { createHash, createHmac } from 'node:crypto'

/**
 * The 自建应用 token signature and the derived idempotency handles.
 *
 * Signature, confirmed by three agreeing public sources: a YonBIP skill reference summarising
 * open.yonyoucloud.com ("除 signature 外的参数按名排序，「名+值」直接拼接 → HmacSHA256（key = appSecret）→
 * Base64 → URL 编码一次", timestamp in milliseconds, reply `{"code":"00000","data":{"access_token","expire":7200}}`),
 * a Python token helper that signs `appKey<v>timestamp<v>` and encodes once with urlencode, and a
 * TypeScript test pinning the source string `appKey41832a3d2df94989b500da6a22268747timestamp1568098531823`.
 * The digest is the raw HMAC in base64, not hex.
 */
export function tokenSignature(appKey: string, timestampMs: number, appSecret: string): string {
  const params: Record<string, string> = { appKey, timestamp: String(timestampMs) }
  const source = Object.keys(params)
    .sort()
    .map((name) => name + params[name])
    .join('')
  return createHmac('sha256', appSecret).update(source, 'utf8').digest('base64')
}

/**
 * resubmitCheckKey / businessId: stable for one request and kind, at most 32 characters as the MDD
 * 幂等 APIs require ("长度不能超过32位", e.g. 通用报销单保存 and 采购订单单个保存V2 parameter tables).
 */
export function checkKey(kind: string, key: string): string {
  return createHash('sha256').update(`${kind}:${key}`, 'utf8').digest('hex').slice(0, 32)
}
