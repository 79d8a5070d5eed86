import { isOnlyFillers } from './fillers.js'
import type { Scan } from './scan.js'

// 立个项目 is 立个项 + 目: the 项目 is read whole, so 目 never starts the title.
const ONE_KEYWORD =
  '(?:发起立项|申请立项|项目立项|立项申请|立(?:一?个)?项目?|(?:新建|创建)(?:一个|个)?(?:新的?)?项目|发起(?:一个|个)?(?:新的?)?项目|新项目|项目申请|申请(?:一个|个)?(?:新的?)?项目|开个?项目|new project|create (?:a )?project|initiate (?:a )?project|start (?:a )?project|project proposal)'
// 发起项目立项, 项目立项申请: keywords said one after another are one phrase, not the start of a title.
const KEYWORD = `${ONE_KEYWORD}(?:\\s*(?:${ONE_KEYWORD}|申请))*`
const TITLE_AFTER = new RegExp(
  `${KEYWORD}\\s*(?::|叫做?|名为|名称\\s*:?|名字叫|项目名\\s*:?|for|called|named)?\\s*(?<title>[^,;。\\u0001]+)`,
  'dg',
)
// 项目名：年终盘点
const TITLE_NAMED = /(?:(?:项目名称?|项目名字|名称|标题|\btitle\b)\s*(?::|叫|是)|(?:^|[,;])\s*(?:叫|名为|名叫|名字叫))\s*(?<title>[^,;。\u0001]+)/dg
// 为双十一营销活动立项 / 双十一营销活动项目立项
const TITLE_BEFORE = /(?:^\s*(?:为|给)?|为|给)\s*(?<title>[^,;。\u0001]{2,40}?)(?:的)?(?:项目)?\s*(?:要)?(?:发起|申请)?立项/dg

// A title stops where the budget, reason or time frame starts.
const TITLE_END = /预算|理由|原因|因为|由于|\bbudget\b|\bbecause\b|\breason\b|[,;。]/

/** The subject of a project being initiated. Claims what it reads. */
export function findProjectTitle(scan: Scan): string | undefined {
  for (const pattern of [TITLE_NAMED, TITLE_AFTER, TITLE_BEFORE]) {
    const m = scan.first(pattern)
    const at = m?.indices?.groups?.title
    if (m === undefined || at === undefined) continue
    const raw = scan.slice(at[0], at[1])
    const cut = TITLE_END.exec(raw.toLowerCase())
    const kept = (cut ? raw.slice(0, cut.index) : raw).trimEnd()
    // A trailing 项目 or 的 is part of the phrase, not of the name.
    // Quotes around the name (「年度品牌升级」) mark it; they are not part of it.
    const title = kept.replace(/(?:的|项目)+$/, '').trim().replace(/^[「『“"《]\s*(.*?)\s*[」』”"》]$/, '$1')
    if (title.length < 2 || isOnlyFillers(title)) continue
    // The words that introduce the name (立个项目叫, 项目名：) are explained with it.
    scan.claim(m.index, at[0] + kept.length)
    return title
  }
  return undefined
}
