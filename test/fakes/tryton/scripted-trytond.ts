import { listenLocally, readBody } from '../local-http-server.js'

/**
 * A local HTTP server speaking trytond's JSON-RPC, for the failures a healthy trytond will not
 * produce on demand: 5xx, hangs, expired sessions, concurrency errors. Logins and preferences
 * behave like trytond; every other call takes the next scripted reply.
 */

export type ScriptedReply =
  | { result: unknown }
  | { error: unknown }
  | { status: number; body?: string }
  /** Never answers (until the server closes). */
  | { hang: true }

export interface RecordedCall {
  method: string
  params: unknown[]
  authorization: string | undefined
}

export interface ScriptedTrytond {
  url: string
  database: string
  calls: RecordedCall[]
  logins: number
  /** Replies for the next model/wizard calls, in order. */
  script(...replies: ScriptedReply[]): void
  /** Makes every session issued so far invalid, as a server-side session timeout does. */
  expireSessions(): void
  /** While true, every session is refused, even one just issued. */
  refuseSessions: boolean
  close(): Promise<void>
}

export async function startScriptedTrytond(password = 'secret'): Promise<ScriptedTrytond> {
  const database = 'scripted'
  const replies: ScriptedReply[] = []
  const validSessions = new Set<string>()
  const calls: RecordedCall[] = []
  let logins = 0
  let sessionCounter = 0
  let refuseSessions = false

  const server = await listenLocally(async (req, res) => {
    const body = JSON.parse(await readBody(req)) as { id: number; method: string; params: unknown[] }
    calls.push({ method: body.method, params: body.params, authorization: req.headers.authorization })
    const send = (status: number, payload: string | object) => {
      res.writeHead(status, { 'content-type': typeof payload === 'string' ? 'text/html' : 'application/json' })
      res.end(typeof payload === 'string' ? payload : JSON.stringify({ id: body.id, ...payload }))
    }
    if (body.method === 'common.server.version') return send(200, { result: '6.0.29' })
    if (body.method === 'common.db.login') {
      const [login, parameters] = body.params as [string, { password?: string }]
      if (parameters.password !== password) return send(401, '<h1>Unauthorized</h1>')
      logins++
      const session = `session-${++sessionCounter}`
      validSessions.add(Buffer.from(`${login}:1:${session}`).toString('base64'))
      return send(200, { result: [1, session] })
    }
    const token = /^Session (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    if (!token || !validSessions.has(token) || refuseSessions) return send(401, '<h1>Unauthorized</h1>')
    if (body.method === 'model.res.user.get_preferences') return send(200, { result: { company: 1, language: 'en' } })
    const reply = replies.shift() ?? { error: [`no scripted reply for ${body.method}`, ''] }
    if ('hang' in reply) return
    if ('status' in reply) return send(reply.status, reply.body ?? '<h1>Error</h1>')
    send(200, reply)
  })

  return {
    url: server.origin,
    database,
    calls,
    get logins() {
      return logins
    },
    script: (...next) => void replies.push(...next),
    expireSessions: () => validSessions.clear(),
    get refuseSessions() {
      return refuseSessions
    },
    set refuseSessions(value: boolean) {
      refuseSessions = value
    },
    close: server.close,
  }
}
