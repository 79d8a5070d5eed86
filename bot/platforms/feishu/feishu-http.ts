import type { HttpInstance } from '@larksuiteoapi/node-sdk'

/** A non-2xx answer from the open platform, with what a retry decision needs. */
export class FeishuHttpError extends Error {
  constructor(
    readonly status: number,
    readonly data: unknown,
    readonly headers: Headers,
    url: string,
  ) {
    super(`HTTP ${status} from ${url}`)
    this.name = 'FeishuHttpError'
  }
}

type RequestOptions = Parameters<HttpInstance['request']>[0]

function queryString(options: RequestOptions): string {
  const params = options.params
  if (!params || Object.keys(params).length === 0) return ''
  const serialize = options.paramsSerializer
  if (typeof serialize === 'function') return `?${serialize(params)}`
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item))
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}

/**
 * The SDK's HTTP seam, on fetch: every call gets a timeout (a hung open platform must not hang a
 * chat reply forever), and errors keep status, body and headers (x-ogw-ratelimit-reset) for back-off.
 * Like the SDK's own instance, a 2xx resolves to the parsed body.
 */
export function fetchHttpInstance(timeoutMs: number): HttpInstance {
  async function request(options: RequestOptions): Promise<never> {
    const url = `${options.url ?? ''}${queryString(options)}`
    const headers = new Headers()
    for (const [name, value] of Object.entries(options.headers ?? {})) if (value !== undefined && value !== null) headers.set(name, String(value))
    const hasBody = options.data !== undefined && options.data !== null && !['GET', 'HEAD'].includes((options.method ?? 'GET').toUpperCase())
    if (hasBody && !headers.has('content-type')) headers.set('content-type', 'application/json; charset=utf-8')
    const response = await fetch(url, {
      method: (options.method ?? 'GET').toUpperCase(),
      headers,
      body: hasBody ? JSON.stringify(options.data) : undefined,
      signal: AbortSignal.timeout(options.timeout ?? timeoutMs),
    })
    const text = await response.text()
    let data: unknown = text
    try {
      data = text ? JSON.parse(text) : undefined
    } catch {
      // Not JSON (an HTML error page from a proxy): keep the text for the error message.
    }
    if (!response.ok) throw new FeishuHttpError(response.status, data, response.headers, url)
    if (!options.$return_headers) return data as never
    const returned: Record<string, string> = {}
    response.headers.forEach((value, name) => (returned[name] = value))
    return { data, headers: returned } as never
  }
  const withoutBody = (method: string) => (url: string, options?: RequestOptions) => request({ ...options, url, method })
  const withBody = (method: string) => (url: string, data?: unknown, options?: RequestOptions) => request({ ...options, url, method, data })
  return {
    request,
    get: withoutBody('GET'),
    delete: withoutBody('DELETE'),
    head: withoutBody('HEAD'),
    options: withoutBody('OPTIONS'),
    post: withBody('POST'),
    put: withBody('PUT'),
    patch: withBody('PATCH'),
  } as HttpInstance
}
