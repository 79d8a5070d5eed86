import type { Scan } from './scan.js'

/**
 * Words that carry no slot and no intent: politeness, pronouns, particles, generic verbs.
 * They are explained last, so they never hide a keyword or a slot.
 */
const CHINESE =
  '帮我|帮忙|麻烦你?|请你?|劳驾|我要|我想要?|我需要|我得|需要|想要?|要|我们|我的|我|你们|你|您|他的|他|她的|她|给我|帮|给|把|将|' +
  '这个|那个|这笔|那笔|一笔|这张|这份|这些|一下子?|一下|查下|看下|的|了|吧|呢|啊|呀|哦|嘛|吗|么|哈|噢|喔|嗯|' +
  '一共|共计|合计|总共|总计|共|金额|费用|钱|是|为|约|大约|大概|左右|在|从|期间|那天|当天|生效|开始|起|以后|之后|' +
  '申请|提交|提|交|发起|办理|办|走|个|一个|一张|笔|单子|单据|单|流程|谢谢|多谢|好的|发票|票|报|看看|看|查询|查|急用|急|尽快|马上|现在|' +
  '新|一项|一条|事项|这边|公司|项目|审批|审核|被|刚才|刚刚|刚|列出|列一下|列表|显示|有哪些|有什么|有没有|哪些|什么|' +
  '需求|辛苦了|辛苦|感谢|几个|有几|上午|下午|晚上|中午|早上|垫付|加班|回家|' +
  '打算|准备|计划|还有|多少|还|不行|不可以|可以|行|没问题|机器人|等|' +
  '最后工作日|最后一天|生效日期|日期|到货|到位|之前|以前|前'
const ENGLISH =
  "bot|report|thanks|thank you|please|pls|plz|my|the|a|an|for|of|i|i'd|want|to|me|on|in|and|with|is|it|this|that|would|like|can|you|could|" +
  "submit|file|new|request|application|from|effective|starting|at|as|be|do|let|need|are|was|am|some|our|we|please|all|show|list|what|is|s|hi|hello"

// How long a trip or stay lasted (3晚, 两天) is context for the claim, not a slot.
const DURATION = '(?:\\d+|[一二两三四五六七八九十]+)\\s*(?:天|晚|夜|个晚上)'

const FILLER = new RegExp(`${DURATION}|${CHINESE}|\\b(?:${ENGLISH})\\b|[\\s,.;:!?、~\\-—()\\[\\]【】"'“”‘’《》<>/\\\\|·…。]+`, 'g')
const ONLY_FILLERS = new RegExp(`^(?:${CHINESE}|\\b(?:${ENGLISH})\\b|[\\s,.;:!?、~\\-—()\\[\\]【】"'“”‘’《》<>/\\\\|·…。])*$`, 'i')

export function claimFillers(scan: Scan): void {
  for (const m of scan.matches(FILLER)) scan.claim(m.index, m.index + m[0].length)
}

export function isOnlyFillers(text: string): boolean {
  return ONLY_FILLERS.test(text)
}
