import { connectDatabase } from '../db/connect.js'
import { exportPersonalData } from '../ops/privacy/personal-data.js'

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
  const database = connectDatabase(process.env.DATABASE_URL)
  try {
    const data = await exportPersonalData(database.db, userId)
    if (!data) {
      console.error(`没有这个员工 / no such employee: ${userId}`)
      return 1
    }
    console.log(JSON.stringify(data, null, 2))
    return 0
  } finally {
    await database.close()
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`导出失败 / export failed: ${String(error)}`)
    process.exit(2)
  },
)
