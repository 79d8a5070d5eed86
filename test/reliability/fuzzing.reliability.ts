import { createCipheriv, createHash, createHmac, randomBytes, randomUUID } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { APP as DINGTALK_APP, EVENT_KEYS } from '../dingtalk/dingtalk-harness.js'
import { feishuEncrypt, feishuSign } from '../fakes/feishu/feishu-event-pusher.js'
import { APP as FEISHU_APP } from '../feishu/feishu-harness.js'
import { AdminClient } from '../miniapp/admin-client.js'
import { startChatStack, type ChatStack } from './chat-stack.js'

/**
 * Hostile input to every public route (/feishu/*, /dingtalk/*, /api/admin/*, /api/dev/*, read off
 * the app's own route table, so a new route is fuzzed the day it is added): wrong types, bad
 * UTF-8, truncated, huge and deeply nested JSON, bad base64 and ciphertexts, forged and missing
 * signature headers, garbage path parameters, anonymous and signed in. The answer is never a 5xx,
 * every refusal carries a message, and nothing crashes (vitest fails on an unhandled rejection).
 * Callbacks without a valid signature are always refused with a 4xx. Bodies over 1 MB get 413.
 */
const GENERAL_RUNS = 6_000
const FEISHU_RUNS = 2_500
const DINGTALK_RUNS = 2_500
const PUBLIC = /^\/(feishu|dingtalk|api\/admin|api\/dev)\//
const MB = 1024 * 1024

interface Route {
  method: string
  path: string
}

interface Shot {
  method: string
  path: string
  headers: Record<string, string>
  body?: Uint8Array | string
  /** Unsigned or forged callbacks must be refused; signed garbage only must not break anything. */
  mustRefuse: boolean
}

interface Answer {
  status: number
  message: unknown
}

// ── building blocks ─────────────────────────────────────────────────────────────────────────────

/** Percent-encodes UTF-8 bytes, so any string (lone surrogates included) fits in a path. */
const encode = (text: string) => [...Buffer.from(text, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('')

const pathParam = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }).map(encode),
  fc.uuid(),
  fc.constantFrom('..', '%2e%2e', '%', '%zz', '%E0%A4%A', '%00', 'null', '-1', '0', '9'.repeat(40), "'%20OR%201=1--", '%3Cscript%3E', 'x'.repeat(600)),
)

const garbageHeaderValue = fc.oneof(fc.string({ unit: 'grapheme-ascii', maxLength: 80 }).map((s) => s.replace(/[\r\n]/g, ' ')), fc.constantFrom('', '0', '-1', '9'.repeat(30), 'null', 'Bearer x'))

const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', '', 'garbage/;;;')

const deepArrays = fc.integer({ min: 1, max: 120_000 }).map((n) => '['.repeat(n) + ']'.repeat(n))
const deepObjects = fc.integer({ min: 1, max: 60_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n))
const hugeString = fc.integer({ min: 10_000, max: 900_000 }).map((n) => JSON.stringify({ text: 'x'.repeat(n), userId: 'zhangsan' }))
const truncated = fc.tuple(fc.jsonValue({ maxDepth: 4 }), fc.nat()).map(([value, cut]) => {
  const text = JSON.stringify(value) ?? ''
  return text.slice(0, text.length === 0 ? 0 : cut % text.length)
})

/** Keys any of our bodies use, with values of any type: right names, wrong types. */
const KNOWN_KEYS = ['userId', 'text', 'comment', 'decision', 'ids', 'reason', 'rows', 'csv', 'name', 'adapter', 'settings', 'secrets', 'encrypt', 'challenge', 'token', 'type', 'schema', 'header', 'event', 'msgId', 'outTrackId', 'content', 'value', 'code', 'definition', 'severity', 'params', 'active', 'kind', 'localKey', 'erpCode', 'departmentIds', 'taxIds', 'department_id', 'roles']
const rightNamesWrongTypes = fc.dictionary(fc.constantFrom(...KNOWN_KEYS), fc.anything({ maxDepth: 3 }), { maxKeys: 6 }).map((o) => JSON.stringify(o))

