import { NUMBER_SOURCE, parseNumber } from './chinese-numbers.js'
import type { MoneyMention } from './money.js'
import { EXPLAINED, type Scan } from './scan.js'

// 批/些 say "some", not how many, so they name an item without giving a quantity.
const MEASURE = '台|把|箱|包|套|个|张|支|部|本|盒|件|瓶|桶|只|副|双|辆|卷|袋|组|条|根|份|枚|片|罐|盆|令|批|些'
// 块 is also a unit of money (八百块), so it only counts after the item (白板一块).
const MEASURE_AFTER_ITEM = `${MEASURE}|块`
// 零 for 一百零一台 (101, not 一台).
const QTY = '(?<qty>\\d+|[零一二两三四五六七八九十百千]+)'
const ITEM_START = '[\\u4e00-\\u9fa5a-z]'
// Spaces only inside Latin names (MacBook Pro).
const ITEM_CHAR = '(?:[\\u4e00-\\u9fa5a-z0-9+#\\-]| (?=[a-z]))'
const VERB = '(?:采购|申购|购买|订购|(?<!申)请购|买)(?:申请|需求)?\\s*:?'
// 采购预算5万的服务器: a budget said before the item. Skipped here, left for the money reader.
const BUDGET_BEFORE_ITEM = `(?:(?:总?预算|总价|价值)\\s*(?::|是|为)?\\s*(?:${NUMBER_SOURCE})\\s*(?:万元|千元|元|块钱|块|k|w)?\\s*的\\s*)?`
// 采购三百五一台的显示器, 采购明天的机票: something read already (a price per piece, see parse.ts, or a day)
// said of the item with 的.
const READ_BEFORE_ITEM = `(?:${EXPLAINED}+\\s*的\\s*)?`

const COUNT_FIRST = new RegExp(`${QTY}\\s*(?<measure>${MEASURE})\\s*(?<item>${ITEM_CHAR}+)`, 'gd')
const ITEM_FIRST = new RegExp(`${VERB}\\s*${BUDGET_BEFORE_ITEM}${READ_BEFORE_ITEM}(?<item>${ITEM_START}${ITEM_CHAR}*?)\\s*${QTY}\\s*(?<measure>${MEASURE_AFTER_ITEM})`, 'gd')
// 买个路由器: a bare 个 is 一个.
const ITEM_ONLY = new RegExp(`${VERB}\\s*${BUDGET_BEFORE_ITEM}${READ_BEFORE_ITEM}(?<qty>个)?(?<item>${ITEM_START}${ITEM_CHAR}*)`, 'gd')
// 采购一批办公椅，10把: the count said on its own, after an item named without one. Not 块 (also money),
// not 批/些 (no count), and nothing may follow it that could be an item name.
const COUNT_ALONE = new RegExp(`(?<![0-9.零一二三四五六七八九十百千两])${QTY}\\s*(?<measure>${MEASURE.replace('|批|些', '')})(?![\\u4e00-\\u9fa5a-z0-9])`, 'gd')
const ENGLISH = /\b(?:purchase|buy|procure|order)\s+(?:(?<qty>\d+)\s+)?(?:(?:a|an|the|some)\s+)?(?<item>[a-z][a-z0-9 \-]*?)(?=\s*(?:[,;.]|$|\bbudget\b|\bfor\b|\bbecause\b|\bat\b|\bwith\b|\bworth\b|\btotal\b|\d))/dg

// Where an item name stops: a budget, a reason, a price.
const ITEM_END = /预算|理由|原因|因为|由于|用于|用来|给|供|大概|大约|约|总价|总共|一共|共计|单价|每[台个把件套]|金额|费用|左右|\d+(?:\.\d+)?(?:万|千|元|块|k|w)|[,.;]/

export interface PurchaseMention {
  item?: string
  quantity?: number
}

// Words that follow a purchase verb without naming anything to buy.
const NOT_AN_ITEM = /^(?:申请|一下|东西|单|流程|的申请)$/

function trimItem(raw: string): string {
  const cut = ITEM_END.exec(raw.toLowerCase())
  const item = (cut ? raw.slice(0, cut.index) : raw).replace(/^(?:的|些|点)+|的+$/g, '').trim()
  return NOT_AN_ITEM.test(item) ? '' : item
}

/** What is to be bought and how many. Claims what it reads. */
export function findPurchase(scan: Scan): PurchaseMention {
  for (const pattern of [COUNT_FIRST, ITEM_FIRST, ITEM_ONLY, ENGLISH]) {
    const m = scan.first(pattern)
    const itemAt = m?.indices?.groups?.item
    if (m === undefined || itemAt === undefined) continue
    const item = trimItem(scan.slice(itemAt[0], itemAt[1]))
    if (item === '') continue
    const itemEnd = scan.text.indexOf(item, itemAt[0]) + item.length
    const qtyAt = m.indices?.groups?.qty
    const counted = m.groups!.measure !== '批' && m.groups!.measure !== '些'
    const qty = m.groups!.qty
    const quantity = qty === undefined || !counted ? undefined : qty === '个' ? 1 : parseNumber(qty)
    // Claim from the count (or the item) to the end of what was read, but not the verb.
    const start = Math.min(itemAt[0], qtyAt?.[0] ?? Infinity)
    const end = Math.max(itemEnd, pattern === ITEM_FIRST ? m.index + m[0].length : itemEnd)
    scan.claim(start, end)
    const count = validCount(quantity) ?? countAlone(scan)
    return { item, ...(count !== undefined ? { quantity: count } : {}) }
  }
  // No item named (「采购，10台」, or 「3台，预算1.5万」 answering how many): the count alone.
  const count = countAlone(scan)
  return count !== undefined ? { quantity: count } : {}
}

function validCount(n: number | undefined): number | undefined {
  return n !== undefined && Number.isInteger(n) && n > 0 ? n : undefined
}

/** A count said apart from the item (，10把). Claims it when it is one. */
function countAlone(scan: Scan): number | undefined {
  const m = scan.first(COUNT_ALONE)
  const quantity = validCount(m && parseNumber(m.groups!.qty!))
  if (m !== undefined && quantity !== undefined) scan.claim(m.index, m.index + m[0].length)
  return quantity
}

export interface PurchaseBudget {
  budget?: number
  /** Sums read but not used for the budget: they stay unexplained. */
  unused: MoneyMention[]
}

/**
 * What the purchase will cost. A total (预算5000, 8万) is the budget. A price per piece (单价6000,
 * 每个80元, 80元/个) is not: the budget is what the approvers sign off and the policies check, so it
 * is the price times the quantity (10台 × 单价6000 = 60000). Without a quantity a unit price gives
 * no budget and is left unexplained, so the line's confidence says something was not used; the
 * dialogue then asks for the quantity and the budget. With a total as well, the total stands.
 */
export function purchaseBudget(money: readonly MoneyMention[], quantity: number | undefined): PurchaseBudget {
  const totals = money.filter((m) => !m.unitPrice)
  const prices = money.filter((m) => m.unitPrice)
  const total = totals.find((m) => m.budget) ?? totals[0]
  if (total !== undefined) return { budget: total.value, unused: [...totals.filter((m) => m !== total), ...prices.slice(1)] }
  const [price, ...otherPrices] = prices
  if (price !== undefined && quantity !== undefined) return { budget: Math.round(price.value * quantity * 100) / 100, unused: otherPrices }
  return { unused: [...prices] }
}
