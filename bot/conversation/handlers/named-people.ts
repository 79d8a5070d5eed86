import { DomainError } from '../../../workflow/errors.js'
import type { Employee } from '../../../workflow/org.js'
import type { BotServices } from '../../bot-services.js'

export interface NamedPeople {
  people: Employee[]
  /** The text with the names taken out: what is left is the person's note. */
  rest: string
}

/**
 * People a chat line names, by name or employee id, in the order written. Longer names win, so
 * 王五 is not found inside 王五一. Used where a card's comment says whom to transfer to or add.
 */
export async function peopleNamedIn(services: BotServices, text: string): Promise<NamedPeople> {
  const employees = (await services.org.employees()).filter((e) => e.active)
  const candidates = employees.flatMap((e) => [
    { e, token: e.name },
    { e, token: e.id },
  ]).sort((a, b) => b.token.length - a.token.length)
  const found: Array<{ at: number; e: Employee }> = []
  let rest = text
  for (const { e, token } of candidates) {
    const at = rest.indexOf(token)
    if (at < 0 || token.length < 2) continue
    if (!found.some((f) => f.e.id === e.id)) found.push({ at, e })
    rest = rest.slice(0, at) + ' '.repeat(token.length) + rest.slice(at + token.length)
  }
  return {
    people: found.sort((a, b) => a.at - b.at).map((f) => f.e),
    rest: rest.replace(/[\s,，、;；:：]+/g, ' ').replace(/^\s*(给|由|请|加签|转交)\s*/, '').trim(),
  }
}

/** Exactly the people a comment must name, or a refusal that says how to name them. */
export async function requirePeople(services: BotServices, text: string | undefined, what: string, one: boolean): Promise<NamedPeople> {
  const named = await peopleNamedIn(services, text ?? '')
  if (named.people.length === 0) {
    throw new DomainError('VALIDATION', `请在意见框中写明${what}的姓名，例如「王五」`, `write the name of the person to ${what === '转交对象' ? 'transfer to' : 'add'} in the comment`)
  }
  if (one && named.people.length > 1) throw new DomainError('VALIDATION', `只能${what === '转交对象' ? '转交给' : '选择'}一个人`, 'name one person only')
  return named
}