const anyBody: fc.Arbitrary<Uint8Array | string> = fc.oneof(
  { weight: 3, arbitrary: rightNamesWrongTypes },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 2048 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 400 }) },
  { weight: 2, arbitrary: truncated },
  { weight: 1, arbitrary: deepArrays },
  { weight: 1, arbitrary: deepObjects },
  { weight: 1, arbitrary: hugeString },
)

const CALLBACK_HEADERS = ['x-lark-request-timestamp', 'x-lark-request-nonce', 'x-lark-signature', 'timestamp', 'sign', 'x-ddpaas-signature', 'x-ddpaas-signature-timestamp', 'x-csrf-token', 'cookie', 'origin', 'x-request-id']
const extraHeaders = fc.dictionary(fc.constantFrom(...CALLBACK_HEADERS), garbageHeaderValue, { maxKeys: 4 })

/** A route's path with each :param replaced by a fuzzed one, and sometimes a garbage query. */
const concretePath = (route: Route) =>
  fc.tuple(fc.array(pathParam, { minLength: 5, maxLength: 5 }), fc.option(fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).map(encode))).map(([params, query]) => {
    let i = 0
    const path = route.path.replace(/:[A-Za-z]+/g, () => params[i++ % params.length]!)
    return query ? `${path}?${query.replace(/%3D/g, '=').replace(/%26/g, '&')}` : path
  })

// ── callbacks as the platforms would sign them (or almost) ───────────────────────────────────────

const base64Garbage = fc.oneof(fc.base64String({ maxLength: 400 }), fc.string({ unit: 'grapheme-ascii', maxLength: 200 }), fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('base64')))

/** Plaintexts a Feishu ciphertext might carry once decrypted: not JSON, JSON of the wrong shape, a challenge with the wrong token. */
const feishuPlaintext = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  rightNamesWrongTypes,
  fc.record({ type: fc.constant('url_verification'), challenge: fc.anything({ maxDepth: 1 }), token: fc.oneof(fc.constant(FEISHU_APP.verificationToken), fc.string()) }).map((v) => JSON.stringify(v)),
  fc
    .record({
      schema: fc.constant('2.0'),
      header: fc.record({ event_id: fc.anything({ maxDepth: 1 }), event_type: fc.constantFrom('im.message.receive_v1', 'card.action.trigger', 'x'), token: fc.constant(FEISHU_APP.verificationToken) }),
      event: fc.anything({ maxDepth: 3 }),
    })
    .map((v) => JSON.stringify(v)),
)

function isUrlCheck(plaintext: string): boolean {
  try {
    const body = JSON.parse(plaintext) as { type?: unknown; token?: unknown }
    return body.type === 'url_verification' && body.token === FEISHU_APP.verificationToken
  } catch {
    return false
  }
}

