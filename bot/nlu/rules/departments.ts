import type { Scan } from './scan.js'

const SUFFIX = '事业部|部门|部|中心|小组|组|团队|科|处|办公室|分公司|工作室'
const MOVE = '(?:(?:调|转|换)岗(?:位)?|调动|调|转|去|到|至|往|\\bto\\b)\\s*(?:申请)?\\s*(?:到|至|去|往|入|:)?\\s*'
const WITH_SUFFIX = new RegExp(`${MOVE}(?<dept>[\\u4e00-\\u9fa5a-z0-9]{1,12}?(?:${SUFFIX}))`, 'dg')
// 调到销售: a short name right after 到 with nothing else in the clause.
const BARE = /(?:调岗|调动|转岗|换岗|调|转)\s*(?:到|至|去|往|入)\s*(?<dept>[\u4e00-\u9fa5a-z0-9]{2,8}?)(?=$|[,.;\s]|工作|上班|任职|生效|\u0001)/dg
const ENGLISH = /\bto (?:the )?(?<dept>[a-z][a-z &]*?(?: department| dept| team| group| center| centre)?)(?=$|[,.;]| on\b| from\b| effective\b| starting\b| next\b| because\b| as of\b|\u0001)/dg

// 从财务部调到…: the department being left is context, not a slot.
const SOURCE = new RegExp(`从\\s*[\\u4e00-\\u9fa5a-z0-9]{1,12}?(?:${SUFFIX})`, 'g')

/** The department someone moves to. Claims what it reads, and the one they leave. */
export function findTargetDepartment(scan: Scan): string | undefined {
  const source = scan.first(SOURCE)
  if (source !== undefined) scan.claim(source.index, source.index + source[0].length)
  for (const pattern of [WITH_SUFFIX, BARE, ENGLISH]) {
    const m = scan.first(pattern)
    const at = m?.indices?.groups?.dept
    if (m === undefined || at === undefined) continue
    // The verb may already be claimed as the intent's keyword; claim only what is still free.
    for (let i = m.index; i < at[1]; i++) if (scan.isFree(i, i + 1)) scan.claim(i, i + 1)
    return scan.slice(at[0], at[1]).trim()
  }
  return undefined
}
