import { EXPENSE_CATEGORY_LABELS, REQUEST_TYPES, type ExpenseCategoryCode, type RequestType } from '../../request-types.js'
import { scoreChoices, type ChoiceSignals, type ScoredChoice } from './choice-ranking.js'

/**
 * One request a line could start: a request type, for a claim optionally with its category.
 * Keys are what the history is counted under: "purchase", "project", "expense:office"; a bare
 * "expense" stands for any claim.
 */
export type RequestOptionKey = Exclude<RequestType, 'expense'> | 'expense' | `expense:${ExpenseCategoryCode}`

export interface RankedRequestOption {
  key: RequestOptionKey
  label: string
  score: number
  /** Why it ranks here, for the person choosing ("你近半年提交过 3 次采购申请"). */
  reason: string
}

export function requestOptionKey(type: string, category?: string): string {
  return type === 'expense' && category ? `expense:${category}` : type
}

export function requestOptionLabel(key: RequestOptionKey): string {
  if (key.startsWith('expense:')) return `报销${EXPENSE_CATEGORY_LABELS[key.slice('expense:'.length) as ExpenseCategoryCode]}`
  return REQUEST_TYPES[key as RequestType].label
}

function reasonOf(choice: ScoredChoice<RequestOptionKey>, label: string): string {
  if (choice.ownCount > 0) return `你近半年提交过 ${choice.ownCount} 次${label}`
  if (choice.departmentCount > 0) return `部门近半年有 ${choice.departmentCount} 次${label}`
  if (choice.roleHint) return `与你的岗位和部门相符`
  return '常见选项'
}

/**
 * The requests a line could start, best first for this person: their own past requests, their
 * department's, then what their role suggests; equal scores keep the order the reading gave.
 * Pure and deterministic, so the same history always offers the same buttons.
 */
export function rankRequestOptions(options: readonly RequestOptionKey[], signals: ChoiceSignals): RankedRequestOption[] {
  return scoreChoices(options, signals).map((choice) => {
    const label = requestOptionLabel(choice.key)
    return { key: choice.key, label, score: choice.score, reason: reasonOf(choice, label) }
  })
}
