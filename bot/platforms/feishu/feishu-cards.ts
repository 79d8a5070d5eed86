import type { Card, CardAction, CardField, CardTone } from '../../cards/card.js'

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
 * Our neutral card as Feishu card JSON 2.0. Shared (`update_multi`), so one PATCH updates it for
 * everyone who sees the message. Approve/reject sit in a form with a comment box: submitting
 * either button sends the comment along.
 */
export function renderFeishuCard(card: Card) {
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