const feishuShot: fc.Arbitrary<Shot> = fc
  .record({
    path: fc.constantFrom('/feishu/events', '/feishu/cards'),
    plaintext: feishuPlaintext,
    how: fc.constantFrom('signed', 'forged-signature', 'unsigned', 'stale', 'bad-ciphertext', 'garbage-body', 'legacy-card'),
    ciphertext: base64Garbage,
    body: anyBody,
  })
  .map(({ path, plaintext, how, ciphertext, body }) => {
    const now = Math.floor(Date.now() / 1000)
    const timestamp = String(how === 'stale' ? now - 3600 : now)
    const nonce = randomUUID()
    let raw: string | Uint8Array =
      how === 'garbage-body' ? body : JSON.stringify({ encrypt: how === 'bad-ciphertext' ? ciphertext : feishuEncrypt(FEISHU_APP.encryptKey, plaintext) })
    if (how === 'legacy-card') raw = JSON.stringify({ open_id: 'ou_x', open_message_id: 'om_x', token: 't', action: { value: plaintext } })
    const bytes = typeof raw === 'string' ? raw : Buffer.from(raw).toString('latin1')
    const signature =
      how === 'legacy-card'
        ? createHash('sha1').update(timestamp + nonce + FEISHU_APP.verificationToken + bytes).digest('hex')
        : feishuSign(timestamp, nonce, FEISHU_APP.encryptKey, bytes)
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (how !== 'unsigned') {
      Object.assign(headers, { 'x-lark-request-timestamp': timestamp, 'x-lark-request-nonce': nonce, 'x-lark-signature': how === 'forged-signature' ? signature.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) : signature })
    }
    // Only a correctly signed, fresh request may get past verification, and the console's URL
    // check, which Feishu sends unsigned: a challenge carrying the right token is answered.
    const urlCheck = how === 'unsigned' && isUrlCheck(plaintext)
    return { method: 'POST', path, headers, body: raw, mustRefuse: !urlCheck && how !== 'signed' && how !== 'garbage-body' && how !== 'legacy-card' }
  })

