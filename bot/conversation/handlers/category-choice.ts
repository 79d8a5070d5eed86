import { formatYuan, yuanToFen } from '../../../workflow/money.js'
import { rankChoices } from '../../../workflow/receipts/suggestions/choice-ranking.js'
import { loadCategorySignals } from '../../../workflow/receipts/suggestions/category-signals.js'
import { EXPENSE_CATEGORY_LABELS } from '../../../workflow/request-types.js'
import { EXPENSE_CATEGORIES, type Slots } from '../../nlu/command.js'
import { sayAction } from '../say-action.js'
import type { HandlerContext } from '../handler-context.js'

/** Buttons offered; more would not fit a phone's card, and the rest can be typed. */
const SHOWN = 4

/**
 * "Which kind of expense?" as a card: the categories this person (then their department, then
 * people in their role) claims most, as buttons; typing any other category works as before.
 */
export async function askCategory(ctx: HandlerContext, slots: Slots): Promise<void> {
  const { services, user } = ctx
  const department = await services.org.department(user.departmentId)
  const signals = await loadCategorySignals(services.db, user, department?.name ?? '', services.now())
  const ranked = rankChoices(EXPENSE_CATEGORIES, signals).slice(0, SHOWN)
  await ctx.replyWithCard({
    id: `choice-${crypto.randomUUID()}`,
    title: slots.amount === undefined ? '请问是哪类费用？' : `这笔 ¥${formatYuan(yuanToFen(slots.amount))} 是哪类费用？`,
    status: '请选择',
    tone: 'orange',
    fields: [],
    notes: ['按你和部门近半年的报销习惯排序；都不是？直接输入类别，例如「通讯」「培训」'],
    actions: ranked.map((category, i) => ({ id: sayAction(`报销${EXPENSE_CATEGORY_LABELS[category]}`), label: EXPENSE_CATEGORY_LABELS[category], style: i === 0 ? ('primary' as const) : ('default' as const) })),
  })
}
