import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { createGunzip } from 'node:zlib'
import { MIGRATIONS, migrateToLatest } from '../db/migrate.js'
import { DumpError, restoreDump } from '../ops/backup/database-dump.js'
import { runScript, withDatabase } from './script-runner.js'

/**
 * `npm run -s backup:restore -- <dump.ndjson.gz>`: loads a dump from GET /backup (any runtime, any
 * engine) into the new, empty database at DATABASE_URL: a Workers deployment's data restored onto
 * Node, or moved from the embedded SQLite to MySQL. Exit 0 when restored, 1 when refused, 2 on error.
 */
/**
 * The file's lines, opened only once the restore starts reading: readline drops lines emitted before
 * iteration begins, and the restore first checks the target (slow on a remote MySQL).
 */
async function* linesOf(file: string): AsyncIterable<string> {
  const input = createReadStream(file)
  yield* createInterface({ input: file.endsWith('.gz') ? input.pipe(createGunzip()) : input, crlfDelay: Infinity })
}

async function main(): Promise<number> {
  const file = process.argv[2]
  if (!file) {
    console.error('用法 / usage: DATABASE_URL=<new empty database> npm run -s backup:restore -- <dump.ndjson.gz>')
    return 2
  }
  return withDatabase(async (database) => {
    try {
      await migrateToLatest(database.db)
      const restored = await restoreDump(database.db, linesOf(file), Object.keys(MIGRATIONS))
      console.log(`已恢复 / restored ${restored.tables} tables, ${restored.rows} rows into ${database.describe}`)
      console.log(`  dump made ${restored.header.createdAt} from ${restored.header.dialect}, migrations ${restored.header.migrations.join(', ')}`)
      console.log('  next: npm run audit:verify (the audit chain must verify), then start the server')
      return 0
    } catch (error) {
      if (error instanceof DumpError) {
        console.error(`未恢复 / not restored: ${error.message}`)
        return 1
      }
      throw error
    }
  })
}

runScript('恢复失败 / restore failed', main)