function dingtalkEncrypt(plain: string): string {
  const key = Buffer.from(`${EVENT_KEYS.aesKey}=`, 'base64')
  const message = Buffer.from(plain)
  const length = Buffer.alloc(4)
  length.writeUInt32BE(message.length)
  const body = Buffer.concat([randomBytes(16), length, message, Buffer.from(EVENT_KEYS.ownerKey)])
  const pad = 32 - (body.length % 32)
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false)
  return Buffer.concat([cipher.update(Buffer.concat([body, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64')
}

const dingtalkShot: fc.Arbitrary<Shot> = fc
  .record({
    how: fc.constantFrom('robot-signed', 'robot-forged', 'robot-stale', 'card-signed', 'card-forged', 'event-signed', 'event-forged', 'event-bad-ciphertext', 'unsigned'),
    body: anyBody,
    plaintext: feishuPlaintext,
    ciphertext: base64Garbage,
  })
  .map(({ how, body, plaintext, ciphertext }) => {
    const secret = DINGTALK_APP.clientSecret
    const now = Date.now()
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    let path = '/dingtalk/events'
    let raw: string | Uint8Array = body
    if (how.startsWith('robot')) {
      const timestamp = String(how === 'robot-stale' ? now - 2 * 3600_000 : now)
      headers.timestamp = timestamp
      headers.sign = createHmac('sha256', how === 'robot-forged' ? 'not-the-secret' : secret).update(`${timestamp}\n${secret}`).digest('base64')
    } else if (how.startsWith('card')) {
      headers['x-ddpaas-signature-timestamp'] = String(now)
      headers['x-ddpaas-signature'] = createHmac('sha256', how === 'card-forged' ? 'not-the-secret' : secret).update(String(now)).digest('base64')
    } else if (how.startsWith('event')) {
      const encrypt = how === 'event-bad-ciphertext' ? ciphertext : dingtalkEncrypt(plaintext)
      const timestamp = String(now)
      const nonce = randomBytes(4).toString('hex')
      const signature = createHash('sha1').update([EVENT_KEYS.token, timestamp, nonce, encrypt].sort().join('')).digest('hex')
      path = `/dingtalk/events?msg_signature=${how === 'event-forged' ? signature.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) : signature}&timestamp=${timestamp}&nonce=${nonce}`
      raw = typeof body === 'string' && body.length % 2 === 0 ? body : JSON.stringify({ encrypt })
    }
    return { method: 'POST', path, headers, body: raw, mustRefuse: !how.endsWith('-signed') }
  })

// ── the property ─────────────────────────────────────────────────────────────────────────────────

describe('fuzzing every public route', () => {
  let stack: ChatStack
  let routes: Route[]
  let admin: AdminClient
  let employee: AdminClient
  let tried = 0

  beforeAll(async () => {
    stack = await startChatStack('sqlite')
    const app = stack.instances[0]!.t.app
    const seen = new Set<string>()
    routes = app.routes.filter((r) => r.method !== 'ALL' && PUBLIC.test(r.path) && !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`))
    admin = await AdminClient.signIn(app, 'admin')
    employee = await AdminClient.signIn(app, 'zhangsan')
  })
  afterAll(async () => {
    await stack?.settle()
    await stack?.close()
    console.log(`fuzzing: ${tried} inputs tried`)
  })

  async function send(shot: Shot, as?: AdminClient): Promise<Answer> {
    tried++
    const app = stack.instances[0]!.t.app
    const headers = { ...shot.headers }
    if (as) {
      headers.cookie = [...as.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
      if (as.csrfToken) headers['x-csrf-token'] = decodeURIComponent(as.csrfToken)
      headers.origin = 'http://localhost'
    }
    const hasBody = shot.body !== undefined && !['GET', 'HEAD'].includes(shot.method)
    const response = await app.request(`http://localhost${shot.path}`, { method: shot.method, headers, body: hasBody ? (shot.body as BodyInit) : undefined })
    const text = await response.text()
    let message: unknown
    try {
      message = (JSON.parse(text) as { message?: unknown }).message
    } catch {
      message = undefined
    }
    return { status: response.status, message }
  }

  const acceptable = (answer: Answer, shot: Shot) => {
    if (answer.status >= 500) return false
    if (answer.status >= 400 && (typeof answer.message !== 'string' || answer.message.length === 0)) return false
    return !shot.mustRefuse || (answer.status >= 400 && answer.status < 500)
  }

  it(`${GENERAL_RUNS} malformed requests to every route, anonymous and signed in: never a 5xx, every refusal explained`, async () => {
    expect(routes.length).toBeGreaterThan(40)
    const shot = fc
      .record({ route: fc.constantFrom(...routes), wrongMethod: fc.boolean(), method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'), type: contentType, headers: extraHeaders, body: fc.option(anyBody, { freq: 5 }), as: fc.constantFrom('anonymous', 'admin', 'employee') })
      .chain((r) => concretePath(r.route).map((path) => ({ ...r, path })))
    await fc.assert(
      fc.asyncProperty(shot, async (input) => {
        const s: Shot = {
          method: input.wrongMethod ? input.method : input.route.method,
          path: input.path,
          headers: { ...input.headers, ...(input.type ? { 'content-type': input.type } : {}) },
          body: input.body ?? undefined,
          mustRefuse: false,
        }
        const as = input.as === 'admin' ? admin : input.as === 'employee' ? employee : undefined
        const answer = await send(s, as)
        if (answer.status === 401 && as) {
          // A fuzzed logout ended the session: sign in again for the next inputs.
          if (as === admin) admin = await AdminClient.signIn(stack.instances[0]!.t.app, 'admin')
          else employee = await AdminClient.signIn(stack.instances[0]!.t.app, 'zhangsan')
        }
        if (!acceptable(answer, s)) throw new Error(`${s.method} ${s.path.slice(0, 200)} as ${input.as} → ${answer.status} ${JSON.stringify(answer.message)}`)
      }),
      { numRuns: GENERAL_RUNS },
    )
  })

  it(`${FEISHU_RUNS} Feishu callbacks: forged, unsigned, stale, undecryptable or signed garbage`, async () => {
    await fc.assert(
      fc.asyncProperty(feishuShot, async (s) => {
        const answer = await send(s)
        if (!acceptable(answer, s)) throw new Error(`${s.path} (${s.mustRefuse ? 'must be refused' : 'signed'}) → ${answer.status} ${JSON.stringify(answer.message)}`)
      }),
      { numRuns: FEISHU_RUNS },
    )
  })

  it(`${DINGTALK_RUNS} DingTalk callbacks: robot, card and event, forged or signed garbage`, async () => {
    await fc.assert(
      fc.asyncProperty(dingtalkShot, async (s) => {
        const answer = await send(s)
        if (!acceptable(answer, s)) throw new Error(`${s.path} ${JSON.stringify(s.headers)} (${s.mustRefuse ? 'must be refused' : 'signed'}) → ${answer.status} ${JSON.stringify(answer.message)}`)
      }),
      { numRuns: DINGTALK_RUNS },
    )
  })

  /** What the fuzzer found (each answered 5xx, or 502 for the caller's own bad input), kept as fixed cases. */
  const signedRobot = () => {
    const timestamp = String(Date.now())
    return { 'content-type': 'application/json', timestamp, sign: createHmac('sha256', DINGTALK_APP.clientSecret).update(`${timestamp}\n${DINGTALK_APP.clientSecret}`).digest('base64') }
  }
  const signedCard = () => {
    const timestamp = String(Date.now())
    return { 'content-type': 'application/json', 'x-ddpaas-signature-timestamp': timestamp, 'x-ddpaas-signature': createHmac('sha256', DINGTALK_APP.clientSecret).update(timestamp).digest('base64') }
  }
  const FOUND: { name: string; shot: () => Shot; as?: 'admin'; status: number }[] = [
    { name: 'a mapping of an unknown kind deleted', as: 'admin', status: 400, shot: () => ({ method: 'DELETE', path: '/api/admin/erp/mappings/00000000-0000-1000-8000-000000000000/x', headers: {}, mustRefuse: true }) },
    { name: 'a signed DingTalk robot callback whose body is null', status: 400, shot: () => ({ method: 'POST', path: '/dingtalk/events', headers: signedRobot(), body: 'null', mustRefuse: true }) },
    { name: 'a signed DingTalk card callback whose body is an array', status: 400, shot: () => ({ method: 'POST', path: '/dingtalk/events', headers: signedCard(), body: '[]', mustRefuse: true }) },
    { name: 'a DingTalk event whose body is a number', status: 400, shot: () => ({ method: 'POST', path: '/dingtalk/events?msg_signature=x&timestamp=1&nonce=n', headers: { 'content-type': 'application/json' }, body: '5', mustRefuse: true }) },
    { name: 'a DingTalk sign-in with an unknown (used, forged) code', status: 401, shot: () => ({ method: 'POST', path: '/api/admin/auth/dingtalk', headers: { 'content-type': 'application/json' }, body: '{"code":"used-already"}', mustRefuse: true }) },
  ]
  it.each(FOUND)('found by fuzzing: $name → $status with a message', async ({ shot, as, status }) => {
    const answer = await send(shot(), as === 'admin' ? admin : undefined)
    expect(answer.status).toBe(status)
    expect(typeof answer.message === 'string' && answer.message.length > 0).toBe(true)
  })

  it('every route that takes a body refuses one over 1 MB with 413, declared or streamed over a socket', async () => {
    const withBody = routes.filter((r) => r.method !== 'GET' && r.method !== 'HEAD')
    const url = new URL(stack.instances[0]!.url)
    for (const route of withBody) {
      const path = route.path.replace(/:[A-Za-z]+/g, 'x')
      const declared = await send({ method: route.method, path, headers: { 'content-type': 'application/json' }, body: `"${'x'.repeat(MB)}"`, mustRefuse: true }, admin)
      expect({ route: path, status: declared.status }).toEqual({ route: path, status: 413 })
      expect(String(declared.message)).toContain('1 MB')
      // Chunked, no Content-Length: counted as it arrives.
      const streamed = await new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: url.hostname, port: url.port, path, method: route.method, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        })
        req.on('error', reject)
        for (let sent = 0; sent <= MB; sent += 64 * 1024) req.write('x'.repeat(64 * 1024))
        req.end()
      })
      expect({ route: path, status: streamed }).toEqual({ route: path, status: 413 })
    }
  })
})
