import { DomainError } from '../../workflow/errors.js'
import { ExpenseDateError, type RequestType } from '../../workflow/request-types.js'
import type { BotServices } from '../bot-services.js'
import type { Card } from '../cards/card.js'
import { moneyOutOfRange, type Intent, type ParsedCommand, type Slots } from '../nlu/command.js'
import { parseWithRules } from '../nlu/rules/index.js'
import type { PendingCommand } from './conversation-store.js'
import { EDITABLE_FIELDS, INTENT_OF_TYPE, payloadChanges, type EditableField } from './draft-fields.js'
import { fieldOfValue, fieldValue, namedField, readEdit } from './field-edits.js'
import type { HandlerContext } from './handler-context.js'
import { confirmDraft } from './request-effects.js'
import { sayAction } from './say-action.js'

/** 「取消」「取消。」「取消吧」「算了，不用了」「先不提交了」「不要了谢谢」: cancel words and nothing else. */
const CANCEL = /^(?:(?:我|先|还是|那)?(?:取消|算了|不用了?|不要了|不提交了|不申请了|退出|cancel|quit)(?:吧|啦|呀|啊|了|谢谢)*)+$/

export const isCancelWord = (text: string) => CANCEL.test(text.toLowerCase().replace(/[\s。.!！~，,、…]+/g, ''))

/**
 * Whether a line given while something is half done drops it: 「取消」, or 「不想报了」「刚才那个不要了」,
 * which name no submitted request and so mean the one being filled in, not a withdrawal.
 */
export function abandons(text: string, command: ParsedCommand): boolean {
  return isCancelWord(text) || (command.intent === 'request.withdraw' && command.slots.requestNo === undefined)
}
const CONFIRM = /^(?:确认提交|确认|确定|提交|没问题|好的?|可以|是的?|对的?|嗯|ok|okay|yes|confirm)[。.!！~]*$/i
/** 「确认 王五、赵六」: the approvers a 发起人自选 step needs, named with the confirmation. */
const CONFIRM_WITH_NAMES = /^(?:确认提交|确认|确定)[\s,，:：]+(.+)$/

/** What a line typed while a confirmation waits turned out to be. */
export type ConfirmationOutcome =
  /** Answered here: confirmed, changed, cancelled, or a question asked. */
  | 'done'
  /** Confirmed a command that is not a draft (a withdrawal): run the pending command now. */
  | 'confirmed'
  /** Not about the confirmation (a new command): handle it as such; the card stays as it is. */
  | 'unrelated'

/** Shows a draft's card and remembers it, so that 「确认」「金额改成500」「取消」 typed next act on it. */
export async function awaitConfirmation(ctx: HandlerContext, intent: Intent, slots: Slots, draftId: string): Promise<void> {
  await ctx.services.conversations.save(ctx.user.id, { intent, slots, awaiting: 'confirmation', draftId })
  await ctx.replyWithRequestCard(draftId)
}

