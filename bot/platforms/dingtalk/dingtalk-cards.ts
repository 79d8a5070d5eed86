import type { Card, CardAction } from '../../cards/card.js'
import { saidBy } from '../../conversation/say-action.js'

/**
 * The neutral card in DingTalk's two shapes: the variables of an interactive-card template
 * (互动卡片, buttons call back), and an ActionCard whose buttons make the client send a text
 * back as the user (the fallback when no template is configured).
 */

/** Template variables; DingTalk requires every `cardParamMap` value to be a string. */
export function cardParamMap(card: Card): Record<string, string> {
  return {
    cardId: card.id,
    title: card.title,
    status: card.status,
    tone: card.tone,
    requestNo: card.requestNo ?? '',
    markdown: cardMarkdown(card),
    actions: JSON.stringify(card.actions.map(({ id, label, style, withComment }) => ({ id, label, style: style ?? 'default', withComment: withComment ?? false }))),
    hasActions: String(card.actions.length > 0),
    // A template whose buttons send it back as the `task` param gets stale taps refused (Card.actsOn).
    actsOn: card.actsOn ?? '',
  }
}

export function cardMarkdown(card: Card): string {
  const fields = card.fields.map((f) => `**${f.label}**：${f.value}`)
  const notes = card.notes.map((n) => `> ${n}`)
  return [`**状态**：${card.status}`, ...fields, ...(notes.length ? ['', ...notes] : [])].join('  \n')
}

/** What a card tap on DingTalk's side carries: which button, and the comment typed with it. */
export interface CardTap {
  actionId: string
  comment?: string
  /** Card.actsOn, when the template sends it back. */
  taskId?: string
}

/** Reads the `content`/`value` JSON of a card callback: `{cardPrivateData:{actionIds, params}}`. */
export function parseCardTap(content: string | undefined): CardTap | undefined {
  if (!content) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(content)
  } catch {
    return undefined
  }
  const data = (parsed as { cardPrivateData?: { actionIds?: unknown; params?: Record<string, unknown> } }).cardPrivateData
  const params = data?.params ?? {}
  const fromParams = typeof params.action === 'string' ? params.action : undefined
  const fromIds = Array.isArray(data?.actionIds) && typeof data.actionIds[0] === 'string' ? data.actionIds[0] : undefined
  const actionId = fromParams ?? fromIds
  if (!actionId) return undefined
  const comment = typeof params.comment === 'string' && params.comment.trim() ? params.comment.trim() : undefined
  const taskId = typeof params.task === 'string' && params.task ? params.task : undefined
  return { actionId, ...(comment ? { comment } : {}), ...(taskId ? { taskId } : {}) }
}

/** Text commands the parser understands; other actions travel as a tap token (below). */
const TEXT_COMMANDS: Record<string, string> = { approve: '同意', reject: '驳回' }

/**
 * A tap on a fallback card that has no text command (confirming a draft has no request
 * number yet) is sent as `<label> #<first 8 of card id>/<action>`, optionally followed by the
 * comment the action needs (typed by hand: a button cannot ask for input). The adapter turns it
 * back into a card action, checked against the card's recipient like any tap. Action ids may
 * carry digits, '-' and ':' (add-before, return:1, confirm-select).
 */
const TAP_TOKEN = /#([0-9a-f]{8})\/([a-z][a-z0-9_:-]*)(?:\s+([\s\S]+))?$/

const hasTextCommand = (card: Card, action: CardAction) => Boolean(TEXT_COMMANDS[action.id] && card.requestNo)

export function tapText(card: Card, action: CardAction): string {
  if (hasTextCommand(card, action)) return `${TEXT_COMMANDS[action.id]} ${card.requestNo}`
  // A choice (「修改金额」「报销差旅费」) stands for a line the user could type: send that line.
  const said = saidBy(action.id)
  if (said !== undefined) return said
  return `${action.label} #${card.id.slice(0, 8)}/${action.id}`
}

export function parseTapText(text: string): { cardIdPrefix: string; actionId: string; comment?: string } | undefined {
  const match = TAP_TOKEN.exec(text.trim())
  if (!match) return undefined
  const comment = match[3]?.trim()
  return { cardIdPrefix: match[1]!, actionId: match[2]!, ...(comment ? { comment } : {}) }
}

export const sendMessageUrl = (text: string) => `dtmd://dingtalkclient/sendMessage?content=${encodeURIComponent(text)}`

export interface ActionCardContent {
  title: string
  text: string
  /** `command`: the text the button makes the client send (tapText). */
  buttons: { title: string; actionURL: string; command: string }[]
}

export function actionCard(card: Card): ActionCardContent {
  const title = card.requestNo ? `${card.title} ${card.requestNo}` : card.title
  // What a comment box would have asked for has to be typed after the action's text.
  const typed = card.actions.filter((a) => a.withComment).map((a) => `「${hasTextCommand(card, a) ? `${tapText(card, a)} 理由：…` : `${tapText(card, a)} 内容`}」`)
  const hint = typed.length ? `\n\n> 需要填写意见时，请直接回复：${typed.join('、')}` : ''
  return {
    title,
    text: `### ${title}\n\n${cardMarkdown(card)}${hint}`,
    buttons: card.actions.map((action) => {
      const command = tapText(card, action)
      return { title: action.label, actionURL: sendMessageUrl(command), command }
    }),
  }
}

/** The same card as a sessionWebhook message. */
export function actionCardWebhookMessage(content: ActionCardContent): unknown {
  if (content.buttons.length === 0) return { msgtype: 'markdown', markdown: { title: content.title, text: content.text } }
  const btns = content.buttons.map(({ title, actionURL }) => ({ title, actionURL }))
  return { msgtype: 'actionCard', actionCard: { title: content.title, text: content.text, btnOrientation: '1', btns } }
}

/** The same card as a robot batch-send message (`msgKey` + `msgParam`). */
export function actionCardRobotMessage(content: ActionCardContent): { msgKey: string; msgParam: Record<string, string> } {
  const { title, text, buttons } = content
  if (buttons.length === 0) return { msgKey: 'sampleMarkdown', msgParam: { title, text } }
  if (buttons.length === 1) return { msgKey: 'sampleActionCard', msgParam: { title, text, singleTitle: buttons[0]!.title, singleURL: buttons[0]!.actionURL } }
  // sampleActionCard2..5 take numbered buttons (at most five); what does not fit is offered as the text to send.
  const shown = buttons.slice(0, 5)
  const rest = buttons.slice(5).map((b) => `「${b.command}」`)
  const msgParam: Record<string, string> = { title, text: rest.length ? `${text}\n\n> 其他操作请直接回复：${rest.join('、')}` : text }
  shown.forEach((b, i) => {
    msgParam[`actionTitle${i + 1}`] = b.title
    msgParam[`actionURL${i + 1}`] = b.actionURL
  })
  return { msgKey: `sampleActionCard${shown.length}`, msgParam }
}
