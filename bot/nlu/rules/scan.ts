/**
 * The text being parsed plus which characters have been explained so far. Extractors match against
 * `masked`, where explained characters are replaced by a marker no pattern accepts, so one piece of
 * text is never read twice and leftovers can be measured for confidence.
 */
const MARK = '\u0001'
/** What stands for an explained character in `masked`, for patterns that step over what was read. */
export const EXPLAINED = MARK

export class Scan {
  readonly text: string
  /** Lower-cased, same length as `text`; extractors match on this and slice values from `text`. */
  private readonly lower: string
  private readonly explained: Uint8Array
  private cached: string | undefined

  constructor(text: string) {
    this.text = text
    this.lower = [...text].map((ch) => (ch.toLowerCase().length === ch.length ? ch.toLowerCase() : ch)).join('')
    this.explained = new Uint8Array(text.length)
  }

  get masked(): string {
    if (this.cached === undefined) {
      let out = ''
      for (let i = 0; i < this.lower.length; i++) out += this.explained[i] ? MARK : this.lower[i]
      this.cached = out
    }
    return this.cached
  }

  claim(start: number, end: number): void {
    this.explained.fill(1, start, end)
    this.cached = undefined
  }

  /** Give back text that was read but cannot be used, so it counts against confidence. */
  release(start: number, end: number): void {
    this.explained.fill(0, start, end)
    this.cached = undefined
  }

  isFree(start: number, end: number): boolean {
    for (let i = start; i < end; i++) if (this.explained[i]) return false
    return true
  }

  slice(start: number, end: number): string {
    return this.text.slice(start, end)
  }

  /** Every match of a global (`g`) pattern on the unexplained text, as it was when called. */
  matches(pattern: RegExp): RegExpExecArray[] {
    const masked = this.masked
    const found: RegExpExecArray[] = []
    pattern.lastIndex = 0
    let m: RegExpExecArray | null
    while ((m = pattern.exec(masked)) !== null) {
      if (m[0].length === 0) pattern.lastIndex++
      else found.push(m)
    }
    return found
  }

  /** The first match of a global (`g`) pattern on the unexplained text. */
  first(pattern: RegExp): RegExpExecArray | undefined {
    pattern.lastIndex = 0
    return pattern.exec(this.masked) ?? undefined
  }

  /** What is explained so far, to compare with later (fillers are explained last). */
  explainedSoFar(): Uint8Array {
    return this.explained.slice()
  }

  /**
   * The stretches still unexplained, in order, each widened to the unexplained stretch it lay in at
   * `earlier` (before the fillers): 「李四说这个他实在」, not 「李四说」 and 「实」.
   */
  unexplainedRuns(earlier: Uint8Array = this.explained): string[] {
    const runs: string[] = []
    let start = -1
    let unexplained = false
    for (let i = 0; i <= this.text.length; i++) {
      if (i < this.text.length && !earlier[i]) {
        if (start < 0) start = i
        if (!this.explained[i] && !/\s/.test(this.text[i]!)) unexplained = true
        continue
      }
      const run = start < 0 ? '' : this.text.slice(start, i).replace(/^[\s,.;:!?、。]+|[\s,.;:!?、。]+$/g, '')
      if (unexplained && run !== '') runs.push(run)
      start = -1
      unexplained = false
    }
    return runs
  }

  /** Share of meaningful characters nothing has explained; Latin letters weigh half a Chinese character. */
  leftoverRatio(): number {
    let total = 0
    let left = 0
    for (let i = 0; i < this.text.length; i++) {
      const ch = this.text[i]!
      if (/\s/.test(ch)) continue
      const weight = /[a-z]/i.test(ch) ? 0.5 : 1
      total += weight
      if (!this.explained[i]) left += weight
    }
    return total === 0 ? 0 : left / total
  }
}
