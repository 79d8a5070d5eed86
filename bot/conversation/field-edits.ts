import type { RequestType } from '../../workflow/request-types.js'
import { slotsSchema, type Slots } from '../nlu/command.js'
import { parseWithRules } from '../nlu/rules/index.js'
import { EDITABLE_FIELDS, type EditableField } from './draft-fields.js'
import { answerFor, FREE_TEXT_SLOTS } from './slot-answers.js'

/** What a line typed at a confirmation card says to change: a named field and/or its new value. */
export interface EditRequest {
  /** The words before the verb that name the field ("金额"); empty when only the value is given. */
  fieldText: string
  value?: string
}

const SET_VERBS = '改成|改为|改到|换成|换为|变成|更正为|更改为|修改为|调整为|调成|写成|应该是|应为'
/** "金额改成500", "把日期改为昨天", "类别应该是交通", "改成交通". */
const SET = new RegExp(`^(?:请|帮我|麻烦)?(?:把|将)?(.{0,12}?)(?:${SET_VERBS})\\s*[:：]?\\s*(.+)$`)
/** "修改金额", "改一下日期", "修改金额 600", "修改" alone. */
const CHANGE = /^(?:我要|我想|要|想|请|帮我|麻烦)?(?:修改|更改|改一下|改下|改改|编辑)(?:一下)?(.*)$/
const ENGLISH_SET = /^(?:change|set|update|edit)\s+(?:the\s+)?(.+?)\s+to\s+(.+)$/i
const ENGLISH_CHANGE = /^(?:change|edit|update)(?:\s+(?:the\s+)?(.+))?$/i

const QUOTES = /^[「『“"'《]+|[」』”"'》。.！!]+$/g

/** Reads an edit phrase, or undefined when the line is not one. */
export function readEdit(text: string): EditRequest | undefined {
  const line = text.trim()
  const set = SET.exec(line) ?? ENGLISH_SET.exec(line)
  if (set) return { fieldText: set[1]!.trim(), value: set[2]!.replace(QUOTES, '').trim() || undefined }
  const change = CHANGE.exec(line) ?? ENGLISH_CHANGE.exec(line)
  if (change) return { fieldText: (change[1] ?? '').trim() }
  return undefined
}

/** The field the words name (the earliest mentioned), and what follows its name ("修改金额 600" → "600"). */
export function namedField(type: RequestType, fieldText: string): { field: EditableField; rest: string } | undefined {
  let best: { field: EditableField; at: number; length: number } | undefined
  for (const field of EDITABLE_FIELDS[type]) {
    const match = field.words.exec(fieldText)
    if (match && (!best || match.index < best.at)) best = { field, at: match.index, length: match[0].length }
  }
  if (!best) return undefined
  const rest = fieldText.slice(best.at + best.length).replace(/^[\s:：为是]+/, '').replace(QUOTES, '').trim()
  return { field: best.field, rest }
}

/**
 * The new value of `field` from the person's words, read by the command parser (so "昨天",
 * "三千五" and "交通" mean what they mean elsewhere); names and reasons are the words themselves.
 * Undefined when the words do not give a valid value.
 */
export function fieldValue(field: EditableField, text: string, parsed: Slots): Slots | undefined {
  for (const slot of [field.slot, ...(field.alsoAccepts ?? [])]) {
    const value = parsed[slot] ?? answerFor(slot, text, parsed)[slot]
    if (value === undefined) continue
    const checked = slotsSchema.safeParse({ [slot]: value })
    if (checked.success) return checked.data
  }
  return undefined
}

/**
 * With no field named, the field the value can only be ("500" is an expense's amount, "交通" its
 * category); any words make a name or a reason, so those are never guessed. A value two fields
 * could take (「8000」 on a purchase: the quantity or the budget) is not guessed either.
 */
export function fieldOfValue(type: RequestType, text: string, parsed: Slots): { field: EditableField; slots: Slots } | undefined {
  const candidates: { field: EditableField; slots: Slots }[] = []
  for (const field of EDITABLE_FIELDS[type]) {
    const accepted = [field.slot, ...(field.alsoAccepts ?? [])]
    if (!accepted.some((slot) => parsed[slot] !== undefined || (answerFor(slot, text, parsed)[slot] !== undefined && !FREE_TEXT_SLOTS.has(slot)))) continue
    const slots = fieldValue(field, text, parsed)
    if (slots) candidates.push({ field, slots })
  }
  // Fields that take the same slot (a day said for the date or for the period) are one guess.
  const readings = new Set(candidates.map((c) => Object.keys(c.slots).join()))
  return readings.size === 1 ? candidates[0] : undefined
}

/**
 * What one edit phrase sets ("金额改成1,200", "预算改为1.5万", "改成交通"), read as at a
 * confirmation card, by the rules alone; undefined when it is no edit, or names no field or value
 * it can take.
 */
export function editedSlots(type: RequestType, text: string, now: Date): Slots | undefined {
  const edit = readEdit(text)
  if (!edit) return undefined
  const parsed = (value: string) => parseWithRules(value, now).slots
  if (edit.fieldText) {
    const named = namedField(type, edit.fieldText)
    const value = edit.value ?? (named?.rest || undefined)
    return named && value !== undefined ? fieldValue(named.field, value, parsed(value)) : undefined
  }
  return edit.value === undefined ? undefined : fieldOfValue(type, edit.value, parsed(edit.value))?.slots
}
