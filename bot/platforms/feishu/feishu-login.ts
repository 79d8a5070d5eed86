import { FeishuApiError, type FeishuOutbound } from './feishu-outbound.js'
import { NOT_REGISTERED, type FeishuIdentity } from './feishu-identity.js'

export type FeishuLoginFailure = 'bad_code' | 'not_registered' | 'unavailable'

export class FeishuLoginError extends Error {
  constructor(
    readonly reason: FeishuLoginFailure,
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${zh} / ${en}`)
    this.name = 'FeishuLoginError'
  }
}

export interface FeishuLogin {
  /** Our employee id: what the admin session is issued for. */
  userId: string
  name: string
  openId: string
}

/**
 * The backend half of H5 login inside Feishu: the page's `tt.requestAccess` code is exchanged
 * (authen v2 OAuth token, then user_info) and the open_id mapped to our employee exactly as chat
 * messages are. Issuing the session cookie is the caller's job.
 */
export async function exchangeFeishuLoginCode(api: FeishuOutbound, identity: FeishuIdentity, code: string): Promise<FeishuLogin> {
  if (!code.trim()) throw new FeishuLoginError('bad_code', '缺少登录码，请在飞书中重新打开应用', 'missing login code; reopen the app in Feishu')
  let userAccessToken: string
  try {
    userAccessToken = await api.userAccessToken(code.trim())
  } catch (error) {
    if (error instanceof FeishuApiError && !error.retryable && error.status !== undefined && error.status < 500) {
      throw new FeishuLoginError('bad_code', '登录码无效或已过期，请在飞书中重新打开应用', 'login code invalid or expired; reopen the app in Feishu')
    }
    throw unavailable(error)
  }
  try {
    const user = await api.userInfo(userAccessToken)
    if (!user.open_id) throw new FeishuApiError('login user info', undefined, 'no open_id in user_info', 200, false)
    const employee = await identity.employeeFor(user.open_id, user)
    if (!employee?.active) throw new FeishuLoginError('not_registered', NOT_REGISTERED, 'you are not registered; ask an administrator')
    return { userId: employee.id, name: employee.name, openId: user.open_id }
  } catch (error) {
    if (error instanceof FeishuLoginError) throw error
    throw unavailable(error)
  }
}

function unavailable(error: unknown): FeishuLoginError {
  const detail = error instanceof Error ? error.message : String(error)
  return new FeishuLoginError('unavailable', `暂时无法完成飞书登录，请稍后重试（${detail}）`, `Feishu login is unavailable right now: ${detail}`)
}
