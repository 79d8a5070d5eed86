/**
 * The parse contract: `npm run -s parse -- [--now <ISO time>] "text"` prints one JSON line
 * {"intent","slots","confidence","source"}; with no text, one line of stdin in, one JSON line out.
 */
import { createInterface } from 'node:readline'
import type { CommandParser, ParsedCommand } from './command.js'
import { createParserFromEnv } from './parser-from-env.js'

interface CliArgs {
  now: Date
  text: string | undefined
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): CliArgs {
  let now = new Date()
  const words: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--now' || arg.startsWith('--now=')) {
      const value = arg === '--now' ? argv[++i] : arg.slice('--now='.length)
      if (value === undefined || Number.isNaN(Date.parse(value)))
        throw new UsageError(`--now 需要一个 ISO 时间，例如 2026-11-25T10:00:00+08:00 / --now needs an ISO time, e.g. 2026-11-25T10:00:00+08:00 (got: ${value ?? 'nothing'})`)
      now = new Date(value)
    } else if (arg === '--') {
      words.push(...argv.slice(i + 1))
      break
    } else words.push(arg)
  }
  return { now, text: words.length > 0 ? words.join(' ') : undefined }
}

/** The contract's object, keys in the documented order. */
function toLine(command: ParsedCommand): string {
  return JSON.stringify({ intent: command.intent, slots: command.slots, confidence: command.confidence, source: command.source })
}

async function runParseCli(argv: readonly string[], parser: CommandParser, input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<void> {
  const { now, text } = parseArgs(argv)
  if (text !== undefined) {
    output.write(toLine(await parser.parse(text, now)) + '\n')
    return
  }
  // Lines are answered strictly in order, one output line per input line (blank lines included).
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    output.write(toLine(await parser.parse(line, now)) + '\n')
  }
}

try {
  await runParseCli(process.argv.slice(2), createParserFromEnv(), process.stdin, process.stdout)
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = error instanceof UsageError ? 2 : 1
}
