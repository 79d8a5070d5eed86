import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { listenLocally, readBody } from '../local-http-server.js'
import { BillError, K3Bills, type MasterData } from './k3cloud-bills.js'
import { sessionLostReply } from './k3cloud-fixtures.js'

/**
 * A fake 金蝶云·星空 site on 127.0.0.1 speaking the WebAPI wire protocol: `.common.kdsvc` stubs,
 * LoginByAppSecret / LoginBySign with the kdservice-sessionid cookie, the SDK 8.x signature headers
 * (verified here from the raw inputs, with the ASCII XOR mask), the Result/ResponseStatus envelope,
 * MsgCode 1 for a lost session, and optionally the public gateway's HTTP 519 failures.
 */

export interface K3Identity {
  acctId: string
  username: string
  appId: string
  appSecret: string
}

/** A canned reply for the next call (of `service`, when given, e.g. DynamicFormService.Submit). */
export type K3Fault = ({ status: number; body?: string; contentType?: string } | { hang: true }) & { service?: string }

export interface RecordedK3Call {
  service: string
  headers: IncomingMessage['headers']
  body: unknown
}

export interface FakeK3Cloud {
  /** Site root with the /k3cloud/ suffix, as admins enter it. */
  url: string
  identity: K3Identity
  bills: K3Bills
  calls: RecordedK3Call[]
  readonly logins: number
  /** Forgets every session, as an IIS recycle or idle timeout does. */
  expireSessions(): void
  /** Replies for the next DynamicFormService calls, before authentication or any other handling. */
  inject(...faults: K3Fault[]): void
  close(): Promise<void>
}

export interface FakeK3Options {
  /** Behave like the public API gateway: 519 errcode replies, seconds timestamps within 10 minutes. */
  gateway?: boolean
  /** Answer IsSuccess as "true"/"false" strings, as the WebAPI documentation's templates show. */
  stringBooleans?: boolean
  master?: Partial<MasterData>
}

export const DEFAULT_MASTER: MasterData = {
  orgs: ['100'],
  currencies: ['PRE001'],
  rateTypes: ['HLTX01_SYS'],
  billTypes: ['FYBXD001_SYS', 'CGSQD01_SYS', 'CGDD01_SYS'],
  staff: { E001: '张三', E002: '李四' },
  departments: { BM001: '研发部' },
  expenseItems: { FYXM01: '差旅费', FYXM02: '餐费' },
  accounts: { '6602.01': '管理费用-差旅费', '6602.02': '管理费用-餐费', '2241.01': '其他应付款-员工' },
  accountBooks: ['001'],
  voucherGroups: ['记'],
  materials: { 'MAT-001': '笔记本电脑' },
  suppliers: { S001: '联想' },
  units: ['Pcs'],
}

const MASK = Buffer.from('0054f397c6234378b09ca7d3e5debce7', 'utf8')

