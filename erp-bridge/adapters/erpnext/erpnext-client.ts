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

  async list<T>(doctype: string, filters: Filter[], fields: string[], limit = 20): Promise<T[]> {
    const query = new URLSearchParams({ filters: JSON.stringify(filters), fields: JSON.stringify(fields), limit_page_length: String(limit) })
    return (await this.request<{ data: T[] }>('GET', `/api/resource/${encodeURIComponent(doctype)}?${query}`, undefined, doctype)).data
  }

  /** Inserts a document; `duplicate` when the unique key field already holds this key. */
  async insert<T>(doctype: string, doc: Record<string, unknown>): Promise<{ created: T } | { duplicate: true }> {
    try {
      return { created: (await this.request<{ data: T }>('POST', `/api/resource/${encodeURIComponent(doctype)}`, doc, doctype, true)).data }
    } catch (error) {
      if (error instanceof DuplicateKey) return { duplicate: true }
      throw error
    }
  }

  async update<T>(doctype: string, name: string, values: Record<string, unknown>): Promise<T> {
    return (await this.request<{ data: T }>('PUT', `/api/resource/${encodeURIComponent(doctype)}/${encodeURIComponent(name)}`, values, `${doctype} ${name}`, true)).data
  }

  async method<T>(dottedPath: string): Promise<T> {
    return (await this.request<{ message: T }>('GET', `/api/method/${dottedPath}`, undefined, dottedPath)).message
  }

  private async request<R>(method: string, path: string, body: unknown, what: string, write = false): Promise<R> {
    let response: Response
    let text: string
    try {
      response = await fetch(`${this.connection.url.replace(/\/+$/, '')}${path}`, {
        method,
        headers: {
          authorization: `token ${this.connection.apiKey}:${this.connection.apiSecret}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.connection.timeoutMs),
      })
      text = await response.text()
    } catch (error) {
      throw networkError(error, what, write, this.connection.timeoutMs)
    }
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
