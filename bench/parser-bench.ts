/**
 * Rules-only parser quality and speed on the labelled corpus: intent accuracy, slot accuracy
 * (exact slot-object match and per slot), and per-command latency p50/p99 in microseconds.
 * `npx tsx bench/parser-bench.ts` prints the figures; runParserBench() returns them.
 */
import { isDeepStrictEqual } from 'node:util'
import { pathToFileURL } from 'node:url'
import type { Slots } from '../bot/nlu/command.js'
import { parseWithRules } from '../bot/nlu/rules/index.js'
import { CORPUS, CORPUS_NOW } from '../test/nlu/corpus.js'

const TIMING_ROUNDS = 20

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

function pct(n: number, of: number): number {
  return Math.round((n / of) * 10_000) / 100
}

export async function runParserBench(): Promise<Record<string, number | string>> {
  const cases = CORPUS.map((c) => ({ ...c, nowDate: new Date(c.now ?? CORPUS_NOW) }))
  let intentHits = 0
  let slotHits = 0
  // Per slot name: how many cases expect or produce it, and how many of those agree.
  const perSlot = new Map<string, { seen: number; right: number }>()
  for (const c of cases) {
    const parsed = parseWithRules(c.text, c.nowDate)
    if (parsed.intent === c.intent) intentHits++
    if (isDeepStrictEqual(parsed.slots, c.slots)) slotHits++
    const names = new Set([...Object.keys(c.slots), ...Object.keys(parsed.slots)]) as Set<keyof Slots>
    for (const name of names) {
      const tally = perSlot.get(name) ?? { seen: 0, right: 0 }
      tally.seen++
      if (isDeepStrictEqual(parsed.slots[name], c.slots[name])) tally.right++
      perSlot.set(name, tally)
    }
  }

  // Warm up the JIT, then time every command many times.
  for (const c of cases) parseWithRules(c.text, c.nowDate)
  const samples: number[] = []
  for (let round = 0; round < TIMING_ROUNDS; round++) {
    for (const c of cases) {
      const start = process.hrtime.bigint()
      parseWithRules(c.text, c.nowDate)
      samples.push(Number(process.hrtime.bigint() - start) / 1000)
    }
  }
  samples.sort((a, b) => a - b)

  const result: Record<string, number | string> = {
    parser: 'rules',
    cases: cases.length,
    intentAccuracyPct: pct(intentHits, cases.length),
    slotExactMatchPct: pct(slotHits, cases.length),
  }
  for (const [name, tally] of [...perSlot].sort(([a], [b]) => a.localeCompare(b)))
    result[`slot.${name}.accuracyPct`] = pct(tally.right, tally.seen)
  result.latencyP50Us = Math.round(percentile(samples, 50) * 10) / 10
  result.latencyP99Us = Math.round(percentile(samples, 99) * 10) / 10
  return result
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await runParserBench()
  for (const [key, value] of Object.entries(result)) console.log(`${key.padEnd(32)} ${value}`)
}
