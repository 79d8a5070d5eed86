import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pendingMigrations } from '../db/migrate.js'
import { LedgerAdapter } from '../erp-bridge/adapters/ledger/ledger-adapter.js'
import { ConfiguredErp } from '../erp-bridge/connections/configured-erp.js'
import { ErpConnectionStore } from '../erp-bridge/connections/erp-connection-store.js'
import { SecretBox } from '../erp-bridge/connections/secret-box.js'
import { ErpError } from '../erp-bridge/erp-adapter.js'
import { checkMappings, type MappingCheckReport } from '../erp-bridge/mapping/mapping-check.js'
import { MAPPING_KINDS } from '../erp-bridge/mapping/mapping-kinds.js'
import { MappingStore } from '../erp-bridge/mapping/mapping-store.js'
import { deriveKey, SECRET_KEY_FILE } from '../server/secret-key.js'
import { runScript, withDatabase } from './script-runner.js'

/**
 * `npm run erp:check [-- --json]`: a dry run against the configured ERP (the active connection in
 * DATABASE_URL's database, else the built-in ledger). For every request type it lists the master
 * data that has no ERP code yet and the approved requests waiting on one. Reads only; posts nothing.
 * Exit code 0: everything can post; 1: mappings are missing; 2: the check itself could not run.
 */
async function main(): Promise<number> {
  return withDatabase(async (database) => {
    const pending = await pendingMigrations(database.db)
    if (pending.length > 0) {
      console.error(`数据库还未建好（待迁移：${pending.join('、')}），请先运行一次 npm start。/ the database is not migrated yet; run npm start once.`)
      return 2
    }
    const secrets = await secretBox()
    const mappings = new MappingStore(database.db)
    const connections = new ErpConnectionStore(database.db, secrets)
    const configured = new ConfiguredErp(database.db, connections, mappings, new LedgerAdapter(database.db))
    const report = await checkMappings(database.db, mappings, await configured.current())
    const activeId = await connections.activeId()
    const name = activeId ? (await connections.view(activeId)).name : '内置账簿'
    if (process.argv.includes('--json')) console.log(JSON.stringify({ connection: name, ...report }, null, 2))
    else print(report, name, database.describe)
    return report.problems > 0 ? 1 : 0
  })
}

/** The key server/node.ts uses, without creating one: a dry run leaves no files behind. */
async function secretBox(): Promise<SecretBox | null> {
  const appKey =
    process.env.APP_SECRET_KEY ??
    (await readFile(join('./data', SECRET_KEY_FILE), 'utf8').then(
      (text) => text.trim(),
      () => undefined,
    ))
  return appKey ? SecretBox.fromKey(await deriveKey(appKey, 'erp-secrets')) : null
}

function print(report: MappingCheckReport, connection: string, database: string): void {
  console.log(`ERP 映射检查 / mapping dry run — ERP：${connection}（${report.erp}），数据库 ${database}\n`)
  for (const type of report.types) {
    const needs = type.required.length ? type.required.map((k) => MAPPING_KINDS[k].local).join('、') : '无'
    const ok = type.missing.length === 0 && type.blocked.length === 0
    console.log(`${ok ? '✓' : '✗'} ${type.label}（${type.requestType} → ${type.action}）需要映射：${needs}`)
    for (const missing of type.missing) console.log(`    未配置映射：${missing.sentence}`)
    for (const blocked of type.blocked) console.log(`    待入账受阻 ${blocked.requestNo}（${blocked.status}）：${blocked.missing.join('；')}`)
  }
  console.log(
    report.problems === 0
      ? '\n映射完整，所有申请类型都可以入账。/ every request type can post.'
      : `\n共 ${report.problems} 处需要处理：在管理后台「ERP 映射」补充，或导入 CSV（类型,本系统,ERP编码）。/ ${report.problems} problem(s).`,
  )
}

runScript('映射检查无法完成 / the check could not run', main, (error) => error instanceof ErpError ? error.message : String(error))
