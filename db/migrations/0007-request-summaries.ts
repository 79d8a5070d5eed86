import type { Kysely } from 'kysely'

/**
 * The LLM's short summary of a long request, for approvers. Display only: nothing reads it but the
 * card. Kept with the digest of the text it summarises, so an edited request never shows a stale one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('request_summaries')
    .addColumn('request_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('summary', 'varchar(255)', (c) => c.notNull())
    /** SHA-256 (hex) of the text the summary was made from. */
    .addColumn('text_sha256', 'varchar(64)', (c) => c.notNull())
    /** The model that wrote it. */
    .addColumn('model', 'varchar(100)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('request_summaries').ifExists().execute()
}
