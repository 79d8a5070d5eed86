import { currentRequestContext } from '../request-context.js'
import { maskFields, maskPersonalData } from './mask.js'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface LogFields {
  level?: LogLevel
  [field: string]: unknown
}

/**
 * The seam every module logs through. Most take `(message: string) => void`, which this type is
 * assignable to; the server's own hooks add fields. Node backs it with pino (server/node-log.ts),
 * Workers with console JSON (consoleJsonLog): same fields, same masking, one JSON object a line.
 */
export type Log = (message: string, fields?: LogFields) => void

/** The request id and sender of the callback being handled, when there is one. */
export function contextFields(): { requestId?: string; userId?: string } {
  const context = currentRequestContext()
  if (!context) return {}
  return context.userId ? { requestId: context.requestId, userId: context.userId } : { requestId: context.requestId }
}

/** One JSON line without pino (Workers; also what `console.log` of a worker shows in `wrangler tail`). */
export function consoleJsonLog(write: (line: string) => void = (line) => console.log(line)): Log {
  return (message, fields = {}) => {
    const { level = 'info', ...rest } = fields
    write(JSON.stringify({ level, time: new Date().toISOString(), ...contextFields(), ...(maskFields(rest) as object), msg: maskPersonalData(message) }))
  }
}
