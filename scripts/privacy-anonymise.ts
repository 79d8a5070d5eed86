import { anonymiseEmployee } from '../ops/privacy/anonymise.js'
import { runScript, withDatabase } from './script-runner.js'

/**
 * `npm run privacy:anonymise -- <userId> [--by <adminUserId>]`: replaces one employee's personal
 * data (PIPL erasure request; what is kept and why: ops/privacy/anonymise.ts) and records it in the
 * audit log under the operator given with --by. Exit 0 when done, 1 when there is no such employee, 2 on error.
 */
async function main(): Promise<number> {
  const [userId, ...rest] = process.argv.slice(2)
  const byAt = rest.indexOf('--by')
  const actorId = byAt >= 0 ? (rest[byAt + 1] ?? null) : null
  if (!userId || userId.startsWith('--')) {
    console.error('用法 / usage: npm run privacy:anonymise -- <userId> [--by <adminUserId>]')
    return 2
  }
  return withDatabase(async (database) => {
    const report = await anonymiseEmployee(database.db, userId, { actorId })
    if (!report) {
      console.error(`没有这个员工 / no such employee: ${userId}`)
      return 1
    }
    const changed = Object.entries(report.changed).map(([table, rows]) => `${table} ${rows}`).join(', ')
    console.log(`已匿名化 ${userId} → ${report.pseudonym}；已记入审计日志 / anonymised, recorded in the audit log (${changed})`)
    return 0
  })
}

runScript('匿名化失败 / anonymisation failed', main)