export async function continueConfirmation(ctx: HandlerContext, pending: PendingCommand): Promise<ConfirmationOutcome> {
  const { services, user, text } = ctx
  const confirmed = CONFIRM.test(text)
  if (!pending.draftId) {
    // A withdrawal we asked about: yes runs it, no drops it, anything else is a new command.
    const declined = isCancelWord(text)
    await services.conversations.clear(user.id)
    if (declined) await ctx.reply('好的，不撤回')
    return declined ? 'done' : confirmed ? 'confirmed' : 'unrelated'
  }
  const draft = await services.db.selectFrom('requests').select(['status', 'type']).where('id', '=', pending.draftId).executeTakeFirst()
  if (draft?.status !== 'draft') {
    // Confirmed or cancelled on the card meanwhile: nothing waits any more.
    await services.conversations.clear(user.id)
    return 'unrelated'
  }
  const type = draft.type as RequestType
  const editing = pending.editing && EDITABLE_FIELDS[type].find((f) => f.slot === pending.editing)
  // 「算了」 to 「请问金额改成什么？」 drops the change, not the claim.
  if (editing && KEEP.test(text.replace(/[\s。.!！~，,]+/g, ''))) {
    await keepField(ctx, pending)
    return 'done'
  }
  if (abandons(text, ctx.command)) {
    await services.requests.cancelDraft(pending.draftId, user.id)
    await services.conversations.clear(user.id)
    await services.cards.refresh(pending.draftId)
    await ctx.reply('好的，已取消正在填写的申请')
    return 'done'
  }
  const names = CONFIRM_WITH_NAMES.exec(text)?.[1]
  if (confirmed || names) {
    await submitByText(ctx, pending.draftId, names)
    return 'done'
  }
  // As with any question we ask: a line that is another command is that command, not the answer.
  const answers = ctx.command.intent === 'unknown' || ctx.command.intent === pending.intent
  if (editing && answers) {
    const edit = readEdit(text)
    const another = edit && (edit.fieldText ? namedField(type, edit.fieldText) !== undefined : edit.value === undefined)
    if (!another) {
      // Words that name no field are the value awaited (「行程改成了上海」 for the 事由); 「改成60」 gives it.
      await changeField(ctx, pending, type, editing, edit?.fieldText === '' ? edit.value! : text)
      return 'done'
    }
    // 「日期改成昨天」 or 「修改事由」 asked for the amount: that edit, and the amount is no longer awaited.
    const notEditing = { ...pending, editing: undefined }
    await services.conversations.save(user.id, notEditing)
    await editByText(ctx, notEditing, type)
    return 'done'
  }
  return (await editByText(ctx, pending, type)) ? 'done' : 'unrelated'
}

/** 「不改了」「算了」 while a field's new value is awaited: the card stays as it is. */
const KEEP = /^(?:那|还是|先)?(?:不改了?|不用改了?|不修改了?|不用了|算了)(?:吧|啦|了)*$/

async function keepField(ctx: HandlerContext, pending: PendingCommand): Promise<void> {
  await ctx.services.conversations.save(ctx.user.id, { ...pending, editing: undefined })
  await ctx.reply('好的，不改了，请核对后确认：')
  await ctx.replyWithRequestCard(pending.draftId!)
}

async function submitByText(ctx: HandlerContext, draftId: string, names: string | undefined): Promise<void> {
  try {
    await ctx.reply(await confirmDraft(ctx.services, draftId, ctx.user.id, names))
    await ctx.services.conversations.clear(ctx.user.id)
  } catch (error) {
    if (!(error instanceof DomainError)) throw error
    await ctx.reply(error.zh)
  }
}

/** 「金额改成500」「修改日期」「改成交通」「修改」: false when the line is no edit at all. */
async function editByText(ctx: HandlerContext, pending: PendingCommand, type: RequestType): Promise<boolean> {
  const edit = readEdit(ctx.text)
  if (!edit) return false
  const fields = EDITABLE_FIELDS[type]
  if (edit.fieldText) {
    const named = namedField(type, edit.fieldText)
    if (!named) {
      await ctx.reply(`这份申请可以修改：${fields.map((f) => f.label).join('、')}。例如「${fields[0]!.label}改成…」`)
      return true
    }
    const value = edit.value ?? (named.rest || undefined)
    if (value === undefined) await askForValue(ctx, pending, named.field)
    else await changeField(ctx, pending, type, named.field, value)
    return true
  }
  if (edit.value === undefined) {
    await ctx.replyWithCard(editChoices(type))
    return true
  }
  const guess = fieldOfValue(type, edit.value, parsedSlots(ctx.services, edit.value))
  if (guess) await applyChange(ctx, pending, type, guess.field, guess.slots)
  else await ctx.replyWithCard(editChoices(type, `没有看出「${edit.value}」要改哪一项`))
  return true
}

