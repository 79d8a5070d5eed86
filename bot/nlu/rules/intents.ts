import type { Intent } from '../command.js'
import type { Scan } from './scan.js'

interface IntentRule {
  intent: Intent
  pattern: RegExp
  /** How sure one keyword makes us; below 0.95 for words that are often used otherwise. */
  strength: number
  /** A decision word said not to be acted on now (先别同意): the line is understood and commands nothing. */
  hold?: boolean
}

/**
 * A decision word under a negation. Two readings, chosen by who the negation addresses:
 *
 * - HOLD, "do not do it (yet)": an imperative to the bot (别同意, 不要通过, 先不要批, don't approve) or a
 *   hedge in time (先不同意, 暂时不能批, 等我看看再同意), and the same in front of a rejection (别驳回, 先不要退回),
 *   a statement that nothing was decided (我没同意), or a question (可以同意吗, 为什么同意了). Nothing is decided: the parse is `unknown`, never a
 *   decision, since "hold off" read as 驳回 would end the request as surely as 同意 would approve it.
 * - REFUSAL, "I cannot approve this": the approver states the decision (不能同意, 不可以同意, 没法同意,
 *   无法同意, 同意不了, 不能通过, 不能批, 不应该通过, 不太能同意, 不能再批, not approved, can't approve), read
 *   like 不同意 as `approval.reject`.
 *
 * Both come before the plain decision words, whose 同意/通过/approve lie inside them, so a negated
 * 同意 can never be read as approval. A model answer cannot turn them into one either (negatedDecision).
 */
const APPROVE_WORD = '(?:同意|批准|批|通过|审批通过)'
const REJECT_WORD = '(?:驳回|拒绝|退回|打回|否决)'
// 不能再批, 别直接通过: an adverb between the negation and the verb.
const ADVERB = '(?:再|就|直接|马上|轻易|随便|这么|这样)?'
const CANNOT = '不能够?|不可以|没法|无法'
/** 全部同意, 批量通过: words that make an approval cover every pending task (the handler reads them too). */
export const BATCH_WORD = '全部|批量|所有的?|全都|都|一起|一并|统统'
// Asked, not decided: 可以同意吗, 同意？, 是否同意, 要不要批, 为什么同意了.
const ASKED =
  `(?:能够?|可以|会)?\\s*(?:${APPROVE_WORD}|${REJECT_WORD})\\s*(?:吗|么|嘛|[?？])|(?:是否|要不要|该不该|能不能|可不可以|需不需要)\\s*${ADVERB}(?:${APPROVE_WORD}|${REJECT_WORD})` +
  `|(?:为什么|为啥|凭什么|怎么会)\\s*(?:要|会|就|被)?\\s*(?:${APPROVE_WORD}|${REJECT_WORD})`
/** A held-off decision asked about, rather than put off: ASKED, or a line that ends as a question (先别同意？). */
const ASKED_PATTERN = new RegExp(`${ASKED}|(?:吗|么|嘛|[?？])[\\s.!~。！]*$`, 'g')
const HOLD_PATTERN = new RegExp(
  `(?:先|暂时|暂且|暂|目前|现在|还是)?\\s*(?:别|不要|不用|甭|勿|千万别|先别|暂缓)\\s*${ADVERB}(?:${APPROVE_WORD}|${REJECT_WORD})` +
    `|(?:先|暂时|暂且|暂|目前)\\s*(?:${CANNOT}|不)\\s*(?:${APPROVE_WORD}|${REJECT_WORD})` +
    `|(?:${CANNOT}|不)\\s*${REJECT_WORD}|(?<!还)没有?\\s*(?:同意|批准)` +
    `|${ASKED}` +
    // Put off: 等我看看再同意, 明天再批, 看完材料再驳回.
    `|(?:等|看完|看看|回头|稍后|晚点|之后|过两天|明天|下午|晚上)[^，。,.!！?？]{0,8}?再\\s*(?:${APPROVE_WORD}|${REJECT_WORD})` +
    String.raw`|\b(?:don['’]?t|do not|dont|never)\s+(?:approve|reject|decline)(?:\s+(?:it|this|that))?(?:\s+(?:yet|for now))?\b|\bhold off\b`,
  'g',
)
const REFUSAL_PATTERN = new RegExp(
  `(?:${CANNOT}|不可|没办法|不太能|不大能|不应该?|不该|不宜|不得)\\s*${ADVERB}${APPROVE_WORD}|(?:同意|批准?|通过)\\s*不了|通不过` +
    String.raw`|\bnot\s+(?:be\s+)?approved\b|\b(?:can['’]?t|cannot|can not|won['’]?t|will not|could not|couldn['’]?t)\s+(?:be\s+)?approved?\b`,
  'g',
)

