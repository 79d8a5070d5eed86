import { execFile, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { parsedCommandSchema } from '../../bot/nlu/command.js'

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
const run = promisify(execFile)
const NOW = '2026-11-25T10:00:00+08:00'

/** The contract as users call it: npm run -s parse -- [--now <ISO>] "text". */
function parseCli(args: string[], stdin?: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '-s', 'parse', '--', ...args], { cwd: repoRoot, env: { ...process.env, OPENAI_API_KEY: '', OPENAI_MODEL: '', OPENAI_BASE_URL: '' } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
    child.on('error', reject)
    child.on('close', (code) => resolve({ stdout, stderr, code }))
    child.stdin.end(stdin ?? '')
  })
}

describe('parse CLI', () => {
  it('prints exactly one JSON line for a text argument', async () => {
    const { stdout, code } = await parseCli(['--now', NOW, '提交本月差旅费 3500元'])
    expect(code).toBe(0)
    const lines = stdout.split('\n').filter((l) => l !== '')
    expect(lines).toHaveLength(1)
    const parsed = JSON.parse(lines[0]!)
    expect(Object.keys(parsed)).toEqual(['intent', 'slots', 'confidence', 'source'])
    expect(parsedCommandSchema.parse(parsed)).toEqual(parsed)
    expect(parsed).toMatchObject({
      intent: 'expense.submit',
      slots: { category: 'travel', amount: 3500, period: { from: '2026-11-01', to: '2026-11-30' } },
      source: 'rules',
    })
    expect(parsed.confidence).toBeGreaterThanOrEqual(0.9)
  })

  it('accepts --now=<ISO> and words split across arguments', async () => {
    const { stdout } = await parseCli([`--now=${NOW}`, 'submit', 'travel', 'expense', '3500'])
    expect(JSON.parse(stdout)).toMatchObject({ intent: 'expense.submit', slots: { category: 'travel', amount: 3500 } })
  })

  it('answers stdin line by line, in order, one JSON object per line', async () => {
    const input = ['3500', '不同意BX-202611-0011', '', '下月1号调岗到销售部', '你好'].join('\n') + '\n'
    const { stdout, code } = await parseCli(['--now', NOW], input)
    expect(code).toBe(0)
    const lines = stdout.trimEnd().split('\n').map((l) => JSON.parse(l))
    expect(lines.map((l) => l.intent)).toEqual(['unknown', 'approval.reject', 'unknown', 'hr.transfer', 'unknown'])
    expect(lines[0].slots).toEqual({ amount: 3500 })
    expect(lines[1].slots).toEqual({ requestNo: 'BX-202611-0011' })
    expect(lines[3].slots).toEqual({ department: '销售部', effectiveDate: '2026-12-01' })
  })

  it('uses the current time when --now is not given', async () => {
    const { stdout } = await parseCli(['报销今天的午饭 30'])
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
    expect(JSON.parse(stdout).slots.date).toBe(today)
  })

  it('rejects a bad --now with a readable message and exit code 2', async () => {
    const { stdout, stderr, code } = await parseCli(['--now', 'yesterday-ish', '报销'])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toContain('--now 需要一个 ISO 时间')
    expect(stderr).toContain('--now needs an ISO time')
  })

  it('runs through tsx directly too', async () => {
    const { stdout } = await run(fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url)), ['bot/nlu/parse-cli.ts', '--now', NOW, 'approve BX-202611-0001'], { cwd: repoRoot })
    expect(JSON.parse(stdout)).toEqual({ intent: 'approval.approve', slots: { requestNo: 'BX-202611-0001' }, confidence: 0.95, source: 'rules' })
  })
})
