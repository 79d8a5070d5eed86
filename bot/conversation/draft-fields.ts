import { yuanToFen } from '../../workflow/money.js'
import type { RequestType } from '../../workflow/request-types.js'
import type { Intent, Slots } from '../nlu/command.js'

/** One thing on a confirmation card the requester may change (修改), and the words that name it. */
export interface EditableField {
  /** As the card labels it. */
  label: string
  /** The slot that holds it; `alsoAccepts` are slots a value may arrive as (a day said for a period). */
  slot: keyof Slots
  alsoAccepts?: readonly (keyof Slots)[]
  words: RegExp
}

const REASON: EditableField = { label: '事由', slot: 'reason', words: /事由|理由|原因|说明|备注|用途|\breason\b/i }

/** Per request type, in the order the card shows them. */
export const EDITABLE_FIELDS: Readonly<Record<RequestType, readonly EditableField[]>> = {
  expense: [
    { label: '费用类型', slot: 'category', words: /费用类型|类别|类型|分类|科目|种类|\bcategory\b/i },
    { label: '金额', slot: 'amount', words: /金额|钱数?|数额|总额|\bamount\b/i },
    { label: '发生日期', slot: 'date', alsoAccepts: ['period'], words: /发生日期|日期|哪天|时间|\bdate\b/i },
    { label: '费用期间', slot: 'period', alsoAccepts: ['date'], words: /费用期间|期间|月份|周期|\bperiod\b/i },
    REASON,
  ],
  purchase: [
    { label: '物品', slot: 'item', words: /物品|东西|品名|采购物品|\bitem\b/i },
    { label: '数量', slot: 'quantity', words: /数量|台数|个数|件数|\bquantity\b/i },
    { label: '预算', slot: 'budget', words: /预算|金额|钱|\bbudget\b|\bamount\b/i },
    REASON,
  ],
  'hr.transfer': [
    { label: '调入部门', slot: 'department', words: /调入部门|部门|\bdepartment\b/i },
    { label: '生效日期', slot: 'effectiveDate', words: /生效日期|日期|时间|哪天|\bdate\b/i },
    REASON,
  ],
  'hr.resign': [{ label: '最后工作日', slot: 'effectiveDate', words: /最后工作日|离职日期|日期|时间|哪天|\bdate\b/i }, REASON],
  project: [
    { label: '项目名称', slot: 'title', words: /项目名称|项目名|名称|名字|标题|\btitle\b|\bname\b/i },
    { label: '预算', slot: 'budget', words: /预算|金额|钱|\bbudget\b|\bamount\b/i },
    REASON,
  ],
}

/** The chat intent that drafts each request type. */
export const INTENT_OF_TYPE: Readonly<Record<RequestType, Intent>> = {
  expense: 'expense.submit',
  purchase: 'purchase.request',
  'hr.transfer': 'hr.transfer',
  'hr.resign': 'hr.resign',
  project: 'project.initiate',
}

/**
 * Slots as a change to a request's payload. A claim is either for a day or for a period, so giving
 * one clears the other.
 */
export function payloadChanges(type: RequestType, slots: Slots): Record<string, unknown> {
  const patch: Record<string, unknown> = {}
  const money = slots.amount ?? slots.budget
  if (money !== undefined) patch[type === 'project' ? 'budgetFen' : 'amountFen'] = yuanToFen(money)
  for (const key of ['category', 'item', 'quantity', 'effectiveDate', 'title', 'reason'] as const) {
    if (slots[key] !== undefined) patch[key] = slots[key]
  }
  if (type === 'expense' && slots.date !== undefined) Object.assign(patch, { date: slots.date, period: undefined })
  else if (type === 'expense' && slots.period !== undefined) Object.assign(patch, { period: slots.period, date: undefined })
  else {
    if (slots.period !== undefined) patch.period = slots.period
    if (slots.date !== undefined) patch.date = slots.date
  }
  if (type === 'hr.transfer' && slots.department !== undefined) patch.toDepartment = slots.department
  return patch
}
