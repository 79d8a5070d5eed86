import type { Context } from 'hono'
import { HTTP_STATUS_OF } from '../../bot/http-errors.js'
import { isDomainError } from '../../workflow/errors.js'

/** Domain errors become the same {ok,code,message} answers the rest of the app gives; others bubble up. */
export function domainErrorResponse(error: Error, c: Context): Response {
  if (isDomainError(error)) return c.json({ ok: false, code: error.code, message: error.message }, HTTP_STATUS_OF[error.code])
  throw error
}

export function validationFailed(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }, c: Context) {
  if (!result.success) {
    const detail = result.error?.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ')
    return c.json({ ok: false, code: 'VALIDATION', message: `请求格式不正确 / invalid request: ${detail}` }, 400)
  }
}
