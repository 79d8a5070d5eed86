import { verifyAuditChainFromAnchor } from '../ops/retention/audit-anchor.js'
import { runScript, withDatabase } from './script-runner.js'

/**
 * `npm run audit:verify`: walks the audit log's hash chain in DATABASE_URL's database and names
 * the first row that does not check out; after the retention job removed the oldest rows, from the
 * anchor it left. Exit code 0 when intact, 1 when broken, 2 on error.
 */
async function main(): Promise<number> {
  return withDatabase(async (database) => {
    const report = await verifyAuditChainFromAnchor(database.db)
    if (report.ok) {
      const from = report.from > 1 ? `（自第 ${report.from} 行起，之前的已按保留期清理）/ from row ${report.from}, older rows removed by retention` : ''
      console.log(`审计日志完整：${report.rows} 行，哈希链无断裂${from} / audit log intact: ${report.rows} rows, chain unbroken (${database.describe})`)
      return 0
    }
    const at = report.firstBreak!
    const row = at.id === null ? `第 ${at.seq} 行（已不存在）/ row #${at.seq} (missing)` : `id=${at.id}（第 ${at.seq} 行）/ id=${at.id} (#${at.seq})`
    console.log(`审计日志被篡改：首个断点 ${row}：${at.reason}；此前 ${report.rows} 行完好 / audit log tampered: first broken row ${row}`)
    return 1
  })
}

runScript('审计校验失败 / audit verification failed', main)
