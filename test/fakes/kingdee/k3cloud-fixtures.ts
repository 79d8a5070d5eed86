/**
 * K/3 Cloud replies copied from public sources, used verbatim as fixtures.
 */

/**
 * A Save that succeeded, as logged by an integration (comment in SaveForResultInfo.java, a public
 * Android client): IsSuccess a real boolean, MsgCode 0, the number in SuccessEntitys and Result.
 */
export const SAVE_SUCCEEDED = '{"Result":{"ResponseStatus":{"IsSuccess":true,"Errors":[],"SuccessEntitys":[{"Id":100029,"Number":"FKSQ000004","DIndex":0}],"SuccessMessages":[],"MsgCode":0},"Id":100029,"Number":"FKSQ000004","NeedReturnData":[{}]}}'

/** An Audit refused because the bill was already audited (comment in a public Java integration): MsgCode 11. */
export const AUDIT_REFUSED = '{"Result":{"ResponseStatus":{"ErrorCode":500,"IsSuccess":false,"Errors":[{"FieldName":"","Message":"单据编号为“TK202504030001”的销售出库单，单据已经审核！","DIndex":0}],"SuccessEntitys":[],"SuccessMessages":[],"MsgCode":11}}}'

/** The WebAPI documentation's result template: IsSuccess and MsgCode as strings. */
export const DOC_TEMPLATE_FAILED = '{"Result":{"ResponseStatus":{"ErrorCode":"","IsSuccess":"false","Errors":[{"FieldName":"FMaterialId","Message":"物料编码不能为空","DIndex":0}],"SuccessEntitys":[],"SuccessMessages":[],"MsgCode":"11"},"Id":"","Number":"","NeedReturnData":[{}]}}'

/** The public gateway's 519 bodies, from an unauthenticated probe of api.kingdee.com/galaxyapi (quoted in a K/3 Cloud skill reference). */
export const GATEWAY_API_NOT_FOUND = '{"errcode":5001,"description":"API not found[GW]","description_cn":"请求的API不存在[网关]"}'

/** What every call gets without a valid session or credentials (MsgCode 1, message in Chinese whatever the LCID). */
export function sessionLostReply(bool: (value: boolean) => boolean | string): object {
  return { Result: { ResponseStatus: { ErrorCode: 500, IsSuccess: bool(false), Errors: [{ FieldName: null, Message: '会话信息已丢失，请重新登录', DIndex: 0 }], SuccessEntitys: [], SuccessMessages: [], MsgCode: 1 } } }
}
