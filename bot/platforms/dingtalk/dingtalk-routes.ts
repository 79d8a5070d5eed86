import { createHash } from 'node:crypto'
import { Hono, type Context } from 'hono'
import type { Conversation } from '../../conversation/conversation.js'
import { CallbackRejected, verifyCardSignature, verifyRobotSignature, type CallbackCrypto } from './dingtalk-crypto.js'
import type { CardCallback, DingtalkInbound, RobotMessage } from './dingtalk-inbound.js'

export interface DingtalkRoutesOptions {
  inbound: DingtalkInbound
  /** Signs the robot's outgoing callbacks. */
  appSecret: string
  /** The `apiSecret` the card callback URL was registered with. */
  cardApiSecret: string
  /** Event subscription crypto; without DINGTALK_CALLBACK_TOKEN/AES_KEY events are refused. */
  eventCrypto?: CallbackCrypto
  log: (message: string) => void
  now?: () => number
}

/**
 * How long after signing other bodies may share a signature: deliveries DingTalk signs in the same
 * millisecond (two people writing at once) arrive together with the same headers. A header
 * captured from a log or a proxy is useless with another body after that.
 */
const SAME_SIGNING_MS = 10_000

/** A verified callback whose body is not the JSON object DingTalk sends: 400, not a crash. */
class MalformedBody extends Error {}

function jsonObject(text: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new MalformedBody('请求体不是 JSON / body is not JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MalformedBody('请求体不是 JSON 对象 / body is not a JSON object')
  return value as Record<string, unknown>
}

const rejected = (c: Context, reason: string) =>
  c.json({ ok: false, code: 'UNAUTHORIZED', message: `签名校验失败 / signature check failed: ${reason}` }, 401)

/**
 * `POST /dingtalk/events` (contract): one URL for the three kinds of DingTalk HTTP callbacks,
 * told apart by how they are signed. Everything is verified before anything is parsed or stored;
 * accepted work is answered at once and processed in the background.
 */
export function dingtalkRoutes(conversation: Conversation, options: DingtalkRoutesOptions): Hono {
  const app = new Hono()
  const now = options.now ?? Date.now

  app.post('/dingtalk/events', async (c) => {
    const raw = await c.req.text()
    try {
      if (c.req.header('x-ddpaas-signature') !== undefined) return await cardCallback(c, raw)
      if (c.req.query('msg_signature') !== undefined || c.req.query('signature') !== undefined) return await encryptedEvent(c, raw)
      if (c.req.header('sign') !== undefined) return await robotMessage(c, raw)
      return rejected(c, 'unsigned request')
    } catch (error) {
      if (error instanceof CallbackRejected) {
        options.log(`dingtalk: rejected callback: ${error.message}`)
        return rejected(c, error.message)
      }
      if (error instanceof MalformedBody) return c.json({ ok: false, code: 'VALIDATION', message: error.message }, 400)
      throw error
    }
  })

  /** The robot and card signatures do not cover the body: once seconds old, headers are good only for the bodies they came with. */
  async function refuseReusedSignature(timestamp: string | undefined, signature: string | undefined, raw: string) {
    const justSigned = Math.abs(now() - Number(timestamp)) <= SAME_SIGNING_MS
    if (!(await options.inbound.claimSignature(`${timestamp}\n${signature}`, raw, justSigned))) throw new CallbackRejected('signature already used with another body (replayed headers)')
  }

  async function robotMessage(c: Context, raw: string) {
    const timestamp = c.req.header('timestamp')
    const sign = c.req.header('sign')
    verifyRobotSignature({ timestamp, sign }, options.appSecret, now())
    const message = jsonObject(raw) as RobotMessage
    await refuseReusedSignature(timestamp, sign, raw)
    await options.inbound.acceptRobotMessage(message, conversation)
    // An empty answer: the reply goes out through the sessionWebhook once processed.
    return c.json({})
  }

  async function cardCallback(c: Context, raw: string) {
    const timestamp = c.req.header('x-ddpaas-signature-timestamp')
    const signature = c.req.header('x-ddpaas-signature')
    verifyCardSignature({ timestamp, signature }, options.cardApiSecret, now())
    const callback = jsonObject(raw) as CardCallback
    await refuseReusedSignature(timestamp, signature, raw)
    // HTTP card callbacks carry no delivery id: the signed request is the delivery, and DingTalk sending it again is dropped.
    const deliveryId = createHash('sha256').update(`${timestamp}\n${signature}\n${raw}`).digest('hex')
    await options.inbound.acceptCardCallback(callback, deliveryId, conversation)
    // Answered within DingTalk's 2 s; the cards are updated through the API once decided.
    return c.json({})
  }

  async function encryptedEvent(c: Context, raw: string) {
    if (!options.eventCrypto) throw new CallbackRejected('DINGTALK_CALLBACK_TOKEN/DINGTALK_CALLBACK_AES_KEY not configured')
    const body = jsonObject(raw) as { encrypt?: string }
    const plain = options.eventCrypto.decrypt({
      signature: c.req.query('msg_signature') ?? c.req.query('signature'),
      timestamp: c.req.query('timestamp'),
      nonce: c.req.query('nonce'),
      encrypt: body.encrypt,
    })
    const event = jsonObject(plain) as { EventType?: string }
    // check_url proves the URL; org-change events need no action here yet, only the answer.
    if (event.EventType !== 'check_url') options.log(`dingtalk: event ${event.EventType ?? 'unknown'} acknowledged`)
    return c.json(options.eventCrypto.reply(now()))
  }

  return app
}