/**
 * Keywords per intent, in priority order: when several intents' words occur, the first listed wins.
 * Questions about a request (status) come before the actions they mention (驳回了吗 asks, 驳回 acts),
 * and actions on a request come before the request types they name (撤回报销单 withdraws).
 */
const RULES: readonly IntentRule[] = [
  {
    intent: 'help',
    pattern:
      /帮助|\bhelp\b(?!\s+me\s+\w)|怎么用|如何使用|使用说明|使用方法|说明书|(?:你|机器人)(?:能|会|可以)(?:做|干|帮我做)?(?:什么|啥|哪些)|(?:能|会|可以)(?:用你)?(?:帮我)?(?:做|干)(?:什么|啥|哪些)|有(?:什么|哪些)功能|功能列表|菜单|指令|命令|(?:怎么|怎样|如何)(?:报销|提交|申请|操作|发起|审批|立项|用|撤回|查)|不会用|教(?:教|一下)?我(?:用|怎么)?|^\s*\?+\s*$|\bwhat can you do\b|\bhow (?:do i|to|can i)\b|\busage\b|\bcommands?\b/g,
    strength: 0.95,
  },
  {
    // Before withdraw and status: 取消代理 cancels a stand-in, 我的代理 asks about one.
    intent: 'delegation.cancel',
    pattern: /(?:取消|撤销|撤回|停止|结束|关闭|关掉|删除|删掉|不用|不要)(?:掉)?(?:[^,，。;；\s]{1,6}?的)?(?:审批)?代理(?:人|设置)?|代理(?:人)?(?:取消|不用了|不要了|结束)|\bcancel (?:my )?(?:delegation|delegate|stand-?in)\b|\bremove (?:my )?(?:delegation|delegate|stand-?in)\b/g,
    strength: 0.95,
  },
  {
    intent: 'delegation.list',
    pattern: /^\s*(?:我的|查看|看看|看一下|查一下|查询)(?:审批)?代理(?:人|设置)?\s*$|谁(?:在)?(?:代理|代)我(?:审批)?|(?:我的)?代理(?:人)?是谁|\bmy (?:delegations?|delegates?|stand-?ins?)\b|\bwho is my (?:delegate|stand-?in)\b/g,
    strength: 0.95,
  },
  {
    // Someone approves in my place while I am away: 设置代理, 让李四代理, 李四代我审批, 休假…帮我审批.
    intent: 'delegation.set',
    pattern:
      /(?:设置|设定|指定|安排|找)(?:一下|个)?(?:审批)?代理(?:人)?|让\S{1,6}?代(?:理|批|审)|由\S{1,6}?代(?:理|批|审)|代理(?:我的)?审批|代我(?:审批|审|批)|(?:休假|请假|出差|不在|年假|病假)[^。]*?(?:帮|替)我(?:审批|审|批)|\bdelegate (?:my )?approvals?\b|\bdelegate to\b|\bstand-?in\b|\bout of (?:the )?office\b/g,
    strength: 0.95,
  },
  {
    intent: 'request.status',
    pattern:
      /进度|进展|状态|(?:审批|流程)?(?:走)?到(?:哪|那)(?:一步|步|里|儿|个环节|个节点)?|审批到|卡在|怎么样了|(?:批|审|通过|审批|批准|同意|到账|打款|驳回|拒绝|撤回|报销|付款|处理)(?:完)?了(?:吗|没有?(?!问题|毛病)|么)|(?:批|审|审批|批准|报销|处理|钱)下来(?:了)?(?:吗|没|没有|么)|批没批|同没同意|有没有(?:批|通过|到账|同意)|什么时候(?:能)?(?:批|到账|通过|审批)|(?:查|看)(?:一下|询|查|看)?(?:下)?(?:我的)?(?:采购|调岗|转岗|离职|辞职|立项|项目)?(?:申请|报销单?|单子|单据|记录)|(?<!取消|撤回|撤销)我的(?:申请|报销单?|单子)(?![^,，。;；!！]*?(?:撤|不要了|作废))|谁(?:那|手上|那里)|谁在(?:审|批|处理)|在谁(?:手里|手上|那)|(?:怎么)?还没(?:批|审|通过|同意|批准|到账|处理|打款)|什么情况|啥情况|\bstatus\b|\bprogress\b|\bwhere(?:'s| is)\b|\btrack\b/g,
    strength: 0.95,
  },
  { intent: 'unknown', pattern: HOLD_PATTERN, strength: 0.95, hold: true },
  { intent: 'approval.reject', pattern: REFUSAL_PATTERN, strength: 0.95 },
  {
    intent: 'approval.reject',
    pattern:
      /不同意|不批准?|不予(?:批准|通过)|不准|驳回|拒绝|否决|不通过|打回|退回|\breject(?:ed)?\b|\bdeclined?\b|\bdeny\b|\bdenied\b|\brefused?\b/g,
    strength: 0.95,
  },
  {
    intent: 'request.withdraw',
    pattern:
      /撤回|撤销|撤单|收回|作废|取消(?:掉)?[\u0001\s]*(?:这个|该|我的|那个|这笔)?(?:申请|报销|单子|单据|请求|流程)|取消(?=\s*\u0001)|(?<=\u0001\s*)取消|不(?:想|要|用)?报了|撤(?:掉|了|下|一下|回来)|(?:申请|单子|单据|报销|那个|这个|那笔|这笔)[\u0001\s]*(?:我)?(?:也)?不(?:想)?要了|\bwithdraw\b|\bretract\b|\brecall\b|\bcancel\b(?= (?:my |the |this )?(?:request|application|claim|expense))/g,
    strength: 0.95,
  },
  {
    intent: 'approval.approve',
    // 全部同意 / 批量通过: the batch words belong to the decision (the handler approves each pending task).
    pattern: new RegExp(
      String.raw`同意(?:全部|所有)|(?:(?:${BATCH_WORD})\s*)?(?:(?<!不)同意|(?<!不|不予)批准|审批通过|(?<!不|不予)通过)|准了|准予|批了吧|可以批|\bapprove all\b|\bapproved?\b|\baccept(?:ed)?\b|\blgtm\b`,
      'g',
    ),
    strength: 0.95,
  },
  {
    intent: 'approval.list',
    pattern:
      /待办|待审批|待审|待批|待处理|待我(?:审批|审|批|处理)|(?:需要|要|该|等)我(?:审批|批|审|处理)|(?:需要|要|该|等)(?:审批|批|审)的|我(?:要|需要|该)(?:审批|审|批|处理)的|审批列表|有(?:什么|哪些|啥|没有)(?:要|需要|待)?(?:我)?(?:审批|批|审|处理)的|\bpending\b|\btodos?\b|\bto-?do\b|\bmy approvals\b|\bapprovals\b|\binbox\b|\bapproval list\b|\bneeds? my approval\b|\b(?:waiting|wait) (?:for|on) (?:my )?(?:approval|review|sign-?off)\b|\bawaiting my (?:approval|review)\b/g,
    strength: 0.95,
  },
  {
    intent: 'project.initiate',
    pattern:
      /立(?:一?个)?项目?|(?:新建|创建|发起|申请)(?:一个|个)?(?:新的?)?项目|新项目|项目申请|开个?项目|\bnew project\b|\bcreate (?:a )?project\b|\binitiate (?:a )?project\b|\bstart (?:a )?project\b|\bproject proposal\b/g,
    strength: 0.95,
  },
  {
    intent: 'hr.transfer',
    pattern:
      /(?:调|转|换)岗(?:位)?|调动|岗位调整|调(?:到|至|去|往|入)|转(?:到|至|去|入)(?=[^,.;。]{0,12}(?:部|中心|组|团队|科|处|室))|换部门|\btransfer(?:red)?\b|\bmove to\b/g,
    strength: 0.95,
  },
  {
    intent: 'hr.resign',
    pattern: /离职|辞职|辞去|不干了|\bresign(?:ation)?\b|\bquit\b|\bleave the company\b/g,
    strength: 0.95,
  },
  {
    intent: 'expense.submit',
    pattern: /报销|报账|报(?:一)?下销|报一下|报个|报掉|\bexpenses?\b|\breimburs\w*|\bclaim\b/g,
    strength: 0.95,
  },
  {
    intent: 'purchase.request',
    pattern: /采购|申购|购买|订购|(?<!申)请购|\bpurchase\b|\bbuy\b|\bprocure(?:ment)?\b|\border\b/g,
    strength: 0.95,
  },
  {
    // 买 also means "bought" in expense talk (买了张机票), so it is a weaker sign.
    intent: 'purchase.request',
    pattern: /(?<!了)买(?!了)/g,
    strength: 0.85,
  },
]

/** Intents that act on an existing request; the request type words they mention are their object. */
const ACTS_ON_REQUESTS: ReadonlySet<Intent> = new Set(['request.status', 'request.withdraw', 'approval.approve', 'approval.reject', 'approval.list', 'help'])

export interface KeywordMatch {
  intent: Intent
  start: number
  end: number
}

export interface IntentGuess {
  intent: Intent
  strength: number
  /** Keyword stretches the guess explains, claimed once the slots have been read. */
  keywords: KeywordMatch[]
  /** Another request type was also named (报销 and 采购 in one line): the guess is less certain. */
  conflicting: boolean
  /** A decision held off (先别同意): understood, and it commands nothing. */
  hold?: true
}

/** The intent the keywords point to, or undefined when no keyword occurs. Claims nothing. */
export function detectIntent(scan: Scan): IntentGuess | undefined {
  const matches: Array<KeywordMatch & { rule: IntentRule }> = []
  for (const rule of RULES)
    for (const m of scan.matches(rule.pattern)) {
      const start = m.index
      const end = m.index + m[0].length
      // A keyword inside a stronger one is part of it: the 同意 of 不能同意, the approve of don't approve.
      if (matches.some((k) => start < k.end && k.start < end)) continue
      matches.push({ intent: rule.intent, start, end, rule })
    }
  const winner = matches[0]
  if (winner === undefined) return undefined
  const actsOnRequests = (m: { intent: Intent; rule: IntentRule }) => m.rule.hold === true || ACTS_ON_REQUESTS.has(m.intent)
  const acting = actsOnRequests(winner)
  const keywords = matches.filter((m) => m.intent === winner.intent || (acting && !actsOnRequests(m)))
  const conflicting = matches.some((m) => m.intent !== winner.intent && acting === actsOnRequests(m))
  return {
    intent: winner.intent,
    ...(winner.rule.hold ? { hold: true } : {}),
    strength: Math.max(...matches.filter((m) => m.intent === winner.intent).map((m) => m.rule.strength)),
    keywords: keywords.map(({ intent, start, end }) => ({ intent, start, end })),
    conflicting,
  }
}

/**
 * A held-off (先别同意) or refused (不能同意) decision anywhere in the text, whatever else it says.
 * Claims nothing. A model's reading may not overrule it (llm-fallback-parser.ts).
 */
export function findNegatedDecision(scan: Scan): 'hold' | 'refusal' | undefined {
  if (scan.first(HOLD_PATTERN) !== undefined) return 'hold'
  if (scan.first(REFUSAL_PATTERN) !== undefined) return 'refusal'
  return undefined
}

/** Whether a line read as holding off a decision asks about it (可以同意吗, 要不要批) rather than puts it off (明天再批). Claims nothing. */
export function findDecisionQuestion(scan: Scan): boolean {
  return scan.first(ASKED_PATTERN) !== undefined
}

export function claimKeywords(scan: Scan, keywords: readonly KeywordMatch[]): void {
  for (const k of keywords) if (scan.isFree(k.start, k.end)) scan.claim(k.start, k.end)
}
