import { exportPersonalData } from '../ops/privacy/personal-data.js'
import { runScript, withDatabase } from './script-runner.js'

/**
 * `npm run -s privacy:export -- <userId>`: everything held about one employee, as one JSON
 * document on stdout (PIPL access request). Exit 0 when found, 1 when there is no such employee, 2 on error.
 */
async function main(): Promise<number> {
  const userId = process.argv[2]
  if (!userId) {
    console.error('用法 / usage: npm run -s privacy:export -- <userId> > export.json')
    return 2
  }
  return withDatabase(async (database) => {
    const data = await exportPersonalData(database.db, userId)
    if (!data) {
      console.error(`没有这个员工 / no such employee: ${userId}`)
      return 1
    }
    console.log(JSON.stringify(data, null, 2))
    return 0
  })
}

runScript('导出失败 / export failed', main)
