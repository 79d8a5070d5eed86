import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { listenLocally, readBody } from '../local-http-server.js'
import { postJournalEntry, type JournalEntryBook } from './sap-fake-journal.js'

/**
 * A local SAP S/4HANA that speaks what the adapter relies on: Basic auth or OAuth2 client
 * credentials, SAP Gateway's CSRF handshake bound to the session cookie, OData V2 JSON with SAP's
 * error envelope and a small $filter, deep inserts of purchase requisitions and purchase orders
 * with SAP-like checks, and the synchronous JournalEntryBulkCreateRequest SOAP service.
 */

export interface FakeReply {
  status: number
  headers?: Record<string, string>
  body?: string
}

export interface SapFakeOptions {
  username?: string
  password?: string
  clientId?: string
  clientSecret?: string
}

type Row = Record<string, unknown>
type Handler = (req: IncomingMessage, url: URL, body: string) => FakeReply

const ODATA = '/sap/opu/odata/sap/'
export const JOURNAL_PATH = '/sap/bc/srt/scs_ext/sap/journalentrycreaterequestconfi'

export async function startSapFake(options: SapFakeOptions = {}) {
  const username = options.username ?? 'COMM_USER'
  const password = options.password ?? 'Secret-123'
  const clientId = options.clientId ?? 'sb-bridge'
  const clientSecret = options.clientSecret ?? 'client-secret'
  const sessions = new Map<string, string>() // session id → CSRF token
  const tokens = new Set<string>()
  const injected: { method?: string; path?: RegExp; reply: FakeReply }[] = []
  const requests: { method: string; path: string; query: URLSearchParams; headers: IncomingMessage['headers']; body: string }[] = []
  const master = {
    plants: new Set(['1010']),
    costCenters: new Set(['10101101', '10101201']),
    suppliers: new Set(['17300001']),
    materials: new Set(['TG11']),
    glAccounts: new Map([
      ['66020100', { costCentreRequired: true }],
      ['66021000', { costCentreRequired: true }],
      ['22410100', { costCentreRequired: false }],
    ]),
  }
  const book: JournalEntryBook = { entries: [], closedPeriods: new Set(), master, nextNumber: 100000001 }
  const requisitions: { header: Row; items: Row[] }[] = []
  const orders: { header: Row; items: Row[] }[] = []
  let nextRequisition = 10000001
  let nextOrder = 4500000001

  const odataError = (status: number, code: string, message: string, details: string[] = []): FakeReply => ({
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      error: {
        code,
        message: { lang: 'en', value: message },
        innererror: { transactionid: randomBytes(16).toString('hex').toUpperCase(), errordetails: details.map((d) => ({ code, message: d, propertyref: '', severity: 'error', target: '' })) },
      },
    }),
  })
  const json = (status: number, d: unknown): FakeReply => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ d }) })

  const entitySets: Record<string, { properties: string[]; rows: () => Row[] }> = {
    'API_PURCHASEREQ_PROCESS_SRV/A_PurchaseRequisitionHeader': {
      properties: ['PurchaseRequisition', 'PurchaseRequisitionType', 'PurReqnDescription', 'SourceDetermination'],
      rows: () => requisitions.map((r) => r.header),
    },
    'API_PURCHASEREQ_PROCESS_SRV/A_PurchaseRequisitionItem': {
      properties: ['PurchaseRequisition', 'PurchaseRequisitionItem', 'PurchasingDocument', 'PurchasingDocumentItem', 'Material', 'Plant'],
      rows: () => requisitions.flatMap((r) => r.items),
    },
    'API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrderItem': {
      properties: ['PurchaseOrder', 'PurchaseOrderItem', 'PurchaseRequisition', 'PurchaseRequisitionItem', 'Plant', 'Material'],
      rows: () => orders.flatMap((o) => o.items),
    },
    'API_OPLACCTGDOCITEMCUBE_SRV/A_OperationalAcctgDocItemCube': {
      properties: ['CompanyCode', 'FiscalYear', 'AccountingDocument', 'AccountingDocumentItem', 'DocumentReferenceID', 'IsReversal', 'IsReversed', 'GLAccount'],
      rows: () => book.entries.flatMap((e) => e.items),
    },
  }

  const query: Handler = (_req, url) => {
    const [service, entitySet] = url.pathname.slice(ODATA.length).split('/')
    const set = entitySets[`${service}/${entitySet}`]
    if (!set) return odataError(404, '/IWBEP/CM_MGW_RT/021', `Resource not found for segment '${entitySet}'`)
    const conditions: [string, unknown][] = []
    for (const part of (url.searchParams.get('$filter') ?? '').split(' and ').filter(Boolean)) {
      const match = /^(\w+) eq ('(?:[^']|'')*'|true|false)$/.exec(part.trim())
      if (!match) return odataError(400, '/IWBEP/CM_MGW_RT/022', `Invalid filter expression: '${part}'`)
      if (!set.properties.includes(match[1]!)) return odataError(400, '/IWBEP/CM_MGW_RT/004', `Property '${match[1]}' not found in type '${entitySet}Type'`)
      const literal = match[2]!
      conditions.push([match[1]!, literal.startsWith("'") ? literal.slice(1, -1).replace(/''/g, "'") : literal === 'true'])
    }
    const top = Number(url.searchParams.get('$top') ?? Infinity)
    const rows = set.rows().filter((row) => conditions.every(([name, value]) => row[name] === value)).slice(0, top)
    return json(200, { results: rows })
  }

  const createRequisition = (body: Row): FakeReply => {
    const items = body.to_PurchaseReqnItem
    if (typeof body.PurchaseRequisitionType !== 'string' || !Array.isArray(items) || items.length === 0) {
      return odataError(400, 'MEPO/000', 'Enter a purchase requisition type and at least one item')
    }
    const number = String(nextRequisition)
    const stored: Row[] = []
    for (const item of items as Row[]) {
      const problem = checkPurchasingItem(item, 'RequestedQuantity', 'PurchaseRequisitionPrice', 'BaseUnit', 'to_PurReqnAcctAssgmt')
      if (problem) return problem
      if (typeof item.DeliveryDate !== 'string' || !/^\/Date\(\d+\)\/$/.test(item.DeliveryDate)) {
        return odataError(400, '/IWBEP/CM_MGW_RT/020', `Failed to read property 'DeliveryDate' at offset '0'`)
      }
      stored.push({ ...item, PurchaseRequisition: number, PurchasingDocument: '', PurchasingDocumentItem: '00000' })
    }
    nextRequisition++
    const header = { PurchaseRequisition: number, PurchaseRequisitionType: body.PurchaseRequisitionType, PurReqnDescription: body.PurReqnDescription ?? '' }
    requisitions.push({ header, items: stored })
    return json(201, { ...header, to_PurchaseReqnItem: { results: stored } })
  }

  const createOrder = (body: Row): FakeReply => {
    if (!master.suppliers.has(String(body.Supplier))) return odataError(400, 'ME/045', `Supplier ${String(body.Supplier)} does not exist`, [`Supplier ${String(body.Supplier)} does not exist`])
    const items = body.to_PurchaseOrderItem
    if (!Array.isArray(items) || items.length === 0) return odataError(400, 'ME/083', 'Enter at least one item')
    const number = String(nextOrder)
    const stored: Row[] = []
    for (const item of items as Row[]) {
      const problem = checkPurchasingItem(item, 'OrderQuantity', 'NetPriceAmount', 'PurchaseOrderQuantityUnit', 'to_AccountAssignment')
      if (problem) return problem
      const source = requisitions.flatMap((r) => r.items).find((i) => i.PurchaseRequisition === item.PurchaseRequisition && Number(i.PurchaseRequisitionItem) === Number(item.PurchaseRequisitionItem))
      if (item.PurchaseRequisition && !source) return odataError(400, '06/164', `Purchase requisition ${String(item.PurchaseRequisition)} does not exist`)
      if (source && source.PurchasingDocument) return odataError(400, '06/286', `Purchase requisition ${String(item.PurchaseRequisition)} already ordered`)
      if (source) Object.assign(source, { PurchasingDocument: number, PurchasingDocumentItem: String(item.PurchaseOrderItem) })
      stored.push({ ...item, PurchaseOrder: number })
    }
    nextOrder++
    const header = { PurchaseOrder: number, CompanyCode: body.CompanyCode, Supplier: body.Supplier }
    orders.push({ header, items: stored })
    return json(201, { ...header, to_PurchaseOrderItem: { results: stored } })
  }

  /** The checks SAP makes on a purchasing line that catch our likely mistakes. */
  const checkPurchasingItem = (item: Row, quantityField: string, priceField: string, unitField: string, assignmentField: string): FakeReply | null => {
    for (const field of [quantityField, priceField]) {
      if (typeof item[field] !== 'string' || !/^\d+(\.\d+)?$/.test(item[field])) {
        return odataError(400, '/IWBEP/CM_MGW_RT/020', `Failed to read property '${field}' at offset '0'`)
      }
    }
    if (!master.plants.has(String(item.Plant))) return odataError(400, 'ME/062', `Plant ${String(item.Plant)} does not exist`)
    if (item.Material ? !master.materials.has(String(item.Material)) : !(item.MaterialGroup && item[unitField])) {
      return odataError(400, '06/155', item.Material ? `Material ${String(item.Material)} does not exist` : 'Enter a material group and a unit for a text item')
    }
    if (item.AccountAssignmentCategory === 'K') {
      const assignment = (item[assignmentField] as Row[] | undefined)?.[0]
      if (!assignment || !master.costCenters.has(String(assignment.CostCenter))) {
        const message = `Cost center ${String(assignment?.CostCenter ?? '(none)')} does not exist`
        return odataError(400, 'KI/235', message, [message])
      }
    }
    return null
  }

  const server = await listenLocally(async (req, res) => {
    const body = await readBody(req)
    const url = new URL(req.url ?? '/', 'http://fake')
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body })
    const reply = route(req, url, body)
    // Status 0: the request reached SAP and no answer ever comes back.
    if (reply.status !== 0) send(res, reply)
  })

  const route = (req: IncomingMessage, url: URL, body: string): FakeReply => {
    if (url.pathname === '/oauth/token') return issueToken(req, body)
    const failure = injected.findIndex((f) => (!f.method || f.method === req.method) && (!f.path || f.path.test(url.pathname)))
    if (failure >= 0) return injected.splice(failure, 1)[0]!.reply
    if (!authorised(req.headers.authorization)) {
      return { status: 401, headers: { 'www-authenticate': 'Basic realm="SAP NetWeaver Application Server [S4H/100]"', 'content-type': 'text/html' }, body: '<html><body>Logon failed</body></html>' }
    }
    if (url.pathname === JOURNAL_PATH && req.method === 'POST') return postJournalEntry(req.headers, body, book)
    if (!url.pathname.startsWith(ODATA)) return { status: 404, body: 'Not found' }
    if (req.method === 'GET') {
      if (req.headers['x-csrf-token']?.toString().toLowerCase() === 'fetch') return issueCsrf()
      return /\/[A-Z]\w+$/.test(url.pathname) ? query(req, url, body) : json(200, { EntitySets: [] })
    }
    const session = /SAP_SESSIONID_S4H_100=([^;]+)/.exec(req.headers.cookie ?? '')?.[1]
    if (!session || sessions.get(session) !== req.headers['x-csrf-token']) {
      return { status: 403, headers: { 'x-csrf-token': 'Required', 'content-type': 'text/plain' }, body: 'CSRF token validation failed' }
    }
    let parsed: Row
    try {
      parsed = JSON.parse(body) as Row
    } catch {
      return odataError(400, '/IWBEP/CM_MGW_RT/020', 'Malformed JSON in request body')
    }
    if (url.pathname.endsWith('API_PURCHASEREQ_PROCESS_SRV/A_PurchaseRequisitionHeader')) return createRequisition(parsed)
    if (url.pathname.endsWith('API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder')) return createOrder(parsed)
    return odataError(405, '/IWBEP/CM_MGW_RT/008', 'Method not allowed')
  }

  const authorised = (header: string | undefined): boolean => {
    const [scheme, value] = (header ?? '').split(' ')
    if (scheme === 'Basic') return Buffer.from(value ?? '', 'base64').toString() === `${username}:${password}`
    return scheme === 'Bearer' && tokens.has(value ?? '')
  }

  const issueToken = (req: IncomingMessage, body: string): FakeReply => {
    const [scheme, value] = (req.headers.authorization ?? '').split(' ')
    const form = new URLSearchParams(body)
    if (scheme !== 'Basic' || Buffer.from(value ?? '', 'base64').toString() !== `${clientId}:${clientSecret}`) {
      return { status: 401, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'unauthorized', error_description: 'Bad credentials' }) }
    }
    if (form.get('grant_type') !== 'client_credentials') return { status: 400, body: JSON.stringify({ error: 'unsupported_grant_type' }) }
    const token = randomBytes(12).toString('hex')
    tokens.add(token)
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ access_token: token, token_type: 'bearer', expires_in: 43199 }) }
  }

  const issueCsrf = (): FakeReply => {
    const session = randomBytes(12).toString('hex')
    const token = randomBytes(16).toString('base64')
    sessions.set(session, token)
    return {
      status: 200,
      headers: { 'x-csrf-token': token, 'set-cookie': `SAP_SESSIONID_S4H_100=${session}; path=/; HttpOnly`, 'content-type': 'application/json' },
      body: JSON.stringify({ d: { EntitySets: [] } }),
    }
  }

  const url = server.origin
  return {
    url,
    tokenUrl: `${url}/oauth/token`,
    credentials: { username, password, clientId, clientSecret },
    requests,
    requisitions,
    orders,
    book,
    /** The next request matching gets this reply instead (a 503, a 429, a 504; status 0 never answers). */
    failNext: (match: { method?: string; path?: RegExp }, reply: FakeReply) => void injected.push({ ...match, reply }),
    /** Server-side session timeout: every CSRF token issued so far becomes invalid. */
    expireSessions: () => sessions.clear(),
    /** Every OAuth token issued so far becomes invalid. */
    revokeTokens: () => tokens.clear(),
    close: server.close,
  }
}

export type SapFake = Awaited<ReturnType<typeof startSapFake>>

function send(res: ServerResponse, reply: FakeReply): void {
  res.writeHead(reply.status, reply.headers ?? {})
  res.end(reply.body ?? '')
}
