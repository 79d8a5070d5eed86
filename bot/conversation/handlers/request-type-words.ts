import type { RequestType } from '../../../workflow/request-types.js'

const TYPE_WORDS: ReadonlyArray<readonly [RegExp, RequestType]> = [
  [/报销|报账|報銷/, 'expense'],
  [/采购|申购|採購/, 'purchase'],
  [/调岗|转岗|调动|調崗/, 'hr.transfer'],
  [/离职|辞职|離職/, 'hr.resign'],
  [/立项|项目|立項/, 'project'],
]

/** 「撤回我的报销」「我的采购到哪了」: the request type a line names narrows what it may mean. */
export function requestTypeNamedIn(text: string): RequestType | undefined {
  return TYPE_WORDS.find(([words]) => words.test(text))?.[1]
}
