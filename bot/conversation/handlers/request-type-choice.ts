import { rankRequestOptions, type RequestOptionKey } from '../../../workflow/receipts/suggestions/request-type-ranking.js'
import { loadRequestTypeSignals } from '../../../workflow/receipts/suggestions/request-type-signals.js'
import { EXPENSE_CATEGORY_LABELS, type ExpenseCategoryCode } from '../../../workflow/request-types.js'
import type { ParsedCommand } from '../../nlu/command.js'
import { parseWithRules } from '../../nlu/rules/index.js'
import { sayAction } from '../say-action.js'
import type { HandlerContext } from '../handler-context.js'

/** Buttons offered; the rest can be typed. */
const SHOWN = 3

/**
 * An explicit request word (采购, 报销) scores 0.95 less a little; the rules give the bare 买 only
 * 0.85 because it also means "bought" (买了几本书 is a claim). Below this a purchase is a guess.
 */
const SURE_PURCHASE = 0.9

/** "团建费用", "项目经费 5万": money for something, but not which kind of request. */
const COST_OF_SOMETHING = /^(?<topic>[^\d，,。；;：:\s]{1,12}?)的?(?:费用|经费|开支|花费|支出)/

/** Things bought for learning: a claim for training as often as for office supplies. */
const LEARNING_MATERIAL = /书|教材|资料|课/

/** Each request the line could start, with the line that starts it unambiguously. */
type Readings = Map<RequestOptionKey, string>

/** 买 alone may be a purchase or a claim for something already bought; 采购/申购 name the purchase outright. */
const BOUGHT_OR_TO_BUY = /买/
const PURCHASE_WORD = /采购|申购|购置|请购/

const yuan = (n: number | undefined) => (n === undefined ? '' : ` ${n}元`)

/** The categories a bought thing would be claimed under, read with the parser's own vocabulary. */
function claimCategoriesFor(item: string, now: Date): ExpenseCategoryCode[] {
  const named = parseWithRules(`报销${item}`, now).slots.category
  if (named) return [named]
  return LEARNING_MATERIAL.test(item) ? ['training', 'office'] : []
}

/**
 * What else a rules parse could mean. The tapped lines name their request type outright, so a
 * tap is never ambiguous again and continues that request's questions.
 */
export function readingsOf(text: string, command: ParsedCommand, now: Date): Readings | undefined {
  if (command.source !== 'rules') return undefined
  const { slots } = command
  if (command.intent === 'purchase.request' && command.confidence < SURE_PURCHASE && slots.item && BOUGHT_OR_TO_BUY.test(text) && !PURCHASE_WORD.test(text)) {
    // The same words with the explicit request word keep every slot the parser read (两箱, 预算).
    const readings: Readings = new Map([['purchase', text.replace('买', '采购')]])
    const categories = claimCategoriesFor(slots.item, now)
    for (const c of categories) readings.set(`expense:${c}`, `报销${EXPENSE_CATEGORY_LABELS[c]}${yuan(slots.budget)}，事由：${text}`)
    if (categories.length === 0) readings.set('expense', `报销${yuan(slots.budget)}，事由：${text}`)
    return readings
  }
  const topic = command.intent === 'unknown' ? COST_OF_SOMETHING.exec(text.trim())?.groups?.topic : undefined
  if (topic) {
    const amount = parseWithRules(`报销${text}`, now).slots.amount
    return new Map<RequestOptionKey, string>([
      ['expense', `报销${yuan(amount)}，事由：${text}`],
      ['project', `立项：${topic}${amount === undefined ? '' : `，预算${amount}元`}`],
    ])
  }
  return undefined
}

/**
 * When a line fits several request types, asks which one with the person's likeliest first (their
 * own, then their department's past requests, then their role). Returns false when the line is
 * clear, so the usual handler takes it.
 */
export async function offerRequestTypes(ctx: HandlerContext): Promise<boolean> {
  const { services, user } = ctx
  const now = services.now()
  const readings = readingsOf(ctx.text, ctx.command, new Date(now))
  if (!readings) return false
  const department = await services.org.department(user.departmentId)
  const signals = await loadRequestTypeSignals(services.db, user, department?.name ?? '', now)
  const ranked = rankRequestOptions([...readings.keys()], signals).slice(0, SHOWN)
  await ctx.replyWithCard({
    id: `choice-${crypto.randomUUID()}`,
    title: '请问要发起哪类申请？',
    status: '请选择',
    tone: 'orange',
    fields: ranked.map((option) => ({ label: option.label, value: option.reason })),
    notes: [`「${ctx.text}」可以有几种办法；按你和部门近半年的申请排序`],
    actions: ranked.map((option, i) => ({ id: sayAction(readings.get(option.key)!), label: option.label, style: i === 0 ? ('primary' as const) : ('default' as const) })),
  })
  return true
}
