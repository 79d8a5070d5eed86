import { createHmac, randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { listenLocally, readBody } from '../local-http-server.js'
import { BusinessError, YonBipDocuments, type TenantMaster } from './yonbip-documents.js'

/**
 * A fake YonBIP open platform on 127.0.0.1: the data-center lookup, the 自建应用 token endpoint
 * (signature verified here from appKey, timestamp and appSecret), and the gateway under
 * /iuap-api-gateway with the token in the query string. Unknown paths are HTTP 404 310404 before
 * the token is looked at; a missing token is 310001 and a bad or expired one 310036, with HTTP 200.
 */

export interface YonBipIdentity {
  tenantId: string
  appKey: string
  appSecret: string
}

/** A canned reply for the next gateway call, or for the next call of `path` (a /yonbip path or any full path, e.g. the token endpoint). */
export type YonBipFault = ({ status: number; body: string } | { hang: true }) & { path?: string }

export interface RecordedYonBipCall {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  body: unknown
}

export interface FakeYonBip {
  /** The discovery URL adapters are configured with. */
  url: string
  identity: YonBipIdentity
  documents: YonBipDocuments
  calls: RecordedYonBipCall[]
  readonly tokensIssued: number
  /** Invalidates every token issued so far, as a token revocation or expiry does. */
  revokeTokens(): void
  inject(...faults: YonBipFault[]): void
  close(): Promise<void>
}

export interface FakeYonBipOptions {
  /** `expire` of issued tokens, in seconds (the platform's is 7200). */
  tokenTtlSeconds?: number
  master?: Partial<TenantMaster>
}

export const DEFAULT_TENANT: TenantMaster = {
  orgs: ['ORG01'],
  staff: { E001: '张三', E002: '李四' },
  departments: { BM001: '研发部' },
  expenseItems: { FY01: '差旅费', FY02: '餐费' },
  settlementMethods: ['SM01'],
  transactionTypes: ['BX01', 'A25001', 'A20001'],
  accountBooks: ['ZB01'],
  voucherTypes: ['1'],
  accounts: { '660201': '管理费用-差旅费', '224101': '其他应付款-员工' },
  auxiliaryItems: ['0004'],
  products: { 'MAT-001': '笔记本电脑' },
  vendors: { S001: '联想' },
  units: ['PCS'],
  taxCodes: ['VAT13'],
  currencies: ['CNY'],
  rateTypes: ['01'],
}

const ok = (data: unknown) => ({ code: '200', message: '操作成功', data })

export async function startFakeYonBip(options: FakeYonBipOptions = {}): Promise<FakeYonBip> {
  const identity: YonBipIdentity = { tenantId: 'tn3x8k2q', appKey: randomBytes(16).toString('hex'), appSecret: randomBytes(20).toString('hex') }
  const documents = new YonBipDocuments({ ...DEFAULT_TENANT, ...options.master })
  const tokens = new Map<string, number>()
  const faults: YonBipFault[] = []
  const calls: RecordedYonBipCall[] = []
  let tokensIssued = 0
  let base = ''

  const routes: Record<string, (body: Record<string, unknown>) => unknown> = {
    '/yonbip/znbz/rbsm/api/bill/expensebill/save': (b) => documents.saveExpenseBill(b),
    '/yonbip/znbz/rbsm/api/bill/expensebill/list': (b) => page(documents.listExpenseBills(b), b),
    '/yonbip/fi/ficloud/openapi/voucher/addVoucher': (b) => documents.addVoucher(b),
    '/yonbip/fi/ficloud/openapi/voucher/queryVouchers': (b) => documents.queryVouchers(b),
  }
  for (const kind of ['applyorder', 'purchaseorder'] as const) {
    routes[`/yonbip/scm/${kind}/singleSave_v1`] = (b) => documents.savePurchase(kind, b)
    routes[`/yonbip/scm/${kind}/list`] = (b) => page(documents.listPurchases(kind, b), b)
    routes[`/yonbip/scm/${kind}/batchsubmit`] = (b) => documents.batch(kind, 'batchsubmit', b)
    routes[`/yonbip/scm/${kind}/batchaudit`] = (b) => documents.batch(kind, 'batchaudit', b)
  }

  const server = await listenLocally(async (req, res) => {
    const url = new URL(req.url ?? '/', base)
    const raw = await readBody(req)
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {}
    calls.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body })
    const gatewayPath = url.pathname.startsWith('/iuap-api-gateway/') ? url.pathname.slice('/iuap-api-gateway'.length) : null
    const at = faults.findIndex((f) => (f.path ? f.path === url.pathname || f.path === gatewayPath : gatewayPath !== null))
    const fault = at < 0 ? undefined : faults.splice(at, 1)[0]
    if (fault && 'hang' in fault) return
    if (fault) return send(res, fault.status, fault.body)

    if (url.pathname === '/open-auth/dataCenter/getGatewayAddress') {
      if (url.searchParams.get('tenantId') !== identity.tenantId) return json(res, 200, { code: '999', message: '未查询到租户所在数据中心' })
      return json(res, 200, { code: '00000', message: '成功！', data: { gatewayUrl: `${base}/iuap-api-gateway`, tokenUrl: `${base}/iuap-api-auth` } })
    }
    if (url.pathname === '/iuap-api-auth/open-auth/selfAppAuth/base/v1/getAccessToken') return issueToken(req, url, res)
    const route = gatewayPath === null ? undefined : routes[gatewayPath]
    if (!route) return json(res, 404, { code: '310404', message: `API[${gatewayPath ?? url.pathname}]不存在` })
    const token = url.searchParams.get('access_token')
    if (!token) return json(res, 200, { code: '310001', message: 'access_token不能为空' })
    if (!(Number(tokens.get(token)) > Date.now())) return json(res, 200, { code: '310036', message: '非法token' })
    try {
      return json(res, 200, ok(route(body)))
    } catch (error) {
      if (!(error instanceof BusinessError)) throw error
      return json(res, 200, { code: error.code, message: error.message, displayCode: error.code })
    }
  })

  function issueToken(req: IncomingMessage, url: URL, res: ServerResponse): void {
    if (req.method !== 'GET') return json(res, 405, { code: '405', message: 'Method Not Allowed' })
    const appKey = url.searchParams.get('appKey') ?? ''
    const timestamp = url.searchParams.get('timestamp') ?? ''
    if (appKey !== identity.appKey) return json(res, 200, { code: '10018', message: '应用不存在或appKey已停用' })
    // Milliseconds, within ten minutes of the platform's clock.
    if (!/^\d{13}$/.test(timestamp) || Math.abs(Date.now() - Number(timestamp)) > 600_000) return json(res, 200, { code: '10016', message: `timestamp[${timestamp}]无效或已过期` })
    const expected = createHmac('sha256', identity.appSecret).update(`appKey${appKey}timestamp${timestamp}`).digest('base64')
    if (url.searchParams.get('signature') !== expected) return json(res, 200, { code: '10017', message: '签名校验失败' })
    const token = randomBytes(24).toString('base64url')
    const expire = options.tokenTtlSeconds ?? 7200
    tokens.set(token, Date.now() + expire * 1000)
    tokensIssued++
    json(res, 200, { code: '00000', message: '成功！', data: { access_token: token, expire } })
  }

  base = server.origin
  return {
    url: base,
    identity,
    documents,
    calls,
    get tokensIssued() {
      return tokensIssued
    },
    revokeTokens: () => tokens.clear(),
    inject: (...next) => void faults.push(...next),
    close: server.close,
  }
}

function page(records: unknown[], query: Record<string, unknown>) {
  const pageIndex = Number(query.pageIndex ?? 1)
  const pageSize = Number(query.pageSize ?? 10)
  const recordList = records.slice((pageIndex - 1) * pageSize, pageIndex * pageSize)
  return { pageIndex, pageSize, recordCount: records.length, pageCount: Math.ceil(records.length / pageSize), recordList }
}

function json(res: ServerResponse, status: number, payload: unknown): void {
  send(res, status, JSON.stringify(payload))
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': body.startsWith('{') ? 'application/json;charset=UTF-8' : 'text/plain;charset=UTF-8' })
  res.end(body)
}
