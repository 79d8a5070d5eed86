import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { formatYuan } from '../money.js'
import type { Employee } from '../org.js'
import { EXPENSE_CATEGORY_LABELS, type ExpensePayload } from '../request-types.js'
import { checkInvoiceNumber } from './invoice-numbers.js'
import type { Policy, PolicyFinding, RuleKind } from './policy-rules.js'
import { loadActivePolicies } from './policy-store.js'

const DAY_MS = 24 * 60 * 60 * 1000
/** Claims that still count against caps and invoices: submitted and not ended without payment. */
const LIVE_STATUSES = ['pending', 'returned', 'approved']

export interface ClaimUnderCheck {
  requestId: string
  requester: Employee
  payload: ExpensePayload
  /** YYYY-MM-DD the cost belongs to. */
  occurredOn: string
  now: number
}

type Evaluator<K extends RuleKind> = (db: Kysely<Schema>, claim: ClaimUnderCheck, policy: Policy<K>) => Promise<Omit<PolicyFinding, 'code' | 'severity'>[]>

/**
 * Runs every active policy against one expense claim. Pure reads: safe before submit (preview) and
 * inside the submit transaction (final word). Findings come back in policy order.
 */
export async function checkExpensePolicies(db: Kysely<Schema>, claim: ClaimUnderCheck): Promise<PolicyFinding[]> {
  const findings: PolicyFinding[] = []
  for (const policy of await loadActivePolicies(db)) {
    const evaluate = EVALUATORS[policy.kind] as Evaluator<RuleKind>
    for (const f of await evaluate(db, claim, policy)) findings.push({ code: policy.code, severity: policy.severity, ...f })
  }
  return [...findings, ...invoiceTotalFindings(claim.payload)]
}

/**
 * Built in, not a configurable rule: an amount that is not what its invoices add up to (a total
 * typed over them, or an invoice added later) is worth the approver's look, never a block by
 * itself. Only where every invoice was read from its file, so its total is known.
 */
function invoiceTotalFindings(payload: ExpensePayload): PolicyFinding[] {
  const invoices = payload.invoices ?? []
  if (invoices.length === 0 || invoices.some((i) => i.totalFen === undefined)) return []
  const total = invoices.reduce((sum, i) => sum + i.totalFen!, 0)
  if (total === payload.amountFen) return []
  return [
    {
      code: 'INVOICE_TOTAL_MISMATCH',
      severity: 'warn',
      message: `金额 ${yuan(payload.amountFen)} 与发票合计 ${yuan(total)} 不一致 / the amount ${yuan(payload.amountFen)} differs from the invoices' total ${yuan(total)}`,
      fix: '请核对金额与所附发票，如有差额请在事由中说明',
    },
  ]
}

/** The normalised keys of a claim's well-formed invoices. */
export function invoiceKeys(payload: ExpensePayload): string[] {
  const keys = (payload.invoices ?? []).flatMap((ref) => {
    const checked = checkInvoiceNumber(ref)
    return checked.ok ? [checked.key] : []
  })
  return [...new Set(keys)].sort()
}

const label = (category: string | undefined) => (category ? EXPENSE_CATEGORY_LABELS[category as keyof typeof EXPENSE_CATEGORY_LABELS] ?? category : '报销')
const matches = (params: { category?: string }, payload: ExpensePayload) => params.category === undefined || params.category === payload.category
const yuan = (fen: number) => `¥${formatYuan(fen)}`
const TIER_NAMES = ['', '一线城市', '二线城市', '三线及以下城市', '四类地区', '五类地区']

function daysOf(period: ExpensePayload['period']): number | undefined {
  if (!period) return undefined
  return Math.round((Date.parse(period.to) - Date.parse(period.from)) / DAY_MS) + 1
}

