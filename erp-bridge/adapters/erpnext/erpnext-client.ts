import { erpFetch } from '../../erp-fetch.js'
import { frappeError, isDuplicateKey, networkError, type FrappeErrorBody } from './erpnext-errors.js'

/**
 * A small client for Frappe's REST API (v14/v15): token auth (`Authorization: token key:secret`),
 * /api/resource/<Doctype> for lists (filters/fields/limit_page_length as JSON in the query string),
 * inserts and updates, /api/method/<dotted.path> for whitelisted methods. Replies wrap the payload in
 * {"data": …} (resources) or {"message": …} (methods). Token auth carries no session, so there is
 * nothing to renew: a 401 is always a credentials problem.
 */

export interface ErpNextConnection {
  url: string
  apiKey: string
  apiSecret: string
  timeoutMs: number
}

export type Filter = [string, string, unknown]

export class ErpNextClient {
  constructor(private readonly connection: ErpNextConnection) {}

  async list<T>(doctype: string, filters: Filter[], fields: string[], limit = 20, signal?: AbortSignal): Promise<T[]> {
    const query = new URLSearchParams({ filters: JSON.stringify(filters), fields: JSON.stringify(fields), limit_page_length: String(limit) })
    return (await this.request<{ data: T[] }>('GET', `/api/resource/${encodeURIComponent(doctype)}?${query}`, undefined, doctype, false, signal)).data
  }

  /** Inserts a document; `duplicate` when the unique key field already holds this key. */
  async insert<T>(doctype: string, doc: Record<string, unknown>, signal: AbortSignal | undefined): Promise<{ created: T } | { duplicate: true }> {
    try {
      return { created: (await this.request<{ data: T }>('POST', `/api/resource/${encodeURIComponent(doctype)}`, doc, doctype, true, signal)).data }
    } catch (error) {
      if (error instanceof DuplicateKey) return { duplicate: true }
      throw error
    }
  }

  async update<T>(doctype: string, name: string, values: Record<string, unknown>, signal: AbortSignal | undefined): Promise<T> {
    return (await this.request<{ data: T }>('PUT', `/api/resource/${encodeURIComponent(doctype)}/${encodeURIComponent(name)}`, values, `${doctype} ${name}`, true, signal)).data
  }

  async method<T>(dottedPath: string): Promise<T> {
    return (await this.request<{ message: T }>('GET', `/api/method/${dottedPath}`, undefined, dottedPath, false, undefined)).message
  }

  private async request<R>(method: string, path: string, body: unknown, what: string, write: boolean, signal: AbortSignal | undefined): Promise<R> {
    const { timeoutMs } = this.connection
    const { response, text } = await erpFetch(
      `${this.connection.url.replace(/\/+$/, '')}${path}`,
      {
        method,
        headers: {
          authorization: `token ${this.connection.apiKey}:${this.connection.apiSecret}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      { timeoutMs, signal, what, failed: (error) => networkError(error, what, write, timeoutMs) },
    )
    const json = parseJson(text)
    if (response.ok && json) return json as R
    if (method === 'POST' && isDuplicateKey(response.status, json as FrappeErrorBody | null)) throw new DuplicateKey()
    throw frappeError(response.status, json as FrappeErrorBody | null, text, what, write, response.headers.get('retry-after'))
  }
}

class DuplicateKey extends Error {}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return null
  }
}
