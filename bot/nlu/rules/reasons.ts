import { isOnlyFillers } from './fillers.js'
import type { Scan } from './scan.js'

/** A reason marker and what follows it. 说明/备注/用途 need a colon, since 使用说明 is not a reason. */
const MARKED = /(?:理由|原因|事由|缘由|(?:说明|备注|用途)\s*(?=:)|因为|由于|为了|用于|用来|\breason\b|\bbecause(?: of)?\b|\bdue to\b|\bcomment\b|\bnote\b)\s*(?:是|为|:)?\s*(?<reason>[^\u0001]+)/dg

const CLAUSE_BREAK = /[,;。]/
// A clause that is only a sum or a date-ish number is not part of the reason before it.
const SLOT_ONLY_CLAUSE = /^\s*(?:预算|金额|共|合计|一共)?\s*(?::|是)?\s*[¥]?\s*[\d一二两三四五六七八九十百千万.,]+\s*(?:元|块|万|k|w)?\s*$/

export interface ReasonMention {
  reason: string
  start: number
  end: number
}

/**
 * A reason introduced by 理由/因为/because… A reason opening the line runs to the first comma
 * (因为出差，报销机票); later it runs to the end, minus trailing clauses that are only an amount.
 * Claims what it reads.
 */
export function findMarkedReason(scan: Scan): ReasonMention | undefined {
  const m = scan.first(MARKED)
  const at = m?.indices?.groups?.reason
  if (m === undefined || at === undefined) return undefined
  const opening = isOnlyFillers(scan.text.slice(0, m.index))
  const clauses = scan.slice(at[0], at[1]).split(/(?<=[,;。])/)
  let text = ''
  for (const clause of clauses) {
    const body = clause.replace(/[,;。]$/, '')
    if (text !== '' && SLOT_ONLY_CLAUSE.test(body)) break
    text += clause
    if (opening && CLAUSE_BREAK.test(clause)) break
  }
  const reason = text.replace(/[,;。\s]+$/, '')
  if (reason === '') return undefined
  scan.claim(m.index, at[0] + reason.length)
  return { reason, start: m.index, end: at[0] + reason.length }
}

/**
 * Clauses nothing else explained, e.g. "不同意，金额超标了" or "报销打车费58元，加班晚归": said after
 * or before the command, they are its reason. `categorySpans` may lie inside (去上海出差).
 * Claims what it reads.
 */
export function findClauseReasons(scan: Scan, categorySpans: ReadonlyArray<{ start: number; end: number }>): string | undefined {
  const parts: string[] = []
  let start = 0
  const text = scan.text
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && !CLAUSE_BREAK.test(text[i]!)) continue
    const clauseStart = start
    const clauseEnd = i
    start = i + 1
    const body = text.slice(clauseStart, clauseEnd)
    if (body.trim() === '' || isOnlyFillers(body)) continue
    let free = true
    let unexplained = 0
    for (let j = clauseStart; j < clauseEnd && free; j++) {
      if (scan.isFree(j, j + 1)) unexplained += /\s/.test(text[j]!) ? 0 : 1
      else free = categorySpans.some((c) => j >= c.start && j < c.end)
    }
    // A stray word is too short to be a reason and stays unexplained.
    if (!free || unexplained < 2) continue
    parts.push(body.trim())
    scan.claim(clauseStart, clauseEnd)
  }
  return parts.length > 0 ? parts.join(',') : undefined
}
