/**
 * YonBIP replies copied from public sources, used verbatim as fixtures.
 */

/** getAccessToken success, as the open platform documents it (quoted in a YonBIP integration's API notes). */
export const TOKEN_ISSUED = '{"code":"00000","message":"成功！","data":{"access_token":"b8743244c5b44b8fb1e52a55be7e2f","expire":7200}}'

/** Token endpoint with a forged appKey (unauthenticated probe, 2026-09-11, in a YonBIP skill reference). */
export const APP_UNKNOWN = '{"code":"10018","message":"应用不存在或appKey已停用"}'

/** Business API with a forged token: HTTP 200, code as a string (same probe). */
export const TOKEN_ILLEGAL = '{"code":"310036","message":"非法token"}'

/**
 * 通用报销单保存 success, trimmed from the API page's 正确返回示例 (open.yonyoucloud.com apiId
 * 5d153ab874f04e358117d8afa8cd5a8a, mirrored in a public YonBIP API-docs dump): code "200", the bill
 * number in data.code, status 0 (待提交).
 */
export const EXPENSE_BILL_SAVED = JSON.stringify({
  code: '200',
  message: '操作成功',
  data: { id: 2448510829252864, code: '0298', status: 0, pk_billtype: 'znbzbx_expensebill', vreason: '测试', nsummny: 133.74, pubts: '2021-09-26 18:44:45' },
  displayCode: '',
})

/** A batch audit where one row failed: still code 200, the failure is in failCount (shape from 采购发票弃审's 返回值参数). */
export const BATCH_PARTLY_FAILED = JSON.stringify({ code: '200', message: '操作成功', data: { count: 1, sucessCount: 0, failCount: 1, messages: ['单据[CG00000001]已审核，不能重复审核'] } })
