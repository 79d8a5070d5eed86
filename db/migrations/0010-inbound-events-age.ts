import type { Kysely } from 'kysely'

/**
 * The retention job removes event ids by age (8 days) every hour. Without this index each run read
 * the whole table, and on MariaDB a DELETE that scans locks every row it reads, so the dedupe
 * writes of every callback waited behind it. received_at only grows: new entries land at the
 * index's end, cheap for the ack path.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('inbound_events_received_idx').on('inbound_events').column('received_at').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('inbound_events_received_idx').on('inbound_events').execute()
}
