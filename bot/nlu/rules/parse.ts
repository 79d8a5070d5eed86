import type { CommandParser, Intent, ParsedCommand, Slots } from '../command.js'
import { formatDay, shanghaiToday, type Day } from './calendar.js'
import { chooseCategory, competingCosts, findCategories, mentionsCategory, type CategoryMention } from './categories.js'
import { findTargetDepartment } from './departments.js'
import { claimFillers } from './fillers.js'
import { claimKeywords, detectIntent, findDecisionQuestion, findNegatedDecision, type IntentGuess } from './intents.js'
import { findMoney, findPricesPerOne, findUnclearSums, type MoneyMention } from './money.js'
import { normalizeText } from './normalize.js'
import { findProjectTitle } from './project-title.js'
import { findPurchase, purchaseBudget } from './purchase.js'
import { findPlaces, placeSlots } from './places.js'
import { findClauseReasons, findMarkedReason } from './reasons.js'
import { byLean, findDates, monthDotDay, type DateMention, type Lean } from './relative-dates.js'
import { findRequestNumbers } from './request-numbers.js'
import { Scan } from './scan.js'

type SlotName = keyof Slots

/** Which slots each intent can carry; anything else the text says is left unexplained. */
const SLOTS_BY_INTENT: Readonly<Record<Intent, ReadonlySet<SlotName>>> = {
  'expense.submit': new Set(['category', 'amount', 'period', 'date', 'reason', 'city', 'nights']),
  'purchase.request': new Set(['item', 'quantity', 'budget', 'date', 'reason']),
  'hr.transfer': new Set(['department', 'effectiveDate', 'reason']),
  'hr.resign': new Set(['effectiveDate', 'reason']),
  'project.initiate': new Set(['title', 'budget', 'period', 'date', 'reason']),
  'request.status': new Set(['requestNo', 'category', 'period', 'date']),
  'request.withdraw': new Set(['requestNo', 'reason']),
  'approval.list': new Set([]),
  'approval.approve': new Set(['requestNo', 'reason']),
  'approval.reject': new Set(['requestNo', 'reason']),
  help: new Set([]),
  // The stand-in is a person, found by the conversation among the employees' names.
  'delegation.set': new Set(['period', 'date', 'reason']),
  'delegation.cancel': new Set([]),
  'delegation.list': new Set([]),
  // A bare answer to a follow-up question ("3500", "上个月的") carries slots without an intent.
  unknown: new Set(['category', 'amount', 'budget', 'period', 'date', 'requestNo']),
}

/** Expenses look back, effective dates and plans look forward, bare answers take the nearest. */
const LEAN_BY_INTENT: Readonly<Partial<Record<Intent, Lean>>> = {
  'expense.submit': 'past',
  'request.status': 'past',
  'hr.transfer': 'future',
  'hr.resign': 'future',
  'project.initiate': 'future',
  'purchase.request': 'future',
  'delegation.set': 'future',
}

const BASE_CONFIDENCE = 0.95
/** Where 退回 sends a request (第2步, 上一步, 发起人): read by the chat handler from the text, so understood here. */
const RETURN_TARGET = /(?:到|至|给)?\s*(?:第\s*\d+\s*步|上一步|上一级|上一节点|发起人|申请人)/g
const RETURNING = /退回|打回/
const ANSWER_CONFIDENCE = 0.9

function round(n: number): number {
  return Math.round(n * 100) / 100
}

function clamp(n: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, n))
}

/**
 * 报销12.3打车费50: a month.day said bare (no 元, no 金额) right before the cost it dates, while another
 * number is there to be the sum, is the day the cost arose (12月3日). With 元, or as the only number, it is the sum.
 */
function daysOfCosts(scan: Scan, numbers: readonly MoneyMention[], costs: readonly CategoryMention[], today: Day, lean: Lean): Map<MoneyMention, DateMention> {
  const days = new Map<MoneyMention, DateMention>()
  for (const n of numbers) {
    const day = costs.some((c) => c.start === n.end) ? monthDotDay(scan, n, today, lean) : undefined
    if (day !== undefined) days.set(n, day)
  }
  return days.size < numbers.length ? days : new Map()
}

/** Parse one chat line with the rules alone: synchronous, deterministic, no network. */
export function parseWithRules(text: string, now: Date): ParsedCommand {
  return read(text, now).command
}

