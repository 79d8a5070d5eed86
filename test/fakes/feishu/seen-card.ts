import type { FakeMessage } from './fake-open-platform.js'

/** A Feishu 2.0 card as the fake holds it, with what a test needs to read off it. */
export interface SeenCard {
  message: FakeMessage
  json: { header: { title: { content: string }; subtitle?: { content: string }; template: string }; body: { elements: unknown[] } }
  title: string
  status: string
  /** Every button: its label and the value it sends back. */
  buttons: { label: string; value: { card: string; action: string }; inForm: boolean }[]
  text: string
}

export function readCard(message: FakeMessage): SeenCard {
  const json = JSON.parse(message.content) as SeenCard['json']
  const buttons: SeenCard['buttons'] = []
  const texts: string[] = []
  const walk = (node: unknown, inForm: boolean): void => {
    if (Array.isArray(node)) return node.forEach((child) => walk(child, inForm))
    if (typeof node !== 'object' || node === null) return
    const element = node as Record<string, unknown>
    if (element.tag === 'button') {
      const behavior = (element.behaviors as { value: { card: string; action: string } }[])[0]!
      buttons.push({ label: (element.text as { content: string }).content, value: behavior.value, inForm })
      return
    }
    if (element.tag === 'plain_text' || element.tag === 'markdown') texts.push(String(element.content))
    for (const [key, value] of Object.entries(element)) if (key !== 'tag') walk(value, inForm || element.tag === 'form')
  }
  walk(json.body.elements, false)
  return { message, json, title: json.header.title.content, status: json.header.subtitle?.content ?? '', buttons, text: texts.join('\n') }
}
