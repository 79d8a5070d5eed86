import type { IncomingMessage } from 'node:http'
import { listenLocally, readBody } from '../local-http-server.js'
import { demoMaster, FrappeException, NAMING, SUBMITTABLE, validate, type Doc } from './erpnext-doctypes.js'

/**
 * A local ERPNext speaking Frappe's REST API as v15 does for API v1: token auth, /api/resource
 * lists with JSON filters/fields, inserts (docstatus 1 submits in the same request) and updates,
 * /api/method, and errors as {exc_type, exception, exc, _server_messages} with the exception's
 * HTTP status (417 validation, 401 auth, 403 permission, 404 missing, 409 duplicate name). A unique
 * custom field answers a repeat with UniqueValidationError ("… must be unique"); a filter on a
 * field the doctype lacks fails with MariaDB's "Unknown column" as a 500, as it does in Frappe.
 */

export interface ErpNextFakeOptions {
  apiKey?: string
  apiSecret?: string
  keyField?: string
}

export async function startErpNextFake(options: ErpNextFakeOptions = {}) {
  const apiKey = options.apiKey ?? '5f0c2e1a9b7d4c3'
  const apiSecret = options.apiSecret ?? '8e7d6c5b4a39281'
  const keyField = options.keyField ?? 'external_ref'
  const master = demoMaster()
  const docs = new Map<string, Doc[]>(Object.keys(NAMING).map((doctype) => [doctype, []]))
  /** Doctypes that have the unique custom key field. */
  const withKeyField = new Set(Object.keys(NAMING))
  const counters = new Map<string, number>()
  const requests: { method: string; path: string; headers: IncomingMessage['headers']; body: string }[] = []
  const injected: { method?: string; path?: RegExp; reply: { status: number; headers?: Record<string, string>; body?: string } }[] = []

  const errorBody = (e: FrappeException) => ({
    exc_type: e.excType,
    exception: `frappe.exceptions.${e.excType}: ${e.message}`,
    exc: JSON.stringify([`Traceback (most recent call last):\n  ...\nfrappe.exceptions.${e.excType}: ${e.message}`]),
    _server_messages: JSON.stringify([JSON.stringify({ message: e.message, title: 'Message', indicator: 'red', raise_exception: 1 })]),
  })

  const handle = (req: IncomingMessage, url: URL, body: string): { status: number; json: unknown } => {
    if (req.headers.authorization !== `token ${apiKey}:${apiSecret}`) {
      throw new FrappeException('AuthenticationError', 'Invalid API key or secret', 401)
    }
    if (req.method === 'GET' && url.pathname === '/api/method/frappe.auth.get_logged_user') return { status: 200, json: { message: 'bridge@example.com' } }
    const match = /^\/api\/resource\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname)
    if (!match) throw new FrappeException('PageDoesNotExistError', 'Page not found', 404)
    const doctype = decodeURIComponent(match[1]!)
    const name = match[2] ? decodeURIComponent(match[2]) : undefined
    if (doctype === 'Custom Field' && req.method === 'GET') {
      const rows = [...withKeyField].map((dt) => ({ dt, fieldname: keyField, unique: 1 }))
      return { status: 200, json: { data: filter(rows, url) } }
    }
    const table = docs.get(doctype)
    if (!table) throw new FrappeException('DoesNotExistError', `DocType ${doctype} not found`, 404)
    if (req.method === 'GET' && !name) {
      const known = new Set(['name', 'docstatus', ...(withKeyField.has(doctype) ? [keyField] : [])])
      for (const [field] of JSON.parse(url.searchParams.get('filters') ?? '[]') as [string][]) {
        if (!known.has(field) && !table.some((d) => field in d)) {
          throw new FrappeException('OperationalError', `(1054, "Unknown column '${field}' in 'where clause'")`, 500)
        }
      }
      const fields = JSON.parse(url.searchParams.get('fields') ?? '["name"]') as string[]
      const limit = Number(url.searchParams.get('limit_page_length') ?? 20)
      return { status: 200, json: { data: filter(table, url).slice(0, limit).map((d) => Object.fromEntries(fields.map((f) => [f, d[f]]))) } }
    }
    if (req.method === 'POST' && !name) {
      const doc = JSON.parse(body) as Doc
      if (keyField in doc && !withKeyField.has(doctype)) throw new FrappeException('OperationalError', `(1054, "Unknown column '${keyField}' in 'field list'")`, 500)
      if (doc.docstatus === 1 && !SUBMITTABLE.has(doctype)) throw new FrappeException('ValidationError', `Cannot submit ${doctype}: not submittable`)
      validate(doctype, doc, master)
      if (doc[keyField] !== undefined && table.some((d) => d[keyField] === doc[keyField])) {
        throw new FrappeException('UniqueValidationError', 'External Ref must be unique')
      }
      const year = String(doc.posting_date ?? doc.transaction_date ?? doc.expected_start_date ?? '2026').slice(0, 4)
      const n = (counters.get(doctype) ?? 0) + 1
      counters.set(doctype, n)
      const stored = { ...doc, doctype, name: NAMING[doctype]!(year, n), docstatus: doc.docstatus ?? 0 }
      table.push(stored)
      return { status: 200, json: { data: stored } }
    }
    if (req.method === 'PUT' && name) {
      const doc = table.find((d) => d.name === name)
      if (!doc) throw new FrappeException('DoesNotExistError', `${doctype} ${name} not found`, 404)
      const values = JSON.parse(body) as Doc
      if (values.docstatus === 1 && doc.docstatus === 0) validate(doctype, { ...doc, ...values }, master)
      Object.assign(doc, values)
      return { status: 200, json: { data: doc } }
    }
    throw new FrappeException('ValidationError', `Method ${req.method} not allowed`, 405)
  }

  const server = await listenLocally(async (req, res) => {
    const body = await readBody(req)
    const url = new URL(req.url ?? '/', 'http://fake')
    requests.push({ method: req.method ?? 'GET', path: decodeURIComponent(url.pathname), headers: req.headers, body })
    const failure = injected.findIndex((f) => (!f.method || f.method === req.method) && (!f.path || f.path.test(decodeURIComponent(url.pathname))))
    if (failure >= 0) {
      const { reply } = injected.splice(failure, 1)[0]!
      res.writeHead(reply.status, reply.headers ?? {})
      return res.end(reply.body ?? '')
    }
    let status: number
    let json: unknown
    try {
      ;({ status, json } = handle(req, url, body))
    } catch (error) {
      const e = error instanceof FrappeException ? error : new FrappeException('Exception', String(error), 500)
      status = e.status
      json = errorBody(e)
    }
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(json))
  })
  return {
    url: server.origin,
    apiKey,
    apiSecret,
    master,
    docs,
    requests,
    withKeyField,
    failNext: (match: { method?: string; path?: RegExp }, reply: { status: number; headers?: Record<string, string>; body?: string }) => void injected.push({ ...match, reply }),
    close: server.close,
  }
}

export type ErpNextFake = Awaited<ReturnType<typeof startErpNextFake>>

/** Frappe list filters: [[field, "=" | "in", value], ...]. */
function filter<T extends Record<string, unknown>>(rows: T[], url: URL): T[] {
  const filters = JSON.parse(url.searchParams.get('filters') ?? '[]') as [string, string, unknown][]
  return rows.filter((row) => filters.every(([field, op, value]) => (op === 'in' ? (value as unknown[]).includes(row[field]) : row[field] === value)))
}
