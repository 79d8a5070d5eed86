import { pino, type DestinationStream } from 'pino'
import { contextFields, type Log, type LogLevel } from '../ops/logging/log.js'
import { maskFields, maskPersonalData } from '../ops/logging/mask.js'

export interface NodeLogOptions {
  level?: LogLevel
  /** Where the JSON lines go; stdout, written synchronously so nothing is lost at exit. */
  destination?: DestinationStream
}

/**
 * pino on Node: one JSON object a line on stdout (collect it with any log shipper), ISO time,
 * level as a word, the current callback's request id and sender mixed into every line, message
 * and fields masked (ops/logging/mask.ts). Returned as the `log` callback modules already take.
 */
export function createNodeLog(options: NodeLogOptions = {}): Log {
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: { service: 'approval-bridge', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: contextFields,
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  )
  return (message, fields = {}) => {
    const { level = 'info', ...rest } = fields
    logger[level](maskFields(rest) as object, maskPersonalData(message))
  }
}
