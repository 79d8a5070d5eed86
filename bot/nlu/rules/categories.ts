import type { ExpenseCategory } from '../command.js'
import type { Scan } from './scan.js'

/** What people call each expense category. Longer phrases win over the words inside them. */
const SYNONYMS: Readonly<Record<ExpenseCategory, readonly string[]>> = {
  travel: [
    '差旅', '出差', '旅费', '机票', '飞机票', '飞机', '航班', '高铁票', '高铁', '动车票', '动车', '火车票', '火车', '车票',
    'travel', 'trip', 'flight', 'air ticket', 'airfare', 'train ticket', 'train',
  ],
  transport: [
    '市内交通', '交通', '打车', '打的', '滴滴', '出租车', '的士', '网约车', '快车', '专车', '地铁', '公交', '停车', '加油', '油费',
    '过路', '过桥', '高速', '通行', '车费', '车马',
    'transport', 'transportation', 'taxi', 'cab', 'uber', 'didi', 'parking', 'fuel', 'gas', 'subway', 'metro', 'bus', 'toll',
  ],
  meal: [
    '餐补', '餐费', '饭补', '饭费', '伙食', '午饭', '午餐', '中饭', '晚饭', '晚餐', '早饭', '早餐', '夜宵', '宵夜', '加班餐', '工作餐',
    '外卖', '盒饭', '吃饭', '用餐', '餐饮', '饭钱', '餐钱',
    'meal', 'meals', 'lunch', 'dinner', 'breakfast', 'food',
  ],
  lodging: ['住宿', '酒店', '宾馆', '旅馆', '民宿', '房费', '住店', 'hotel', 'lodging', 'accommodation'],
  office: [
    '办公用品', '办公耗材', '办公', '文具', '打印纸', 'a4纸', '墨盒', '硒鼓', '打印', '复印', '快递', '邮寄',
    'office supplies', 'office', 'stationery', 'printing', 'courier', 'postage',
  ],
  entertainment: [
    '业务招待', '招待客户', '客户招待', '招待', '客户吃饭', '请客户吃饭', '请客户', '请客', '宴请', '应酬', '客户餐', '接待', '商务宴请', '礼品',
    'entertainment', 'dinner with client', 'lunch with client', 'with client', 'client dinner', 'client lunch', 'hospitality', 'gifts',
  ],
  training: ['培训', '课程', '学费', '考试', '报名', '会议', '研讨会', '讲座', '认证', 'training', 'course', 'conference', 'seminar', 'exam'],
  communication: [
    '话费', '电话', '通讯', '通信', '手机', '流量', '宽带', '网费', 'communication', 'phone bill', 'phone', 'mobile', 'internet',
  ],
  other: ['其他', '其它', '杂费', '杂项', 'other', 'misc', 'miscellaneous'],
}

export function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

const LOOKUP = new Map<string, ExpenseCategory>()
for (const [category, words] of Object.entries(SYNONYMS) as Array<[ExpenseCategory, readonly string[]]>)
  for (const word of words) LOOKUP.set(word, category)

const WORDS = [...LOOKUP.keys()].sort((a, b) => b.length - a.length)
const CATEGORY = new RegExp(
  `(?<word>${WORDS.map((w) => (/^[a-z ]+$/.test(w) ? `\\b${escape(w)}\\b` : escape(w))).join('|')})` +
    `(?<fee>费用|费|补贴|补助|发票|票| expenses?| costs?| fees?| bills?)?`,
  'g',
)

export interface CategoryMention {
  category: ExpenseCategory
  /** Said as a cost (打车费, 差旅费, taxi expense), which marks the text as an expense claim. */
  asCost: boolean
  start: number
  end: number
}

/** Expense categories named in the text, in order. Claims what it reads. */
export function findCategories(scan: Scan): CategoryMention[] {
  const found: CategoryMention[] = []
  for (const m of scan.matches(CATEGORY)) {
    const category = LOOKUP.get(m.groups!.word!)!
    found.push({ category, asCost: m.groups!.fee !== undefined, start: m.index, end: m.index + m[0].length })
    scan.claim(m.index, m.index + m[0].length)
  }
  return found
}

/** Whether an expense category is named, without claiming it (to know which way dates lean). */
export function mentionsCategory(scan: Scan): boolean {
  return scan.first(CATEGORY) !== undefined
}

/**
 * When several categories are named the most specific wins: a meal with clients is entertainment,
 * a taxi or hotel on a business trip is transport or lodging (出差期间的打车费).
 */
const SPECIFICITY: readonly ExpenseCategory[] = ['entertainment', 'lodging', 'transport', 'meal', 'communication', 'training', 'office', 'travel', 'other']

export function chooseCategory(mentions: readonly CategoryMention[]): CategoryMention | undefined {
  let best: CategoryMention | undefined
  for (const m of mentions) if (best === undefined || SPECIFICITY.indexOf(m.category) < SPECIFICITY.indexOf(best.category)) best = m
  return best
}

// 差旅费、住宿费 / 打车和餐费: costs listed side by side.
const LISTED = /^\s*(?:、|和|与|及|以及|跟|加上?|还有|,|\+|&|and)\s*$/

/**
 * Other kinds of cost named beside the chosen one (报销10月份的差旅费、住宿费共5000): a claim carries
 * one category, so the rules still pick one by the order above (lodging here), deterministically,
 * but these other costs are not explained by it. Unlike context (出差期间的打车费, 招待客户的餐费) they
 * are said as costs of their own (both with 费…), or listed with the chosen one. They are left
 * unexplained and the choice counts as uncertain, like two request types in one line (parse.ts), so
 * the confidence falls below the bar: the model is asked when one is configured, and the person
 * checks the category on the confirmation card either way.
 */
export function competingCosts(scan: Scan, mentions: readonly CategoryMention[], chosen: CategoryMention | undefined): CategoryMention[] {
  if (chosen === undefined) return []
  const listed = (a: CategoryMention, b: CategoryMention) => {
    const [first, second] = a.start < b.start ? [a, b] : [b, a]
    return LISTED.test(scan.text.slice(first.end, second.start))
  }
  return mentions.filter((m) => m.category !== chosen.category && ((m.asCost && chosen.asCost) || listed(m, chosen)))
}