export async function startFakeK3Cloud(options: FakeK3Options = {}): Promise<FakeK3Cloud> {
  const identity: K3Identity = {
    acctId: '6470a3f8b2c1d9',
    username: 'bridge',
    // 24 random bytes are 32 base64 characters, the shape of a real AppID's second half.
    appId: `312345_${randomBytes(24).toString('base64')}`,
    appSecret: randomBytes(16).toString('hex'),
  }
  const bills = new K3Bills({ ...DEFAULT_MASTER, ...options.master })
  const sessions = new Set<string>()
  const faults: K3Fault[] = []
  const calls: RecordedK3Call[] = []
  let logins = 0
  const bool = (value: boolean) => (options.stringBooleans ? String(value) : value)

  const server = await listenLocally(async (req, res) => {
    const raw = await readBody(req)
    const match = /^\/k3cloud\/Kingdee\.BOS\.WebApi\.ServicesStub\.(\w+\.\w+)\.common\.kdsvc$/.exec(req.url ?? '')
    if (req.method !== 'POST' || !match) return send(res, 404, '<html><body><h2>404 - File or directory not found.</h2></body></html>', 'text/html')
    const service = match[1]!
    let body: Record<string, unknown>
    try {
      body = JSON.parse(raw) as Record<string, unknown>
    } catch {
      return send(res, 200, 'response_error:请求数据不是有效的 JSON', 'text/plain')
    }
    calls.push({ service, headers: req.headers, body })

    if (options.gateway) {
      const refusal = gatewayRefusal(req)
      if (refusal) return send(res, 519, JSON.stringify(refusal))
    }
    if (service.startsWith('AuthService.')) return login(service, body, res)

    const at = faults.findIndex((f) => !f.service || f.service === service)
    const fault = at < 0 ? undefined : faults.splice(at, 1)[0]
    if (fault && 'hang' in fault) return
    if (fault) return send(res, fault.status, fault.body ?? '<h1>Service Unavailable</h1>', fault.contentType ?? (fault.body?.startsWith('{') ? 'application/json' : 'text/html'))

    const isQuery = service === 'DynamicFormService.ExecuteBillQuery'
    if (!authorized(req, res, service)) return send(res, 200, JSON.stringify(isQuery ? [[sessionLostReply(bool)]] : sessionLostReply(bool)))
    const [formid, data] = arguments_(body, isQuery)
    try {
      if (isQuery) return send(res, 200, JSON.stringify(bills.query(data)))
      if (service === 'DynamicFormService.Save') {
        const bill = bills.save(formid, data)
        const entity = { Id: bill.id, Number: bill.number, DIndex: 0 }
        return send(res, 200, JSON.stringify({ Result: { ResponseStatus: { IsSuccess: bool(true), Errors: [], SuccessEntitys: [entity], SuccessMessages: [], MsgCode: 0 }, Id: bill.id, Number: bill.number, NeedReturnData: [{ FBillNo: bill.number }] } }))
      }
      if (service === 'DynamicFormService.Submit' || service === 'DynamicFormService.Audit') {
        const done = bills.operate(service.endsWith('Submit') ? 'Submit' : 'Audit', formid, data)
        const entities = done.map((b, i) => ({ Id: b.id, Number: b.number, DIndex: i }))
        return send(res, 200, JSON.stringify({ Result: { ResponseStatus: { IsSuccess: bool(true), Errors: [], SuccessEntitys: entities, SuccessMessages: [], MsgCode: 0 } } }))
      }
      throw new BillError(`不支持的服务 ${service}`, 4)
    } catch (error) {
      if (!(error instanceof BillError)) throw error
      const failure = { Result: { ResponseStatus: { ErrorCode: 500, IsSuccess: bool(false), Errors: [{ FieldName: error.fieldName, Message: error.message, DIndex: 0 }], SuccessEntitys: [], SuccessMessages: [], MsgCode: error.msgCode } } }
      return send(res, 200, JSON.stringify(isQuery ? [[failure]] : failure))
    }
  })

  /** A valid session cookie wins; otherwise valid signature headers open one (what the probes saw). */
  function authorized(req: IncomingMessage, res: ServerResponse, service: string): boolean {
    if (sessions.has(cookieOf(req, 'kdservice-sessionid') ?? '')) return true
    if (!req.headers['x-api-signature']) return false
    if (!signatureValid(req, service)) return false
    openSession(res)
    return true
  }

  function signatureValid(req: IncomingMessage, service: string): boolean {
    const h = (name: string) => String(req.headers[name] ?? '')
    const [clientId, masked] = identity.appId.split('_') as [string, string]
    const decoded = Buffer.from(masked, 'base64').map((byte, i) => byte ^ MASK[i % MASK.length]!)
    const gatewaySecret = Buffer.from(decoded).toString('base64')
    const path = `/k3cloud/Kingdee.BOS.WebApi.ServicesStub.${service}.common.kdsvc`
    const signed = `POST\n${encodeURIComponent(path)}\n\nx-api-nonce:${h('x-api-nonce')}\nx-api-timestamp:${h('x-api-timestamp')}\n`
    const appData = Buffer.from(h('x-kd-appdata'), 'base64').toString('utf8')
    const [acctId, username, lcid] = appData.split(',')
    return (
      h('x-api-clientid') === clientId &&
      h('x-api-auth-version') === '2.0' &&
      h('x-api-signature') === hexBase64(signed, gatewaySecret) &&
      h('x-kd-appkey') === identity.appId &&
      acctId === identity.acctId &&
      username === identity.username &&
      lcid === '2052' &&
      h('x-kd-signature') === hexBase64(identity.appId + appData, identity.appSecret)
    )
  }

  function login(service: string, body: Record<string, unknown>, res: ServerResponse): void {
    const p = (body.parameters ?? []) as unknown[]
    if (p[0] !== identity.acctId) return send(res, 500, 'Fail to verify thirty passport', 'text/plain')
    let ok = p[1] === identity.username && p[2] === identity.appId
    if (service === 'AuthService.LoginByAppSecret') ok &&= p[3] === identity.appSecret
    else if (service === 'AuthService.LoginBySign') {
      const ts = Number(p[3])
      const expected = createHash('sha256').update([identity.acctId, identity.username, identity.appId, identity.appSecret, String(ts)].sort().join(''), 'utf8').digest('hex')
      ok &&= p[4] === expected && Math.abs(Date.now() / 1000 - ts) < 600
    } else ok = false
    if (!ok) return send(res, 200, JSON.stringify({ Message: '第三方系统登录授权验证失败，请检查应用ID、应用密钥和用户', MessageCode: '', LoginResultType: 0, Context: null, KDSVCSessionId: null, IsSuccessByAPI: false }))
    logins++
    const sid = openSession(res)
    send(res, 200, JSON.stringify({ Message: null, MessageCode: 'CheckPasswordPolicy', LoginResultType: 1, Context: { UserName: identity.username, UserId: 100008, DBid: identity.acctId }, KDSVCSessionId: sid, IsSuccessByAPI: true }))
  }

  function openSession(res: ServerResponse): string {
    const sid = randomUUID().replace(/-/g, '')
    sessions.add(sid)
    res.setHeader('set-cookie', [`kdservice-sessionid=${sid}; path=/; HttpOnly`, `ASP.NET_SessionId=${randomUUID().slice(0, 24)}; path=/; HttpOnly`])
    return sid
  }
  return {
    url: `${server.origin}/k3cloud/`,
    identity,
    bills,
    calls,
    get logins() {
      return logins
    },
    expireSessions: () => sessions.clear(),
    inject: (...next) => void faults.push(...next),
    close: server.close,
  }
}

