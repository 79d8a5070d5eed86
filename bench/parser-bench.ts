/**
 * Rules-only parser quality and speed on the labelled corpus: intent accuracy, slot accuracy
 * (exact slot-object match and per slot), and per-command latency p50/p99 in microseconds; the
 * same accuracy on the held-out corpus (fresh wording the rules were not written from); then
 * the LLM fallback's latency against the local fake model answering after a fixed delay.
 * `npx tsx bench/parser-bench.ts` prints the figures; runParserBench() returns them.
 */
import { isDeepStrictEqual } from 'node:util'
import { pathToFileURL } from 'node:url'
import type { Slots } from '../bot/nlu/command.js'
import { CONFIDENCE_BAR } from '../bot/nlu/llm/llm-fallback-parser.js'
import { createParserFromEnv } from '../bot/nlu/parser-from-env.js'
import { parseWithRules } from '../bot/nlu/rules/index.js'
import { startFakeOpenAi, toolCall } from '../test/fakes/openai/fake-openai.js'
import { CORPUS, CORPUS_NOW, type CorpusCase } from '../test/nlu/corpus.js'
import { HELD_OUT_CORPUS } from '../test/nlu/held-out-corpus.js'

const TIMING_ROUNDS = 20
const FAKE_MODEL_DELAY_MS = 20
const LLM_ROUNDS = 3

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
  return { ...result, ...heldOutFigures(), ...(await llmFallbackFigures(cases)) }
}

/** Intent accuracy and exact slot match on the held-out corpus: how the rules do on wording they were not written from. */
function heldOutFigures(): Record<string, number> {
  let intentHits = 0
  let slotHits = 0
  for (const c of HELD_OUT_CORPUS) {
    const parsed = parseWithRules(c.text, new Date(c.now ?? CORPUS_NOW))
    if (parsed.intent === c.intent) intentHits++
    if (isDeepStrictEqual(parsed.slots, c.slots)) slotHits++
  }
  return {
    'heldOut.cases': HELD_OUT_CORPUS.length,
    'heldOut.intentAccuracyPct': pct(intentHits, HELD_OUT_CORPUS.length),
    'heldOut.slotExactMatchPct': pct(slotHits, HELD_OUT_CORPUS.length),
  }
}

/**
 * The corpus lines below the confidence bar, sent through the real client to the fake model,
 * which answers each with its label after a fixed delay: what the fallback adds on top of the model.
 */
async function llmFallbackFigures(cases: readonly (CorpusCase & { nowDate: Date })[]): Promise<Record<string, number>> {
  const asked = cases.filter((c) => parseWithRules(c.text, c.nowDate).confidence < CONFIDENCE_BAR)
  const labels = new Map(asked.map((c) => [c.text, { intent: c.intent, slots: c.slots }]))
  const fake = await startFakeOpenAi()
  fake.delayMs = FAKE_MODEL_DELAY_MS
  fake.behave((request) => toolCall(labels.get(request.messages.at(-1)!.content)))
  const failures: string[] = []
  const parser = createParserFromEnv({ OPENAI_MODEL: 'bench', OPENAI_BASE_URL: fake.baseURL }, (m) => failures.push(m))
  const samples: number[] = []
  try {
    // The first call opens the connection; time the steady state a running bot sees.
    for (const c of asked.slice(0, 3)) await parser.parse(c.text, c.nowDate)
    for (let round = 0; round < LLM_ROUNDS; round++) {
      for (const c of asked) {
        const start = performance.now()
        await parser.parse(c.text, c.nowDate)
        samples.push(performance.now() - start)
      }
    }
  } finally {
    await fake.close()
  }
  const ms = (p: number) => Math.round(percentile([...samples].sort((a, b) => a - b), p) * 10) / 10
  return {
    'llm.askedSharePct': pct(asked.length, cases.length),
    'llm.fakeModelDelayMs': FAKE_MODEL_DELAY_MS,
    'llm.latencyP50Ms': ms(50),
    'llm.latencyP99Ms': ms(99),
    'llm.failedCalls': failures.length,
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await runParserBench()
  for (const [key, value] of Object.entries(result)) console.log(`${key.padEnd(32)} ${value}`)
}
