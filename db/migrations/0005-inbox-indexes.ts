import { MysqlAdapter, type Kysely } from 'kysely'

/**
 * Indexes the approver inbox needs at scale (bench/inbox-bench.ts, README "Performance"):
 * - "my requests" joins each request to its outbox row; without an index on outbox.request_id
 *   MariaDB scanned the whole outbox for every page (hundreds of ms at a million requests).
 * - "my pending approvals" reads an approver's pending tasks oldest first; with created_at in
 *   the index they come out in order, no filesort. It replaces (approver_id, status), its prefix.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('outbox_request_idx').on('outbox').column('request_id').execute()
  await db.schema.createIndex('approval_tasks_inbox_idx').on('approval_tasks').columns(['approver_id', 'status', 'created_at']).execute()
  await dropIndex(db, 'approval_tasks_approver_idx', 'approval_tasks')
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('approval_tasks_approver_idx').on('approval_tasks').columns(['approver_id', 'status']).execute()
  await dropIndex(db, 'approval_tasks_inbox_idx', 'approval_tasks')
  await dropIndex(db, 'outbox_request_idx', 'outbox')
}

/** MySQL names the table in DROP INDEX; SQLite (also D1 and Durable Objects) refuses it. */
async function dropIndex(db: Kysely<unknown>, index: string, table: string): Promise<void> {
  const drop = db.schema.dropIndex(index)
  await (db.getExecutor().adapter instanceof MysqlAdapter ? drop.on(table) : drop).execute()
}
