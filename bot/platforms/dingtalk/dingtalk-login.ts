import { DingtalkApiError, type DingtalkClient } from './dingtalk-client.js'
import type { DingtalkDirectory } from './dingtalk-identity.js'

/** oapi errcode for an auth code that is unknown, used or expired (codes live 5 minutes, one use). */
const UNKNOWN_AUTH_CODE = '40078'

export class InvalidAuthCode extends Error {
  /** What the sign-in route tells apart from the platform failing (same as FeishuLoginError's). */
  readonly reason = 'bad_code'
}

/**
 * The back end of DingTalk H5 login: the page gets a one-time code from
 * `dd.requestAuthCode({corpId, clientId})`, we exchange it for the DingTalk user id with
 * `/topapi/v2/user/getuserinfo` and map that to our employee id (null: not in the employee
 * master, or has left). A bad, used or expired code throws InvalidAuthCode. The session is the caller's.
 */
export async function employeeIdForAuthCode(client: DingtalkClient, directory: DingtalkDirectory, code: string): Promise<string | null> {
  if (!code.trim()) throw new InvalidAuthCode('缺少免登授权码 / missing auth code')
  let userid: string
  try {
    const { result } = await client.oapi<{ result: { userid: string } }>('/topapi/v2/user/getuserinfo', { code })
    userid = result.userid
  } catch (error) {
    if (error instanceof DingtalkApiError && error.code === UNKNOWN_AUTH_CODE) {
      throw new InvalidAuthCode('免登授权码无效或已过期，请重新打开应用 / the auth code is invalid or expired')
    }
    throw error
  }
  const employee = await directory.employeeFor(userid)
  return employee?.active ? employee.id : null
}
