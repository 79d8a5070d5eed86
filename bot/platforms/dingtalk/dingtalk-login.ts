import { DingtalkApiError, type DingtalkClient } from './dingtalk-client.js'
import type { DingtalkDirectory } from './dingtalk-identity.js'

/** oapi errcode for an auth code that is unknown, used or expired (codes live 5 minutes, one use). */
const UNKNOWN_AUTH_CODE = '40078'

export type AuthCodeLogin =
  | { ok: true; employeeId: string }
  | { ok: false; reason: 'invalid_code' | 'not_registered'; message: string }

/**
 * The back end of DingTalk H5 login: the page gets a one-time code from
 * `dd.requestAuthCode({corpId, clientId})`, we exchange it for the DingTalk user id with
 * `/topapi/v2/user/getuserinfo` and map that to our employee. The session is the caller's.
 */
export async function employeeForAuthCode(client: DingtalkClient, directory: DingtalkDirectory, code: string): Promise<AuthCodeLogin> {
  if (!code.trim()) return { ok: false, reason: 'invalid_code', message: '缺少免登授权码 / missing auth code' }
  let userid: string
  try {
    const { result } = await client.oapi<{ result: { userid: string } }>('/topapi/v2/user/getuserinfo', { code })
    userid = result.userid
  } catch (error) {
    if (error instanceof DingtalkApiError && error.code === UNKNOWN_AUTH_CODE) {
      return { ok: false, reason: 'invalid_code', message: '免登授权码无效或已过期，请重新打开应用 / the auth code is invalid or expired' }
    }
    throw error
  }
  const employee = await directory.employeeFor(userid)
  if (!employee) return { ok: false, reason: 'not_registered', message: '你还未在系统中登记，请联系管理员 / you are not registered; ask an administrator' }
  return { ok: true, employeeId: employee.id }
}
