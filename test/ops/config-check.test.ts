import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)

/** `npm run config:check` as an operator runs it, with only the given settings. */
async function configCheck(settings: Record<string, string>) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME }
  return run('npm', ['run', '-s', 'config:check'], { env: { ...env, ...settings } }).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  )
}

describe('npm run config:check', () => {
  it('prints the operations settings, with the metrics token masked', async () => {
    const { code, out } = await configCheck({ METRICS_TOKEN: 'prometheus-scrape-token-0123456789', RATE_LIMIT_LLM_PER_HOUR: '10', RETENTION_AUDIT_DAYS: '1825' })
    expect(code).toBe(0)
    expect(out).toMatch(/METRICS_TOKEN\s+pro…\(34 chars\)/)
    expect(out).not.toContain('prometheus-scrape-token-0123456789')
    expect(out).toMatch(/metrics\s+on: GET \/metrics/)
    expect(out).toMatch(/rate limits\s+chat 20\/min per person, 600\/min in all; LLM 10\/h per person, 600\/h in all/)
    expect(out).toMatch(/retention\s+audit log 1825 d, event ids 8 d, conversations 30 d; job every 60 min/)
    expect(out).toMatch(/shutdown\s+on SIGTERM drains for up to 20 s/)
  })

  it('names each bad operations setting on its own line', async () => {
    const { code, out } = await configCheck({ METRICS_TOKEN: 'short', RETENTION_AUDIT_DAYS: '365', SHUTDOWN_TIMEOUT_MS: '10' })
    expect(code).toBe(1)
    expect(out).toContain('配置错误 / invalid configuration')
    expect(out).toContain('METRICS_TOKEN: METRICS_TOKEN 至少 16 个字符 / at least 16 characters')
    expect(out).toContain('RETENTION_AUDIT_DAYS: RETENTION_AUDIT_DAYS 至少 1095 天（3 年）/ at least 1095 days (3 years)')
    expect(out).toMatch(/SHUTDOWN_TIMEOUT_MS: /)
  })

  it('lists invalid settings and settings that do not go together in the same run', async () => {
    const { code, out } = await configCheck({ BACKUP_TOKEN: 'too-short', FEISHU_APP_ID: 'cli_a1b2c3d4e5f60718', FEISHU_APP_SECRET: 'secret', FEISHU_ENCRYPT_KEY: 'encrypt-key' })
    expect(code).toBe(1)
    const lines = out.split('\n').filter((line) => line.startsWith('  '))
    expect(lines).toEqual([
      '  BACKUP_TOKEN: BACKUP_TOKEN 至少 32 个字符 / at least 32 characters',
      '  FEISHU_ENCRYPT_KEY 已设置但缺少 FEISHU_VERIFICATION_TOKEN / FEISHU_ENCRYPT_KEY is set but FEISHU_VERIFICATION_TOKEN is not',
      '  FEISHU_MODE=http 需要 FEISHU_VERIFICATION_TOKEN 来校验回调 / FEISHU_MODE=http needs FEISHU_VERIFICATION_TOKEN to verify callbacks',
    ])
  })
})