/** The gateway checks its own headers before the site sees anything. */
function gatewayRefusal(req: IncomingMessage): object | null {
  if (!req.headers['x-api-clientid']) return { errcode: 4002, description: 'Unauthorized, APP_ID is empty[GW]', description_cn: '认证失败, 应用ID为空[网关]' }
  const ts = String(req.headers['x-api-timestamp'] ?? '')
  if (!/^\d{10}$/.test(ts) || Math.abs(Date.now() / 1000 - Number(ts)) > 600) {
    return { errcode: 4006, description: `Unauthorized, errDescEn: X-Api-TimeStamp is invalid: ${ts}[GW]`, description_cn: `认证失败, errDescCn: X-Api-TimeStamp过期: ${ts}[网关]` }
  }
  return null
}

/** Named `{formid, data}` (Python SDK) or positional `{parameters: [formid, data]}` (Java SDK); data may be a JSON string. */
function arguments_(body: Record<string, unknown>, isQuery: boolean): [string, Record<string, unknown>] {
  const params = Array.isArray(body.parameters) ? body.parameters : null
  const formid = String(isQuery ? '' : (params ? params[0] : body.formid) ?? '')
  const rawData = isQuery ? (params ? params[0] : body.data) : params ? params[1] : body.data
  const data = typeof rawData === 'string' ? (JSON.parse(rawData) as Record<string, unknown>) : ((rawData ?? {}) as Record<string, unknown>)
  return [formid, data]
}

function hexBase64(message: string, key: string): string {
  return Buffer.from(createHmac('sha256', key).update(message).digest('hex')).toString('base64')
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === name) return v.join('=')
  }
  return undefined
}

function send(res: ServerResponse, status: number, body: string, contentType = 'application/json; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType })
  res.end(body)
}
