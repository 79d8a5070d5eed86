import { EXPENSE_CATEGORY_LABELS, REQUEST_TYPES, type RequestType } from '../../request-types.js'
import { formatYuan } from '../../money.js'
import { checkBuyer } from '../invoices/buyer-check.js'
import type { CompanySettings } from '../settings/app-settings.js'
import { BUILT_IN_CALENDAR, type HolidayCalendar } from './china-calendar.js'
import { kindOf, type ApprovalFact, type ClaimFact, type ClaimHistory } from './claim-facts.js'
import { median, modifiedZScore } from './robust-stats.js'

export type FlagCode = 'amount_outlier' | 'rest_day' | 'round_amounts' | 'split_claim' | 'duplicate_receipt' | 'quick_approval' | 'buyer_not_ours'

/** A fact an approver should know, with the numbers behind it. Never a reason to block by itself. */
export interface ClaimFlag {
  code: FlagCode
  reason: string
}

/** The thresholds, each chosen so a normal month raises nothing (test/receipts/anomaly-flags.test.ts). */
export const ANOMALY_LIMITS = {
  /** Claims needed before "usual" means anything: the requester's own, the department's. */
  minOwnClaims: 5,
  minDepartmentClaims: 8,
  /** Modified z-score above which an amount is far outside the usual range (Iglewicz–Hoaglin). */
  outlierZ: 3.5,
  /** …and at least this multiple of the median, so tight habits do not flag small differences. */
  outlierRatio: 2,
  /** Round amounts: whole hundreds, the third within this many days. */
  roundDays: 90,
  roundCount: 3,
  /** A kind whose claims in the department are this often round is claimed that way by habit. */
  minRoundSample: 6,
  habitualRoundShare: 0.3,
  /** Split claims: this many of one kind within ±days, each under the level, together over it. */
  splitDays: 3,
  splitCount: 3,
  /** "Large" for split claims and quick approvals. */
  largeFen: 5_000_00,
  /** Approved this fast, with no comment, on a large amount. */
  quickApprovalMs: 30_000,
  /** With this many dated claims of a kind in the department, its own habits decide what a rest day means. */
  minRestDaySample: 10,
  restDayShare: 0.15,
}

/** Categories that rarely arise on a weekend or holiday, while the department's history is too thin to say. */
const USUALLY_ON_WORKDAYS = new Set(['office', 'entertainment', 'training'])

const DAY_MS = 24 * 60 * 60 * 1000
const dayNumber = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY_MS

/** "¥8,200" for whole yuan, "¥58.50" otherwise: how people say amounts in a sentence. */
export function yuanShort(fen: number): string {
  const text = formatYuan(fen)
  return `¥${text.endsWith('.00') ? text.slice(0, -3) : text}`
}

/** 差旅费 for an expense claim's category, 采购申请 for other types. */
export function kindLabel(fact: Pick<ClaimFact, 'category' | 'type'>): string {
  if (fact.category) return EXPENSE_CATEGORY_LABELS[fact.category as keyof typeof EXPENSE_CATEGORY_LABELS] ?? fact.category
  return REQUEST_TYPES[fact.type as RequestType]?.label ?? fact.type
}

const refOf = (f: ClaimFact) => f.requestNo ?? '草稿'
const STATUS_WORDS: Record<string, string> = { pending: '审批中', returned: '已退回', approved: '已通过', rejected: '已驳回', withdrawn: '已撤回' }

export interface FlagInputs {
  target: ClaimFact
  history: ClaimHistory
  approvals: readonly ApprovalFact[]
  company: CompanySettings
  /** Working days with the admin's holiday years; the built-in years when left out. */
  calendar?: HolidayCalendar
}

/** Every rule, in the order an approver reads them. */
export function flagClaim(inputs: FlagInputs): ClaimFlag[] {
  return [duplicateReceipts, buyerNotOurs, amountOutlier, restDay, roundAmounts, splitClaim, quickApproval].flatMap((rule) => rule(inputs))
}

function amountOutlier({ target, history }: FlagInputs): ClaimFlag[] {
  const L = ANOMALY_LIMITS
  const far = (amounts: number[]) => target.amountFen >= L.outlierRatio * median(amounts) && modifiedZScore(target.amountFen, amounts) > L.outlierZ
  const own = history.ownClaims(target).map((f) => f.amountFen)
  const label = kindLabel(target)
  if (own.length >= L.minOwnClaims && far(own)) {
    return [{ code: 'amount_outlier', reason: `金额 ${yuanShort(target.amountFen)} 远高于${target.requesterName}以往的${label}（中位数 ${yuanShort(median(own))}，共 ${own.length} 笔）` }]
  }
  const department = history.departmentClaims(target).map((f) => f.amountFen)
  if (department.length >= L.minDepartmentClaims && far(department)) {
    return [{ code: 'amount_outlier', reason: `金额 ${yuanShort(target.amountFen)} 远高于${target.departmentName}的${label}（中位数 ${yuanShort(median(department))}，共 ${department.length} 笔）` }]
  }
  return []
}

