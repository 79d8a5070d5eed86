import { ErpError } from './erp-adapter.js'

/** Socket-level codes that mean the request never left: nothing can have landed in the ERP. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH'])

export interface TransportContext {
  /** The ERP's name as a finance person knows it: 金蝶, 用友, SAP, Odoo, ERPNext. */
  erp: string
  /** What was being called, for the log. */
  what: string
  /** A write may have landed even when no answer came back. */
  write: boolean
  timeoutMs: number
  /** Where we tried to connect, when naming it helps the admin (a wrong URL). */
  where?: string
}

/**
 * A call that got no HTTP answer at all. A write that timed out or broke mid-way may have landed,
 * so it is `unknown` (the outbox looks it up before resending); anything else is safe to retry.
 */
export function transportFailure(error: unknown, context: TransportContext): ErpError {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } }
  const code = err.cause?.code ?? err.name ?? 'Error'
  const detail = `${context.what}: ${code} ${err.cause?.message ?? err.message ?? ''}`.trim()
  const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError'
  const { erp } = context
  const seconds = context.timeoutMs / 1000
  if (timedOut && context.write) {
    return new ErpError('unknown', `${erp} 在 ${seconds} 秒内没有应答，单据可能已经生成，需要核对后再重试。${erp} timed out; the document may exist.`, detail)
  }
  if (timedOut) return new ErpError('transient', `${erp} 在 ${seconds} 秒内没有应答，稍后会重试。${erp} timed out; will retry.`, detail)
  if (NEVER_SENT.has(code) || !context.write) {
    const where = context.where ? `（${context.where}）` : ''
    return new ErpError('transient', `无法连接 ${erp}${where}，稍后会重试。Cannot reach ${erp}; will retry.`, detail)
  }
  return new ErpError('unknown', `与 ${erp} 的连接中断，单据可能已经生成，需要核对后再重试。The connection to ${erp} broke; the document may exist.`, detail)
}
