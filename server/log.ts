import { consoleJsonLog } from '../ops/logging/log.js'

/**
 * The runtime-neutral logger: one masked JSON object a line on the console, with the request id
 * of the callback being handled. Workers use it as is; the Node entry uses pino (node-log.ts).
 */
export const log = consoleJsonLog()
