/**
 * The platform-neutral card. Each chat platform renders it in its own format
 * (dev simulator JSON, Feishu card 2.0, DingTalk interactive card); handlers only build these.
 */
export type CardTone = 'blue' | 'green' | 'red' | 'orange' | 'grey'

export interface CardField {
  label: string
  value: string
}

export interface CardAction {
  /** Stable id sent back on a tap: confirm | cancel | approve | reject | ... */
  id: string
  label: string
  style?: 'primary' | 'danger' | 'default'
  /** Ask for an optional comment with the tap (approve/reject). */
  withComment?: boolean
}

export interface Card {
  /** Our card id (row in `cards`); platforms put it in the action payload so a tap finds the card. */
  id: string
  title: string
  requestNo?: string
  /** Short human status shown in the header, e.g. "待审批", "已同意 by 李四". */
  status: string
  tone: CardTone
  fields: CardField[]
  /** Extra lines under the fields: routing explanation, policy findings, history. */
  notes: string[]
  actions: CardAction[]
  /**
   * The approval task the buttons act on. A tap carries it back, so a second tap on a card that
   * has moved on (the next step is yours too, or you stand in for its approver) is refused instead
   * of deciding a step you have not seen.
   */
  actsOn?: string
}

/**
 * Starts each comment's note (comments come oldest first). A platform that must shorten a card
 * drops these first, the oldest first: they are history, and the mini-app has all of it.
 */
export const COMMENT_NOTE = '💬'

/** Whether two renderings of a card show the same thing (a platform update would change nothing). */
export const sameCard = (a: Card, b: Card): boolean => JSON.stringify(a) === JSON.stringify(b)