/** Asks for the new value of one field; `lead` says why the last one was not taken. */
async function askForValue(ctx: HandlerContext, pending: PendingCommand, field: EditableField, lead = ''): Promise<void> {
  await ctx.services.conversations.save(ctx.user.id, { ...pending, editing: field.slot })
  await ctx.reply(`${lead}请问${field.label}改成什么？`)
}

async function changeField(ctx: HandlerContext, pending: PendingCommand, type: RequestType, field: EditableField, value: string): Promise<void> {
  const parsed = parsedSlots(ctx.services, value)
  const slots = fieldValue(field, value, parsed)
  if (slots) await applyChange(ctx, pending, type, field, slots)
  else await askForValue(ctx, pending, field, moneyOutOfRange(parsed) ? `${field.label}超出范围，` : `没有看懂「${value}」。`)
}

/** Revises the draft (policy checks and route run again), updates its card, and shows it anew. */
async function applyChange(ctx: HandlerContext, pending: PendingCommand, type: RequestType, field: EditableField, slots: Slots): Promise<void> {
  const { services, user } = ctx
  const draftId = pending.draftId!
  if (slots.department !== undefined) {
    const departments = await services.org.departments()
    if (!departments.some((d) => d.name === slots.department)) {
      await askForValue(ctx, pending, field, `没有找到部门「${slots.department}」。现有部门：${departments.map((d) => d.name).join('、')}。`)
      return
    }
  }
  try {
    await services.requests.reviseDraft(draftId, user.id, payloadChanges(type, slots))
  } catch (error) {
    if (!(error instanceof DomainError)) throw error
    if (error instanceof ExpenseDateError) await askForValue(ctx, pending, field, `${error.zh}，`)
    else await ctx.reply(error.zh)
    return
  }
  await services.conversations.save(user.id, { intent: pending.intent, slots: { ...pending.slots, ...slots }, awaiting: 'confirmation', draftId })
  await services.cards.refresh(draftId)
  await ctx.reply(`已修改${field.label}，请核对后确认：`)
  await ctx.replyWithRequestCard(draftId)
}

/** A field's new value is read by the rules alone: deterministic, and nothing leaves for a model. */
function parsedSlots(services: BotServices, text: string): Slots {
  return parseWithRules(text, new Date(services.now())).slots
}

/** 「要修改哪一项？」: one button per field; each stands for 「修改<field>」 typed. */
function editChoices(type: RequestType, lead?: string): Card {
  const fields = EDITABLE_FIELDS[type]
  return {
    id: `choice-${crypto.randomUUID()}`,
    title: '要修改哪一项？',
    status: '请选择',
    tone: 'orange',
    fields: [],
    notes: [...(lead ? [lead] : []), `也可以直接输入，例如「${fields[0]!.label}改成…」；改完后回复「确认」提交，或「取消」`],
    actions: fields.map((f) => ({ id: sayAction(`修改${f.label}`), label: f.label, style: 'default' as const })),
  }
}

/**
 * The 修改 button on a draft's card: remembers the draft as the one being confirmed (the card may
 * be older than the last one shown) and sends the choice of fields.
 */
export async function offerEdits(services: BotServices, draftId: string, userId: string, platform: string): Promise<string> {
  const draft = await services.db.selectFrom('requests').select(['status', 'type', 'requester_id']).where('id', '=', draftId).executeTakeFirst()
  if (!draft || draft.requester_id !== userId) throw new DomainError('FORBIDDEN', '只有申请人本人可以修改', 'only the requester can change the request')
  if (draft.status !== 'draft') throw new DomainError('INVALID_STATE', '该申请已提交或已取消，不能再修改', 'the request is no longer a draft')
  const type = draft.type as RequestType
  const pending = await services.conversations.get(userId)
  const slots = pending?.draftId === draftId ? pending.slots : {}
  await services.conversations.save(userId, { intent: INTENT_OF_TYPE[type], slots, awaiting: 'confirmation', draftId })
  await services.messenger.sendCard(userId, editChoices(type), platform)
  return '请选择要修改的项目'
}
