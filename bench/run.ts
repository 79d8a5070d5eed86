import { readdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/**
 * `npm run bench`: runs every bench/*-bench.ts (each exports one `run…Bench()` returning its
 * figures), prints one table and writes bench/results.json. `npm run bench -- parser` runs a subset.
 * `--quick` (what CI runs) gives each bench a size that takes seconds, so a bench that broke fails
 * the build; its figures are small-sample and say so in results.json, the ones that count come from
 * a full run.
 */
type Figures = Record<string, number | string>

const QUICK_ARGUMENTS: Record<string, unknown[]> = {
  'callback-ack': [1],
  'chat-roundtrip': [40],
  'feishu-ack': [40, 10],
  inbox: [{ employees: 2_000, requests: 40_000, pendingShare: 0.01 }],
  outbox: [300],
}

const here = dirname(fileURLToPath(import.meta.url))
const quick = process.argv.includes('--quick')
const only = process.argv.slice(2).filter((a) => a !== '--quick')
const files = readdirSync(here)
  .filter((f) => f.endsWith('-bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort()

const results: Record<string, Figures> = {}
for (const file of files) {
  const module = (await import(pathToFileURL(join(here, file)).href)) as Record<string, unknown>
  const run = Object.entries(module).find(([name, value]) => /^run\w*Bench$/.test(name) && typeof value === 'function')?.[1] as ((...args: unknown[]) => Promise<Figures>) | undefined
  if (!run) {
    console.error(`${file}: no exported run…Bench() function`)
    process.exitCode = 1
    continue
  }
  const name = file.replace(/-bench\.ts$/, '')
  const started = performance.now()
  try {
    results[name] = await run(...(quick ? (QUICK_ARGUMENTS[name] ?? []) : []))
  } catch (error) {
    results[name] = { error: String(error) }
    process.exitCode = 1
  }
  console.log(`\n## ${name} (${((performance.now() - started) / 1000).toFixed(1)} s)`)
  for (const [key, value] of Object.entries(results[name]!)) console.log(`  ${key.padEnd(44)} ${value}`)
}
writeFileSync(join(here, 'results.json'), `${JSON.stringify({ at: new Date().toISOString(), node: process.version, quick, results }, null, 2)}\n`)
console.log('\nwritten: bench/results.json')
process.exit()
