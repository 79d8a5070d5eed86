import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parsedCommandSchema } from '../../bot/nlu/command.js'
import { startFakeOpenAi, toolCall, type FakeOpenAi } from '../fakes/openai/fake-openai.js'

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
const NOW = '2026-11-25T10:00:00+08:00'
const VAGUE = '那个啥，上礼拜跑客户那边的车钱能报不'

let fake: FakeOpenAi

/** The contract as users call it, with the LLM configured the way an operator would. */
function parseCli(args: string[], env: Record<string, string>, stdin = ''): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '-s', 'parse', '--', ...args], { cwd: repoRoot, env: { ...process.env, OPENAI_API_KEY: '', OPENAI_TIMEOUT_MS: '', ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
    child.on('error', reject)
    child.on('close', (code) => resolve({ stdout, stderr, code }))
    child.stdin.end(stdin)
  })
}

beforeEach(async () => {
  fake = await startFakeOpenAi()
  fake.behave(toolCall({ intent: 'expense.submit', slots: { category: 'transport', period: { from: '2026-11-16', to: '2026-11-22' } } }))
})
afterEach(async () => {
  await fake.close()
})

describe('parse CLI with an LLM configured', () => {
  it('prints source "llm" for a sentence the rules cannot parse', async () => {
    const { stdout, code } = await parseCli(['--now', NOW, VAGUE], { OPENAI_MODEL: 'fake-model', OPENAI_BASE_URL: fake.baseURL })
    expect(code).toBe(0)
    const parsed = JSON.parse(stdout)
    expect(Object.keys(parsed)).toEqual(['intent', 'slots', 'confidence', 'source'])
    expect(parsedCommandSchema.parse(parsed)).toEqual(parsed)
    expect(parsed).toEqual({ intent: 'expense.submit', slots: { category: 'transport', period: { from: '2026-11-16', to: '2026-11-22' } }, confidence: 0.8, source: 'llm' })
    expect(fake.requests).toHaveLength(1)
    expect(fake.requests[0]!.body.messages[0]!.content).toContain('2026-11-25')
  })

  it('asks the model only about the lines the rules do not understand, answering in order', async () => {
    const input = ['不同意BX-202611-0011', VAGUE, '下月1号调岗到销售部'].join('\n') + '\n'
    const { stdout, code } = await parseCli(['--now', NOW], { OPENAI_MODEL: 'fake-model', OPENAI_BASE_URL: fake.baseURL }, input)
    expect(code).toBe(0)
    const lines = stdout.trimEnd().split('\n').map((l) => JSON.parse(l))
    expect(lines.map((l) => [l.intent, l.source])).toEqual([
      ['approval.reject', 'rules'],
      ['expense.submit', 'llm'],
      ['hr.transfer', 'rules'],
    ])
    expect(fake.requests.map((r) => r.body.messages[1]!.content)).toEqual([VAGUE])
  })

  it('falls back to the rules, and says why on stderr, when the model fails', async () => {
    fake.behave({ status: 503 })
    const { stdout, stderr, code } = await parseCli(['--now', NOW, VAGUE], { OPENAI_MODEL: 'fake-model', OPENAI_BASE_URL: fake.baseURL })
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ intent: 'unknown', slots: {}, source: 'rules' })
    expect(stderr).toContain('HTTP 503')
  })

  it('stops with a readable message on a bad OPENAI_TIMEOUT_MS', async () => {
    const { stdout, stderr, code } = await parseCli(['--now', NOW, VAGUE], { OPENAI_MODEL: 'fake-model', OPENAI_BASE_URL: fake.baseURL, OPENAI_TIMEOUT_MS: 'soon' })
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toContain('OPENAI_TIMEOUT_MS 必须是')
  })
})
