import { COMMENT_NOTE, type Card, type CardAction, type CardField, type CardTone } from '../../cards/card.js'

/** What every button carries back in `action.value`: which of our cards, which action. */
export interface CardTap {
  card: string
  action: string
  /** Card.actsOn: the approval task the card showed. */
  task?: string
}

/** The name of the comment input in the approval form; its text arrives as `form_value.comment`. */
export const COMMENT_INPUT = 'comment'

/** Header colours Feishu users read at a glance: blue pending, green done, red rejected, orange needs you. */
const TEMPLATE_OF: Record<CardTone, string> = { blue: 'blue', green: 'green', red: 'red', orange: 'orange', grey: 'grey' }

const BUTTON_TYPE_OF = { primary: 'primary', danger: 'danger', default: 'default' } as const

const plain = (content: string) => ({ tag: 'plain_text', content })

/**
 * One field as a label/value row. Values are plain text, never markdown: a claim's reason is user
 * input and must not be able to inject links or mentions into an approver's card.
 */
function fieldRow(field: CardField) {
  return {
    tag: 'column_set',
    horizontal_spacing: '8px',
    columns: [
      { tag: 'column', width: 'weighted', weight: 1, elements: [{ tag: 'div', text: { ...plain(field.label), text_color: 'grey' } }] },
      { tag: 'column', width: 'weighted', weight: 3, elements: [{ tag: 'div', text: plain(field.value) }] },
    ],
  }
}

function button(card: Card, action: CardAction, inForm: boolean) {
  const value: CardTap = { card: card.id, action: action.id, ...(card.actsOn ? { task: card.actsOn } : {}) }
  return {
    tag: 'button',
    name: `${action.id}_button`,
    text: plain(action.label),
    type: BUTTON_TYPE_OF[action.style ?? 'default'],
    ...(inForm ? { form_action_type: 'submit' } : {}),
    behaviors: [{ type: 'callback', value }],
  }
}

/** Buttons side by side, wrapping onto more lines on a phone when a card offers many (同意, 驳回, 转交, 加签…). */
function buttonRow(card: Card, actions: CardAction[], inForm: boolean) {
  return {
    tag: 'column_set',
    flex_mode: 'flow',
    horizontal_spacing: '8px',
    columns: actions.map((action) => ({ tag: 'column', width: 'auto', elements: [button(card, action, inForm)] })),
  }
}

/**
 * Feishu refuses a card over 30 KB (code 230025, PROTOCOLS F2), for good: the next approver gets no
 * card, a PATCH leaves the copy stale, a tap answer cannot show it. Counted the strictest way a card
 * travels, as the `content` string of a send (its JSON escaped once more), leaving room for the
 * request's other fields.
 */
const CARD_BUDGET_BYTES = 30 * 1024 - 512
/** Stands where notes were left out to fit. */
const EARLIER_NOTES = '…更早的记录请在小程序查看'

const utf8 = new TextEncoder()
/** Bytes of a value in a request that carries it inside a JSON string. */
const sentBytes = (value: unknown) => utf8.encode(JSON.stringify(JSON.stringify(value))).length
/** What a piece of text adds to the card as sent: its bytes there, less the 6 its own escaped quotes take. */
const textBytes = (text: string) => sentBytes(text) - 6
const NEWLINE_BYTES = textBytes('\n')

/** `text` if it fits `room` bytes (as sent), else as much of its head as fits, with '…'; '' if none does. */
function within(text: string, room: number): string {
  if (textBytes(text) <= room) return text
  let head = ''
  let used = textBytes('…')
  for (const char of text) {
    used += textBytes(char)
    if (used > room) break
    head += char
  }
  return head && `${head}…`
}

/**
 * The notes that fit beside the rest of the card. Comments go first, the oldest first, then the
 * other notes from the top; the last to go keeps its head if part of it fits. EARLIER_NOTES stands
 * where the first of them was.
 */
