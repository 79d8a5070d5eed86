import { Hono } from 'hono'
import type { Kysely } from 'kysely'
import { dumpDatabase } from '../ops/backup/database-dump.js'
import type { Log } from '../ops/logging/log.js'
import { refuseWithoutBearer } from './bearer-token.js'

/**
 * GET /backup: the whole database as a gzipped JSON-lines dump (ops/backup/database-dump.ts), for
 * holders of BACKUP_TOKEN. It is how a Workers deployment, whose database lives in a Durable Object,
 * gets a file backup at all; on Node it is an engine-neutral alternative to mysqldump/sqlite3.
 * The dump is compressed into memory inside its transaction and sent afterwards, so a slow download
 * never holds the transaction (and with it, on SQLite and Workers, every writer) open.
 */
export function backupRoutes(db: Kysely<any>, token: string | undefined, log?: Log, now: () => number = Date.now): Hono {
  const app = new Hono()
  app.get('/backup', async (c) => {
    const refused = refuseWithoutBearer(c, token, {
      realm: 'backup',
      off: '未启用备份导出：请设置 BACKUP_TOKEN / backup export is off: set BACKUP_TOKEN',
      required: '需要备份令牌 / backup token required',
    })
    if (refused) return refused
    const started = now()
    const gzip = new CompressionStream('gzip')
    const compressed = new Response(gzip.readable).arrayBuffer()
    const writer = gzip.writable.getWriter()
    const encoder = new TextEncoder()
    const counts = await dumpDatabase(db, (line) => writer.write(encoder.encode(`${line}\n`)), now)
    await writer.close()
    const body = await compressed
    log?.(`backup: exported ${counts.tables} tables, ${counts.rows} rows (${body.byteLength} bytes gzipped) in ${now() - started} ms`)
    const stamp = new Date(started).toISOString().replace(/[:.]/g, '-')
    return c.body(body, 200, {
      'Content-Type': 'application/gzip',
      'Content-Disposition': `attachment; filename="approval-bridge-${stamp}.ndjson.gz"`,
      'Cache-Control': 'no-store',
      'X-Backup-Tables': String(counts.tables),
      'X-Backup-Rows': String(counts.rows),
    })
  })
  return app
}