/**
 * The slots of a line that answers a question asked about `intent` ("3台，预算1.5万" while a
 * purchase is filled in): with no keyword of its own, the line is read as part of that command.
 */
export function parseAnswerTo(intent: Intent, text: string, now: Date): Slots {
  return read(text, now, intent).command.slots
}

/**
 * The stretches of the line the rules could not explain, in order: what to tell the person was not
 * understood when the bot will not act on a half-understood line.
 */
export function unexplainedParts(text: string, now: Date): string[] {
  const { scan, beforeFillers } = read(text, now)
  return scan.unexplainedRuns(beforeFillers)
}

function read(text: string, now: Date, answering?: Intent): { command: ParsedCommand; scan: Scan; beforeFillers: Uint8Array } {
  const { text: normalized, corrections } = normalizeText(text)
  const scan = new Scan(normalized)
  const today = shanghaiToday(now)
  const slots: Slots = {}

  const requestNumbers = findRequestNumbers(scan)
  const marked = findMarkedReason(scan)
  const guess: IntentGuess | undefined = detectIntent(scan)
  // 先别同意 / don't approve: understood, and it decides nothing (intents.ts says why not a rejection).
  if (guess?.hold) {
    claimKeywords(scan, guess.keywords)
    const beforeFillers = scan.explainedSoFar()
    claimFillers(scan)
    const confidence = BASE_CONFIDENCE - scan.leftoverRatio() - 0.03 * corrections
    return { scan, beforeFillers, command: { intent: 'unknown', slots: {}, confidence: round(clamp(confidence, 0.05, 0.99)), source: 'rules' } }
  }
  let intent: Intent = guess?.intent ?? answering ?? 'unknown'
  const allowed = (slot: SlotName) => SLOTS_BY_INTENT[intent].has(slot)

  if (intent === 'project.initiate') {
    const title = findProjectTitle(scan)
    if (title !== undefined) slots.title = title
  }

  // With no keyword, a named expense category makes this an expense claim, which looks back.
  const lean = LEAN_BY_INTENT[intent] ?? (intent === 'unknown' && mentionsCategory(scan) ? 'past' : 'nearest')
  // Where and how many nights (places.ts): read before dates and sums, so 住了3天 / 3晚 are neither.
  const places = intent === 'expense.submit' || intent === 'unknown' ? findPlaces(scan) : undefined
  const dates = findDates(scan, today, lean)

  // 三百五一台, 80块一个: prices for one piece, read before the count so 一台 is not one piece bought.
  const pricesPerOne = intent === 'purchase.request' ? findPricesPerOne(scan) : []
  if (intent === 'purchase.request') Object.assign(slots, findPurchase(scan))
  if (intent === 'hr.transfer') {
    const department = findTargetDepartment(scan)
    if (department !== undefined) slots.department = department
  }

  const takesMoney = intent === 'unknown' || allowed('amount') || allowed('budget')
  const unclearSums = takesMoney ? findUnclearSums(scan) : []
  const numbers = takesMoney ? [...pricesPerOne, ...findMoney(scan)].sort((a, b) => a.start - b.start) : []
  const categories: CategoryMention[] = intent === 'unknown' || allowed('category') ? findCategories(scan) : []
  const category = chooseCategory(categories)
  const costDays = daysOfCosts(scan, numbers, categories, today, lean)
  const money = numbers.filter((m) => !costDays.has(m))
  dates.push(...costDays.values())
  dates.sort((a, b) => a.start - b.start)

  // Without a keyword, a category said as a cost or paired with a sum is an expense claim (打车58, 差旅费).
  let strength = guess?.strength ?? 0
  if (intent === 'unknown' && category !== undefined && (money.length > 0 || category.asCost)) {
    intent = 'expense.submit'
    strength = money.length > 0 ? BASE_CONFIDENCE : 0.9
  }
  // A request number on its own asks where that request is.
  if (intent === 'unknown' && requestNumbers.length > 0 && dates.length === 0 && money.length === 0 && categories.length === 0) {
    intent = 'request.status'
    strength = 0.85
  }

  // Read but not used, and not to pass for a reason either: 单价6000 with no quantity, a second cost, 12,00元.
  const unexplainedLater: Array<{ start: number; end: number }> = [...unclearSums]
  // 差旅费、住宿费: one category is kept, the other cost is unexplained and the choice uncertain (categories.ts).
  const otherCosts = allowed('category') ? competingCosts(scan, categories, category) : []
  unexplainedLater.push(...otherCosts)
  if (category !== undefined && allowed('category')) slots.category = category.category
  else for (const c of categories) scan.release(c.start, c.end)

  const [firstMoney, ...extraMoney] = intent === 'purchase.request' ? [] : money
  for (const extra of extraMoney) scan.release(extra.start, extra.end)
  if (intent === 'purchase.request') {
    const { budget, unused } = purchaseBudget(money, slots.quantity)
    unexplainedLater.push(...unused)
    if (budget !== undefined) slots.budget = budget
  } else if (firstMoney !== undefined) {
    const slot: SlotName = allowed('budget') && (firstMoney.budget || !allowed('amount')) ? 'budget' : 'amount'
    if (allowed(slot)) slots[slot] = firstMoney.value
    else scan.release(firstMoney.start, firstMoney.end)
  }

  const [firstDate, ...extraDates] = byLean(dates, today, lean)
  for (const extra of extraDates) scan.release(extra.start, extra.end)
  if (firstDate !== undefined) {
    if (firstDate.kind === 'day' && allowed('effectiveDate')) slots.effectiveDate = formatDay(firstDate.day)
    else if (firstDate.kind === 'day' && allowed('date')) slots.date = formatDay(firstDate.day)
    else if (firstDate.kind === 'range' && allowed('period'))
      slots.period = { from: formatDay(firstDate.range.from), to: formatDay(firstDate.range.to) }
    else scan.release(firstDate.start, firstDate.end)
  }

  const [firstRequestNo, ...extraRequestNos] = requestNumbers
  for (const extra of extraRequestNos) scan.release(extra.start, extra.end)
  if (firstRequestNo !== undefined) {
    if (allowed('requestNo')) slots.requestNo = firstRequestNo.requestNo
    else scan.release(firstRequestNo.start, firstRequestNo.end)
  }
  if (places) Object.assign(slots, placeSlots(scan, places, allowed))

  if (guess !== undefined) claimKeywords(scan, guess.keywords)
  if (intent === 'approval.reject' && RETURNING.test(scan.text)) for (const m of scan.matches(RETURN_TARGET)) scan.claim(m.index, m.index + m[0].length)

  if (allowed('reason')) {
    const reasons = [marked?.reason, findClauseReasons(scan, [...categories, ...(places?.spans ?? [])])].filter((r): r is string => r !== undefined)
    if (reasons.length > 0) slots.reason = reasons.join(',')
  } else if (marked !== undefined) scan.release(marked.start, marked.end)
  for (const span of unexplainedLater) scan.release(span.start, span.end)

  const beforeFillers = scan.explainedSoFar()
  claimFillers(scan)
  const leftover = scan.leftoverRatio()
  const hasSlots = Object.keys(slots).length > 0

  if (intent === 'unknown') {
    // Slots survive only when the line is essentially nothing but them: an answer, not small talk.
    if (hasSlots && leftover <= 0.1) {
      return { scan, beforeFillers, command: { intent, slots, confidence: round(ANSWER_CONFIDENCE - leftover), source: 'rules' } }
    }
    return { scan, beforeFillers, command: { intent, slots: {}, confidence: round(clamp(0.3 * (1 - leftover), 0.05, 0.3)), source: 'rules' } }
  }

  const penalty = leftover + 0.03 * corrections + (guess?.conflicting || otherCosts.length > 0 ? 0.15 : 0)
  return { scan, beforeFillers, command: { intent, slots, confidence: round(clamp(strength - penalty, 0.05, 0.99)), source: 'rules' } }
}

/** Whether the line holds off (先别同意) or refuses (不能同意) a decision: see intents.ts. */
export function negatedDecision(text: string): 'hold' | 'refusal' | undefined {
  return findNegatedDecision(new Scan(normalizeText(text).text))
}

/** Whether a held-off decision is asked about (可以同意吗) rather than put off (明天再批): see intents.ts. */
export function asksAboutDecision(text: string): boolean {
  return findDecisionQuestion(new Scan(normalizeText(text).text))
}

export class RuleParser implements CommandParser {
  parse(text: string, now: Date): Promise<ParsedCommand> {
    return Promise.resolve(parseWithRules(text, now))
  }
}