function notesWithin(card: Card): string[] {
  let room = CARD_BUDGET_BYTES - sentBytes(feishuCardJson({ ...card, notes: [EARLIER_NOTES] }))
  const order = card.notes.map((_, i) => i)
  const isComment = (i: number) => card.notes[i]!.startsWith(COMMENT_NOTE)
  const kept = new Map<number, string>()
  // Kept from the back of the order in which notes go, so what goes first is what is left over.
  for (const i of [...order.filter(isComment), ...order.filter((i) => !isComment(i))].reverse()) {
    const note = within(card.notes[i]!, room - NEWLINE_BYTES)
    if (note) kept.set(i, note)
    if (note !== card.notes[i]) break
    room -= textBytes(note) + NEWLINE_BYTES
  }
  const firstLeftOut = order.find((i) => kept.get(i) !== card.notes[i])
  return order.flatMap((i) => [...(i === firstLeftOut ? [EARLIER_NOTES] : []), ...(kept.has(i) ? [kept.get(i)!] : [])])
}

/**
 * Our neutral card as Feishu card JSON 2.0, within Feishu's size limit (see CARD_BUDGET_BYTES): a
 * card too big loses its oldest notes first, and only fields beyond all bounds (hundreds of
 * attachments) are shortened too. `log` hears when a card had to be cut.
 */
export function renderFeishuCard(card: Card, log?: (message: string) => void) {
  const whole = feishuCardJson(card)
  if (sentBytes(whole) <= CARD_BUDGET_BYTES) return whole
  const notes = notesWithin(card)
  let cut = feishuCardJson({ ...card, notes })
  for (let room = 512; sentBytes(cut) > CARD_BUDGET_BYTES && room >= 16; room /= 2) {
    cut = feishuCardJson({ ...card, notes, fields: card.fields.map((f) => ({ ...f, value: within(f.value, room) || '…' })) })
  }
  log?.(`feishu: card ${card.id} is over Feishu's 30 KB limit (${sentBytes(whole)} bytes as sent); its older notes are left to the mini-app`)
  return cut
}

/**
 * Our neutral card as Feishu card JSON 2.0. Shared (`update_multi`), so one PATCH updates it for
 * everyone who sees the message. Approve/reject sit in a form with a comment box: submitting
 * either button sends the comment along.
 */
function feishuCardJson(card: Card) {
  const elements: object[] = card.fields.map(fieldRow)
  if (card.notes.length > 0) elements.push({ tag: 'hr' }, { tag: 'div', text: { ...plain(card.notes.join('\n')), text_size: 'notation' } })
  const plainActions = card.actions.filter((a) => !a.withComment)
  const commentedActions = card.actions.filter((a) => a.withComment)
  if (plainActions.length > 0) elements.push(buttonRow(card, plainActions, false))
  if (commentedActions.length > 0) {
    elements.push({
      tag: 'form',
      name: 'decision_form',
      elements: [
        { tag: 'input', name: COMMENT_INPUT, placeholder: plain('审批意见（选填）'), max_length: 500 },
        buttonRow(card, commentedActions, true),
      ],
    })
  }
  return {
    schema: '2.0',
    config: { update_multi: true },
    header: { title: plain(card.requestNo ? `${card.title} · ${card.requestNo}` : card.title), subtitle: plain(card.status), template: TEMPLATE_OF[card.tone] },
    body: { elements },
  }
}

export type FeishuCard = ReturnType<typeof renderFeishuCard>

/** The tap a callback's `action.value` names, if it is one of ours (an object, or its JSON text). */
export function cardTapOf(value: unknown): CardTap | undefined {
  let parsed = value
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value)
    } catch {
      return undefined
    }
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const { card, action, task } = parsed as Record<string, unknown>
  if (typeof card !== 'string' || typeof action !== 'string' || !card || !action) return undefined
  return { card, action, ...(typeof task === 'string' && task ? { task } : {}) }
}
