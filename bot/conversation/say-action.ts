/**
 * A button that stands for a line the user could have typed ("报销差旅费"). Tapping it is handled
 * exactly as if the line had been sent, so it needs no card row, and DingTalk's text-only
 * fallback cards can send the line itself.
 */
const SAY = 'say:'

export const sayAction = (text: string) => `${SAY}${text}`

/** The line a tapped button stands for, or undefined for every other action. */
export function saidBy(actionId: string): string | undefined {
  return actionId.startsWith(SAY) && actionId.length > SAY.length ? actionId.slice(SAY.length) : undefined
}
