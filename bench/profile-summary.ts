import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and prints where the time went: the functions with
 * the most self time, and self time summed per package or source file, so "the slowest path"
 * is a list of names with milliseconds rather than a flame graph to squint at.
 *
 *   npx tsx bench/profile-summary.ts CPU.….cpuprofile [top=25] [--callers <function>]
 *
 * With --callers, the self time of <function> (e.g. libsql's `run`) is split by the nearest
 * frame of our own code on its stack: which of our lines keep the database busy.
 */
interface ProfileNode {
  id: number
  parent?: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

export interface ProfileSummary {
  totalMs: number
  functions: { name: string; where: string; ms: number }[]
  places: { where: string; ms: number }[]
}

/** node_modules/<package> or our own file, relative to the repository. */
function placeOf(url: string): string {
  if (!url) return '(native / V8)'
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (modules) return modules[1]!
  const ours = /\/work\/[^/]+\/(.*)$/.exec(url) ?? /file:\/\/.*?\/((?:bot|db|workflow|server|erp-bridge|miniapp|ops|receipts)\/.*)$/.exec(url)
  return ours ? ours[1]! : url.replace(/^file:\/\//, '').replace(/^node:/, 'node:')
}

const isOurs = (url: string) => /\/(bot|db|workflow|server|erp-bridge|miniapp|ops|receipts)\//.test(url) && !url.includes('node_modules')

/** Self time of the function named `name`, by the nearest caller in our own code. */
export function callersOf(profile: CpuProfile, name: string): { caller: string; ms: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  for (const node of profile.nodes) for (const child of node.children ?? []) byId.get(child)!.parent = node.id
  const selfUs = new Map<number, number>()
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
  const byCaller = new Map<string, number>()
  for (const [id, us] of selfUs) {
    let node = byId.get(id)
    if (node?.callFrame.functionName !== name) continue
    while (node && !isOurs(node.callFrame.url)) node = node.parent === undefined ? undefined : byId.get(node.parent)
    const caller = node ? `${node.callFrame.functionName || '(anonymous)'} (${placeOf(node.callFrame.url)}:${node.callFrame.lineNumber + 1})` : '(no frame of ours)'
    byCaller.set(caller, (byCaller.get(caller) ?? 0) + us / 1000)
  }
  return [...byCaller.entries()].map(([caller, ms]) => ({ caller, ms })).sort((a, b) => b.ms - a.ms)
}

export function summarise(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const selfUs = new Map<number, number>()
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
  const functions = new Map<string, { name: string; where: string; ms: number }>()
  const places = new Map<string, number>()
  let total = 0
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame
    const name = frame.functionName || '(anonymous)'
    const where = placeOf(frame.url)
    const key = `${name}@${frame.url}:${frame.lineNumber}`
    const entry = functions.get(key) ?? { name, where: `${where}:${frame.lineNumber + 1}`, ms: 0 }
    entry.ms += us / 1000
    functions.set(key, entry)
    places.set(where, (places.get(where) ?? 0) + us / 1000)
    total += us / 1000
  }
  return {
    totalMs: total,
    functions: [...functions.values()].sort((a, b) => b.ms - a.ms),
    places: [...places.entries()].map(([where, ms]) => ({ where, ms })).sort((a, b) => b.ms - a.ms),
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const callersFlag = args.indexOf('--callers')
  const callersOfName = callersFlag >= 0 ? args.splice(callersFlag, 2)[1] : undefined
  const [file, topArg] = args
  if (!file) {
    console.error('usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [top] [--callers <function>]')
    process.exit(2)
  }
  const top = Number(topArg ?? 25)
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  if (callersOfName) {
    for (const c of callersOf(profile, callersOfName).slice(0, top)) console.log(`${c.ms.toFixed(0).padStart(7)} ms  ${c.caller}`)
    process.exit(0)
  }
  const summary = summarise(profile)
  const pct = (ms: number) => `${((100 * ms) / summary.totalMs).toFixed(1).padStart(5)}%`
  console.log(`total sampled: ${summary.totalMs.toFixed(0)} ms\n\nself time by function:`)
  for (const f of summary.functions.slice(0, top)) console.log(`${pct(f.ms)} ${f.ms.toFixed(0).padStart(7)} ms  ${f.name}  (${f.where})`)
  console.log('\nself time by package / file:')
  for (const p of summary.places.slice(0, top)) console.log(`${pct(p.ms)} ${p.ms.toFixed(0).padStart(7)} ms  ${p.where}`)
}
