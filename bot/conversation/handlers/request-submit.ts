import { yuanToFen } from '../../../workflow/money.js'
import type { PayloadOf, RequestType } from '../../../workflow/request-types.js'
import { moneyOutOfRange, type Intent, type Slots } from '../../nlu/command.js'
import { awaitConfirmation } from '../confirmation.js'
import type { CommandHandler, HandlerContext } from '../handler-context.js'

/**
 * How one chat intent becomes a draft of one request type: which slots it cannot do without, the
 * question that asks for each, and how the filled slots make the type's payload.
 */
interface Submission<T extends RequestType> {
  intent: Intent
  type: T
  required: readonly (keyof Slots)[]
  questions: Partial<Record<keyof Slots, string>>
  payload(slots: Slots): PayloadOf<T>
}

const submissions = {
  purchase: {
    intent: 'purchase.request',
    type: 'purchase',
    required: ['item', 'quantity', 'budget'],
    questions: { item: '请问要采购什么？', quantity: '请问需要多少（数量）？', budget: '请问预算是多少？' },
    // 「下周一要」: the day it is needed by, which the purchase order carries.
    payload: (s: Slots) => ({ item: s.item!, quantity: s.quantity!, amountFen: yuanToFen(s.budget!), ...(s.date ? { neededBy: s.date } : {}), ...(s.reason ? { reason: s.reason } : {}) }),
  } satisfies Submission<'purchase'>,
  transfer: {
    intent: 'hr.transfer',
    type: 'hr.transfer',
    required: ['department', 'effectiveDate'],
    questions: { department: '请问调到哪个部门？', effectiveDate: '请问从哪天生效？例如「下月1号」' },
    payload: (s: Slots) => ({ toDepartment: s.department!, effectiveDate: s.effectiveDate!, ...(s.reason ? { reason: s.reason } : {}) }),
  } satisfies Submission<'hr.transfer'>,
  resign: {
    intent: 'hr.resign',
    type: 'hr.resign',
    required: ['effectiveDate'],
    questions: { effectiveDate: '请问最后工作日是哪天？例如「12月31日」' },
    payload: (s: Slots) => ({ effectiveDate: s.effectiveDate!, ...(s.reason ? { reason: s.reason } : {}) }),
  } satisfies Submission<'hr.resign'>,
  project: {
    intent: 'project.initiate',
    type: 'project',
    required: ['title', 'budget'],
    questions: { title: '请问项目名称是什么？', budget: '请问项目预算是多少？' },
    payload: (s: Slots) => {
      const startDate = s.date ?? s.period?.from
      return { title: s.title!, budgetFen: yuanToFen(s.budget!), ...(startDate ? { startDate } : {}), ...(s.reason ? { reason: s.reason } : {}) }
    },
  } satisfies Submission<'project'>,
}

function submit<T extends RequestType>(submission: Submission<T>): CommandHandler {
  return async (ctx) => {
    const slots = ctx.command.slots
    const tooLarge = moneyOutOfRange(slots)
    if (tooLarge) {
      await ctx.services.conversations.save(ctx.user.id, { intent: submission.intent, slots: { ...slots, [tooLarge]: undefined }, awaiting: tooLarge })
      const label = tooLarge === 'budget' ? '预算' : '金额'
      await ctx.reply(`${label}超出范围，请重新输入${label}`)
      return
    }
    const missing = submission.required.find((slot) => slots[slot] === undefined)
    if (missing) {
      await ctx.services.conversations.save(ctx.user.id, { intent: submission.intent, slots, awaiting: missing })
      await ctx.reply(submission.questions[missing]!)
      return
    }
    if (submission.type === 'hr.transfer' && !(await knownDepartment(ctx, slots.department!))) return
    const draft = await ctx.services.requests.createDraft(submission.type, ctx.user.id, submission.payload(slots))
    await awaitConfirmation(ctx, submission.intent, slots, draft.id)
  }
}

/** A transfer must name a department that exists; otherwise ask again, listing them. */
async function knownDepartment(ctx: HandlerContext, name: string): Promise<boolean> {
  const departments = await ctx.services.org.departments()
  if (departments.some((d) => d.name === name)) return true
  await ctx.services.conversations.save(ctx.user.id, { intent: 'hr.transfer', slots: { ...ctx.command.slots, department: undefined }, awaiting: 'department' })
  await ctx.reply(`没有找到部门「${name}」。现有部门：${departments.map((d) => d.name).join('、')}。请问调到哪个部门？`)
  return false
}

export const submitPurchase = submit(submissions.purchase)
export const submitTransfer = submit(submissions.transfer)
export const submitResignation = submit(submissions.resign)
export const submitProject = submit(submissions.project)