function restDay({ target, history, calendar = BUILT_IN_CALENDAR }: FlagInputs): ClaimFlag[] {
  if (target.type !== 'expense' || !target.singleDay || !target.category) return []
  const day = calendar.dayKind(target.occurredOn)
  if (day.kind === 'workday') return []
  const dated = history.departmentClaims(target).filter((f) => f.singleDay)
  const unusual =
    dated.length >= ANOMALY_LIMITS.minRestDaySample
      ? dated.filter((f) => calendar.dayKind(f.occurredOn).kind !== 'workday').length / dated.length < ANOMALY_LIMITS.restDayShare
      : USUALLY_ON_WORKDAYS.has(target.category)
  if (!unusual) return []
  const why = dated.length >= ANOMALY_LIMITS.minRestDaySample ? `${target.departmentName}的${kindLabel(target)}很少发生在休息日` : `${kindLabel(target)}通常在工作日发生`
  return [{ code: 'rest_day', reason: `发生日期 ${target.occurredOn} 是${day.label}，${why}` }]
}

const isRound = (f: ClaimFact) => f.amountFen >= 100_00 && f.amountFen % 100_00 === 0 && !f.invoices.some((i) => i.totalFen === f.amountFen)

/**
 * Whole hundreds again and again: amounts nobody's receipts add up to. An invoice of that exact
 * total explains one; so does a department habit (trips claimed with fixed daily allowances).
 */
function roundAmounts({ target, history }: FlagInputs): ClaimFlag[] {
  if (target.type !== 'expense' || !isRound(target)) return []
  const habitual = new Map<string, boolean>()
  const unexplained = (f: ClaimFact) => {
    const kind = kindOf(f)
    if (!habitual.has(kind)) {
      const claims = history.departmentClaimsOf(f.departmentId, f.type, kind)
      habitual.set(kind, claims.length >= ANOMALY_LIMITS.minRoundSample && claims.filter(isRound).length / claims.length >= ANOMALY_LIMITS.habitualRoundShare)
    }
    return isRound(f) && !habitual.get(kind)
  }
  if (!unexplained(target)) return []
  const since = dayNumber(target.occurredOn) - ANOMALY_LIMITS.roundDays
  const earlier = history.ownClaimsOfType(target).filter((f) => unexplained(f) && dayNumber(f.occurredOn) >= since && dayNumber(f.occurredOn) <= dayNumber(target.occurredOn))
  if (earlier.length + 1 < ANOMALY_LIMITS.roundCount) return []
  const list = earlier.slice(-4).map((f) => `${refOf(f)} ${yuanShort(f.amountFen)}`).join('、')
  return [{ code: 'round_amounts', reason: `${ANOMALY_LIMITS.roundDays} 天内第 ${earlier.length + 1} 笔整百金额报销（${list}，本次 ${yuanShort(target.amountFen)}）` }]
}

function splitClaim({ target, history }: FlagInputs): ClaimFlag[] {
  const L = ANOMALY_LIMITS
  if (target.type !== 'expense' || target.amountFen >= L.largeFen) return []
  const near = history.ownClaims(target).filter((f) => f.amountFen < L.largeFen && Math.abs(dayNumber(f.occurredOn) - dayNumber(target.occurredOn)) <= L.splitDays)
  const total = near.reduce((s, f) => s + f.amountFen, target.amountFen)
  if (near.length + 1 < L.splitCount || total < L.largeFen) return []
  const list = near.map((f) => `${refOf(f)} ${f.occurredOn} ${yuanShort(f.amountFen)}`).join('、')
  return [{ code: 'split_claim', reason: `前后 ${L.splitDays} 天内共 ${near.length + 1} 笔${kindLabel(target)}（${list}，本次 ${yuanShort(target.amountFen)}），每笔低于 ${yuanShort(L.largeFen)}，合计 ${yuanShort(total)}，可能是拆分报销` }]
}

function duplicateReceipts({ target, history }: FlagInputs): ClaimFlag[] {
  return history.sharingReceipts(target).map(({ fact, by }) => ({
    code: 'duplicate_receipt' as const,
    reason: `${by === 'invoice' ? '同一张发票' : '同一个票据文件'}也出现在${fact.requesterName}的 ${refOf(fact)}（${STATUS_WORDS[fact.status] ?? fact.status}）中`,
  }))
}

function buyerNotOurs({ target, company }: FlagInputs): ClaimFlag[] {
  return target.invoices.flatMap((invoice) => {
    const check = checkBuyer(invoice, company)
    return check.status === 'other' || check.status === 'missing' ? [{ code: 'buyer_not_ours' as const, reason: `发票 ${invoice.number}：${check.message}` }] : []
  })
}

function quickApproval({ target, approvals }: FlagInputs): ClaimFlag[] {
  if (target.amountFen < ANOMALY_LIMITS.largeFen) return []
  return approvals.flatMap((task) => {
    if (task.status !== 'approved' || task.autoReason !== null || task.decidedAt === null || task.comment?.trim()) return []
    const seconds = Math.round((task.decidedAt - task.createdAt) / 1000)
    if (task.decidedAt - task.createdAt > ANOMALY_LIMITS.quickApprovalMs) return []
    return [{ code: 'quick_approval' as const, reason: `${task.approverName} 收到后 ${seconds} 秒即同意了这笔 ${yuanShort(target.amountFen)} 的${kindLabel(target)}，未填写意见` }]
  })
}
