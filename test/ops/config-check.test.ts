import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { migrateToLatest } from '../../db/migrate.js'
import { ErpConnectionStore } from '../../erp-bridge/connections/erp-connection-store.js'
import { SecretBox } from '../../erp-bridge/connections/secret-box.js'
import { ConfigError, loadConfig } from '../../server/config.js'
import { DB_KINDS, unmigratedDatabase } from '../helpers/databases.js'

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
    // Per instance, and what that means (README, "Limits").
    expect(out).toMatch(/600\/h in all \(per instance, in memory: N Node instances allow up to N times these; Workers run one app object, so there they hold for the deployment\)/)
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

describe('loadConfig: what an empty or misspelt setting means', () => {
  it('an empty HOST is unset: the server listens on 127.0.0.1, not on every interface', () => {
    expect(loadConfig({ HOST: '' }).HOST).toBe('127.0.0.1')
    expect(loadConfig({ HOST: '0.0.0.0' }).HOST).toBe('0.0.0.0')
  })

  it('an empty number is unset: its default applies, not 0', () => {
    const config = loadConfig({ RATE_LIMIT_LLM_PER_HOUR: '', RATE_LIMIT_LLM_TENANT_PER_HOUR: ' ', PORT: '', OPENAI_TIMEOUT_MS: '', OUTBOX_POLL_MS: '' })
    expect([config.RATE_LIMIT_LLM_PER_HOUR, config.RATE_LIMIT_LLM_TENANT_PER_HOUR, config.PORT, config.OPENAI_TIMEOUT_MS, config.OUTBOX_POLL_MS]).toEqual([30, 600, 8787, undefined, 1000])
    // 0 written out still means rules only.
    expect(loadConfig({ RATE_LIMIT_LLM_PER_HOUR: '0' }).RATE_LIMIT_LLM_PER_HOUR).toBe(0)
  })

  it.each(['sqlite:./data/app.db?synchronous=full', 'sqlite:./data/app.db?synchronous=FULL', 'sqlite:./data/app.db?synchronous=Normal', 'file:./data/app.db', 'sqlite::memory:'])('accepts %s', (url) => {
    expect(loadConfig({ DATABASE_URL: url }).DATABASE_URL).toBe(url)
  })

  it.each([
    ['sqlite:./data/app.db?synchronous=extra', 'DATABASE_URL: synchronous 只能是 normal 或 full / synchronous must be normal or full, not "extra"'],
    ['sqlite:./data/app.db?synchronous=', 'DATABASE_URL: synchronous 只能是 normal 或 full / synchronous must be normal or full, not ""'],
    ['sqlite:./data/app.db?sync=full', 'DATABASE_URL: 未知参数 sync（SQLite 只支持 synchronous）/ unknown parameter sync (SQLite takes only synchronous)'],
  ])('refuses %s, saying why', (url, message) => {
    expect(() => loadConfig({ DATABASE_URL: url })).toThrow(ConfigError)
    expect(() => loadConfig({ DATABASE_URL: url })).toThrow(message)
  })

  it('leaves the query of a MySQL URL to the driver', () => {
    expect(loadConfig({ DATABASE_URL: 'mysql://root@127.0.0.1:3306/test?charset=utf8mb4' }).DATABASE_URL).toContain('charset')
  })
})

/**
 * The ERP is not in the environment: the admin connects it in the mini-app and it is a row of
 * erp_connections. config:check reads it from DATABASE_URL's database without writing anything,
 * and says plainly when it cannot.
 */
describe.each(DB_KINDS)('npm run config:check names the enabled ERP from the database (%s)', (kind) => {
  it('the built-in ledger while none is active; then the active connection, without its secret or path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-check-'))
    const file = join(dir, 'app.db')
    if (kind === 'sqlite') {
      // No database yet: said so, and it still does not exist afterwards: a check creates nothing.
      const missing = await configCheck({ DATABASE_URL: `sqlite:${file}` })
      expect(missing.code).toBe(0)
      expect(missing.out).toContain(`unknown: no database at ${file} yet (created on first start); postings go to the built-in ledger`)
      expect(existsSync(file)).toBe(false)
    }
    const database = await unmigratedDatabase(kind, `sqlite:${file}`)
    try {
      const unmigrated = await configCheck({ DATABASE_URL: database.url })
      expect(unmigrated.code).toBe(0)
      expect(unmigrated.out).toMatch(/erp\s+unknown: the database is not set up yet \(run npm start once\)/)
      await migrateToLatest(database.db)
      const ledger = await configCheck({ DATABASE_URL: database.url })
      expect(ledger.code).toBe(0)
      expect(ledger.out).toMatch(/erp\s+built-in ledger \(内置账簿\): no ERP connection is active in the database\n/)

      const connections = new ErpConnectionStore(database.db, await SecretBox.fromKey(crypto.getRandomValues(new Uint8Array(32))))
      await connections.save({ name: '旧 Odoo', adapter: 'odoo', settings: { url: 'https://odoo.example.com', database: 'prod', login: 'bridge', apiKey: 'odoo-api-key-0123456789' } })
      const active = await connections.save({ name: '总部 ERP', adapter: 'webhook', settings: { url: 'https://erp.example.com:8443/hooks/t0ken-in-path?sig=abc', secret: 'webhook-signing-secret-0123456789', timeoutMs: 5000 } })
      await connections.activate(active.id)
      const before = await database.db.selectFrom('erp_connections').selectAll().orderBy('id').execute()

      const { code, out } = await configCheck({ DATABASE_URL: database.url })
      expect(code).toBe(0)
      expect(out).toMatch(/erp\s+webhook "总部 ERP" \(通用 Webhook（签名）Signed webhook\) at https:\/\/erp\.example\.com:8443, the active connection in the database; never tested; 1 other connection\(s\) configured, not active\n/)
      for (const secret of ['webhook-signing-secret-0123456789', 'odoo-api-key-0123456789', 't0ken-in-path', 'sig=abc']) expect(out).not.toContain(secret)
      // Read only: the rows are as they were.
      expect(await database.db.selectFrom('erp_connections').selectAll().orderBy('id').execute()).toEqual(before)
    } finally {
      await database.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('npm run config:check with a database it cannot reach', () => {
  it('says the ERP cannot be told, and why, without the password; the configuration itself is still valid', async () => {
    const { code, out } = await configCheck({ DATABASE_URL: 'mysql://bridge:db-password-0123@127.0.0.1:1/approvals' })
    expect(code).toBe(0)
    expect(out).toMatch(/erp\s+unknown: database not reachable \(connect ECONNREFUSED 127\.0\.0\.1:1\); ERP connections are kept in the database \(管理后台 → ERP\), so this check cannot tell which is enabled/)
    expect(out).not.toContain('db-password-0123')
  })

  it('names a mariadb:// URL as MySQL/MariaDB, without the password', async () => {
    const { code, out } = await configCheck({ DATABASE_URL: 'mariadb://bridge:db-password-0123@127.0.0.1:1/approvals' })
    expect(code).toBe(0)
    expect(out).toMatch(/database\s+MySQL\/MariaDB/)
    expect(out).not.toContain('db-password-0123')
  })
})