const EVALUATORS: { [K in RuleKind]: Evaluator<K> } = {
  async category_limit(_db, { payload, requester }, { params, severity }) {
    if (payload.category !== params.category) return []
    const tier = (payload.city && params.cityTiers[payload.city]) || params.defaultTier
    const level = requester.level
    const row = params.limits.find((l) => l.cityTier === tier && (l.minLevel ?? -Infinity) <= level && level <= (l.maxLevel ?? Infinity))
    if (!row) return []
    const days = daysOf(payload.period)
    const units = params.unit === 'night' ? (payload.nights ?? (days ? Math.max(1, days - 1) : 1)) : params.unit === 'day' ? (days ?? 1) : 1
    const allowed = row.maxFen * units
    if (payload.amountFen <= allowed) return []
    const unitName = params.unit === 'night' ? '晚' : params.unit === 'day' ? '天' : '笔'
    const where = `${TIER_NAMES[tier] ?? `${tier}类城市`}${payload.city ? `（${payload.city}）` : '（未注明城市，按最宽标准）'}`
    return [
      {
        message: `${label(params.category)}标准：职级 ${level} 在${where}每${unitName}不超过 ${yuan(row.maxFen)}，本次${units > 1 ? ` ${units} ${unitName}` : ''}共 ${yuan(payload.amountFen)}，超出 ${yuan(payload.amountFen - allowed)}`,
        fix: severity === 'block' ? `请将金额调整到 ${yuan(allowed)} 以内，超标部分自理` : '如确需超标，请在事由中说明原因，审批人会看到这条提示',
      },
    ]
  },

  async claim_cap(_db, { payload }, { params, severity }) {
    if (!matches(params, payload) || payload.amountFen <= params.maxFen) return []
    return [
      {
        message: `${label(params.category)}单笔不超过 ${yuan(params.maxFen)}，本次 ${yuan(payload.amountFen)}`,
        fix: severity === 'block' ? `请核对金额，本笔最多可报 ${yuan(params.maxFen)}` : '请在事由中说明金额较大的原因',
      },
    ]
  },

  async monthly_cap(db, claim, { params, severity }) {
    const { payload } = claim
    if (!matches(params, payload)) return []
    const month = claim.occurredOn.slice(0, 7)
    const rows = await db
      .selectFrom('requests')
      .select(['id', 'payload', 'amount_fen'])
      .where('requester_id', '=', claim.requester.id)
      .where('type', '=', 'expense')
      .where('status', 'in', LIVE_STATUSES)
      .where('occurred_on', 'like', `${month}-%`)
      .where('id', '!=', claim.requestId)
      .execute()
    const before = rows
      .filter((r) => params.category === undefined || (JSON.parse(r.payload) as ExpensePayload).category === params.category)
      .reduce((sum, r) => sum + Number(r.amount_fen), 0)
    const total = before + payload.amountFen
    if (total <= params.maxFen) return []
    return [
      {
        message: `${month} 月${label(params.category)}已报 ${yuan(before)}，加上本次 ${yuan(payload.amountFen)} 共 ${yuan(total)}，超过每月上限 ${yuan(params.maxFen)}`,
        fix: before >= params.maxFen ? '本月额度已用完，请下月再报或联系财务' : `本月最多还可报 ${yuan(params.maxFen - before)}${severity === 'warn' ? '，超出部分请在事由中说明' : ''}`,
      },
    ]
  },

  async invoice_format(_db, { payload }) {
    return (payload.invoices ?? []).flatMap((ref) => {
      const checked = checkInvoiceNumber(ref)
      return checked.ok ? [] : [{ message: checked.problem, fix: '请对照发票票面核对发票号码（及发票代码）后重新填写' }]
    })
  },

  async invoice_duplicate(db, claim) {
    const findings: Omit<PolicyFinding, 'code' | 'severity'>[] = []
    const seen = new Set<string>()
    for (const ref of claim.payload.invoices ?? []) {
      const checked = checkInvoiceNumber(ref)
      if (!checked.ok) continue
      if (seen.has(checked.key)) findings.push({ message: `发票 ${checked.key} 在本单中填写了两次`, fix: '请删除重复的发票' })
      seen.add(checked.key)
    }
    if (seen.size === 0) return findings
    const used = await db
      .selectFrom('request_invoices')
      .innerJoin('requests', 'requests.id', 'request_invoices.request_id')
      .innerJoin('users', 'users.id', 'requests.requester_id')
      .select(['request_invoices.invoice_key', 'requests.request_no', 'users.name'])
      .where('request_invoices.invoice_key', 'in', [...seen])
      .where('request_invoices.request_id', '!=', claim.requestId)
      .where('requests.status', 'in', LIVE_STATUSES)
      .orderBy('request_invoices.invoice_key')
      .execute()
    for (const u of used) {
      findings.push({ message: `发票 ${u.invoice_key} 已在 ${u.request_no ?? '另一申请'}（${u.name}）中报销过`, fix: '同一张发票只能报销一次，请删除或更换该发票' })
    }
    return findings
  },

  async receipt_required(_db, { payload }, { params }) {
    if (!matches(params, payload) || payload.amountFen <= params.aboveFen) return []
    // Claims drafted before receipts were counted apart have only the count of all files.
    if ((payload.receipts ?? payload.attachments ?? 0) > 0 || (payload.invoices?.length ?? 0) > 0) return []
    return [{ message: `${label(params.category)}金额超过 ${yuan(params.aboveFen)} 需附发票或票据，本次未附`, fix: '请补充发票号码或上传票据照片后再提交' }]
  },

  async split_claim(db, claim, { params }) {
    const { payload } = claim
    const floor = Math.ceil(params.thresholdFen * params.nearRatio)
    const near = (fen: number) => fen >= floor && fen <= params.thresholdFen
    if (!matches(params, payload) || !near(payload.amountFen)) return []
    const rows = await db
      .selectFrom('requests')
      .select(['request_no', 'payload', 'amount_fen'])
      .where('requester_id', '=', claim.requester.id)
      .where('type', '=', 'expense')
      .where('status', 'in', LIVE_STATUSES)
      .where('submitted_at', '>=', claim.now - params.windowDays * DAY_MS)
      .where('id', '!=', claim.requestId)
      .orderBy('submitted_at')
      .execute()
    const others = rows.filter((r) => near(Number(r.amount_fen)) && (params.category === undefined || (JSON.parse(r.payload) as ExpensePayload).category === params.category))
    if (others.length + 1 < params.minCount) return []
    const total = others.reduce((s, r) => s + Number(r.amount_fen), payload.amountFen)
    return [
      {
        message: `${params.windowDays} 天内已有 ${others.length} 笔略低于 ${yuan(params.thresholdFen)} 的${label(params.category)}（${others.map((r) => `${r.request_no} ${yuan(Number(r.amount_fen))}`).join('、')}），加上本次共 ${others.length + 1} 笔，合计 ${yuan(total)}，疑似拆分报销`,
        fix: '如为同一事项，请合并为一笔提交；如确为不同事项，请在事由中分别说明',
      },
    ]
  },
}

export type { PolicyFinding }
