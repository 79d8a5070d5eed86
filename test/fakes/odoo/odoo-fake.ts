import type { IncomingMessage } from 'node:http'
import { listenLocally, readBody } from '../local-http-server.js'
import { OdooException, OdooOrm } from './odoo-orm.js'

/**
 * A local Odoo of a chosen major version. It answers GET /web/version (19+; older ones answer 404,
 * so a client falls back to common.version), POST /jsonrpc (common.version/login, object.execute_kw,
 * errors inside a 200 envelope as odoo/http.py serialises them) and, from 19 on, POST
 * /json/2/<model>/<method> with a bearer API key and errors as {name, message, arguments, context,
 * debug} with a 4xx/5xx status, as the 19.0 external API reference shows.
 */

export interface OdooFakeOptions {
  major: number
  database?: string
  login?: string
  apiKey?: string
}

export interface RawReply {
  status: number
  headers?: Record<string, string>
  body?: string
}

const STATUS_OF: Record<string, number> = {
  'odoo.exceptions.UserError': 422,
  'odoo.exceptions.ValidationError': 422,
  'odoo.exceptions.AccessError': 403,
  'odoo.exceptions.MissingError': 404,
}

export async function startOdooFake(options: OdooFakeOptions) {
  const database = options.database ?? 'bridge'
  const login = options.login ?? 'bot@example.com'
  const apiKey = options.apiKey ?? 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
  const orm = new OdooOrm(options.major)
  let uid = 7
  let logins = 0
  const calls: { api: 'jsonrpc' | 'json2'; model: string; method: string; ids: number[]; kwargs: Record<string, unknown>; headers: IncomingMessage['headers'] }[] = []
  const injected: { path?: RegExp; method?: string; reply: RawReply }[] = []

  const exceptionBody = (name: string, message: string) => ({ name, message, arguments: [message], context: {}, debug: `Traceback (most recent call last):\n${name}: ${message}\n` })

  const server = await listenLocally(async (req, res) => {
    const body = await readBody(req)
    const path = new URL(req.url ?? '/', 'http://fake').pathname
    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
      res.end(JSON.stringify(payload))
    }
    const failure = injected.findIndex((f) => (!f.path || f.path.test(path)) && (!f.method || body.includes(`"${f.method}"`) || path.endsWith(`/${f.method}`)))
    if (failure >= 0) {
      const { reply: raw } = injected.splice(failure, 1)[0]!
      res.writeHead(raw.status, raw.headers ?? {})
      return res.end(raw.body ?? '')
    }
    if (req.method === 'GET' && path === '/web/version') {
      if (options.major < 19) {
        res.writeHead(404, { 'content-type': 'text/html' })
        return res.end('<h1>Not Found</h1>')
      }
      return reply(200, { version_info: [options.major, 0, 0, 'final', 0, ''], version: `${options.major}.0` })
    }
    if (req.method === 'POST' && path === '/jsonrpc') {
      const envelope = JSON.parse(body) as { id: unknown; params: { service: string; method: string; args: unknown[] } }
      const { service, method, args } = envelope.params
      const answer = (result: unknown) => reply(200, { jsonrpc: '2.0', id: envelope.id, result })
      const fail = (name: string, message: string) => reply(200, { jsonrpc: '2.0', id: envelope.id, error: { code: 200, message: 'Odoo Server Error', data: exceptionBody(name, message) } })
      if (service === 'common' && method === 'version') return answer({ server_version: `${options.major}.0`, server_version_info: [options.major, 0, 0, 'final', 0, ''], server_serie: `${options.major}.0`, protocol_version: 1 })
      if (service === 'common' && method === 'login') {
        const [db, user, key] = args as string[]
        if (db !== database) return fail('psycopg2.OperationalError', `connection to server failed: FATAL: database "${db}" does not exist`)
        if (user !== login || key !== apiKey) return answer(false)
        logins++
        return answer(uid)
      }
      if (service === 'object' && method === 'execute_kw') {
        const [db, callerUid, key, model, modelMethod, positional, kwargs] = args as [string, number, string, string, string, unknown[], Record<string, unknown>]
        if (db !== database || callerUid !== uid || key !== apiKey) return fail('odoo.exceptions.AccessDenied', 'Access Denied')
        const ids = (positional[0] as number[] | undefined) ?? []
        calls.push({ api: 'jsonrpc', model, method: modelMethod, ids, kwargs: kwargs ?? {}, headers: req.headers })
        try {
          return answer(orm.call(model, modelMethod, ids, kwargs ?? {}, uid) ?? false)
        } catch (error) {
          const e = error as OdooException
          return fail(e.exceptionName ?? 'builtins.Exception', e.message)
        }
      }
      return fail('builtins.NameError', `No such service/method ${service}.${method}`)
    }
    const json2 = /^\/json\/2\/([\w.]+)\/(\w+)$/.exec(path)
    if (req.method === 'POST' && json2 && options.major >= 19) {
      if (req.headers.authorization !== `bearer ${apiKey}`) return reply(401, exceptionBody('werkzeug.exceptions.Unauthorized', 'Invalid apikey'))
      if (req.headers['x-odoo-database'] !== database) return reply(404, exceptionBody('werkzeug.exceptions.NotFound', 'Database not found'))
      const { ids = [], ...kwargs } = JSON.parse(body) as { ids?: number[] } & Record<string, unknown>
      calls.push({ api: 'json2', model: json2[1]!, method: json2[2]!, ids, kwargs, headers: req.headers })
      try {
        return reply(200, orm.call(json2[1]!, json2[2]!, ids, kwargs, uid) ?? null)
      } catch (error) {
        const e = error as OdooException
        return reply(STATUS_OF[e.exceptionName] ?? 500, exceptionBody(e.exceptionName ?? 'builtins.Exception', e.message))
      }
    }
    res.writeHead(404, { 'content-type': 'text/html' })
    res.end('<h1>Not Found</h1>')
  })
  return {
    url: server.origin,
    database,
    login,
    apiKey,
    orm,
    calls,
    get logins() {
      return logins
    },
    /** The bot user is re-created: the uid a client cached stops working. */
    recreateUser: () => void (uid += 100),
    /** The next request to a matching path (and, given, method name) gets this raw reply. */
    failNext: (match: { path?: RegExp; method?: string }, reply: RawReply) => void injected.push({ ...match, reply }),
    close: server.close,
  }
}

export type OdooFake = Awaited<ReturnType<typeof startOdooFake>>

/** The master data a small Chinese company would have set up in Odoo. */
export function seedOdoo(fake: OdooFake): void {
  const { orm } = fake
  orm.insert('account.journal', { name: '杂项', code: 'MISC', type: 'general' })
  orm.insert('account.account', { name: '管理费用-差旅费', code: '660201' })
  orm.insert('account.account', { name: '其他应付款-员工', code: '224101' })
  orm.insert('account.analytic.account', { name: '研发部', code: 'CC100' })
  orm.insert('hr.employee', { name: '张三', barcode: 'E001', identification_id: false })
  orm.insert('product.product', { name: 'Expenses', default_code: 'EXP_GEN' })
  orm.insert('product.product', { name: 'ThinkPad X1', default_code: 'MAT-001' })
  orm.insert('res.partner', { name: '联想（北京）', ref: 'S001' })
}
