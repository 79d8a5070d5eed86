import type { Kysely } from 'kysely'

/**
 * Receipts: the files employees send the bot (stored outside the database, described here), what
 * was read from them, and the admin's settings (company tax ids, pilot departments). Schema builder only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('attachments')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    /** Who sent it; until it is linked to a request only this person may see it. */
    .addColumn('owner_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('request_id', 'varchar(36)')
    .addColumn('platform', 'varchar(16)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('mime_type', 'varchar(100)', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    /** SHA-256 of the bytes: the same photo sent by two people is the same receipt. */
    .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
    .addColumn('storage_key', 'varchar(255)', (c) => c.notNull())
    /** invoice: fields read from it; manual: stored, someone has to type what it says. */
    .addColumn('reading', 'varchar(16)', (c) => c.notNull())
    .addColumn('reading_note', 'varchar(500)')
    /** JSON of the invoice read from the file. */
    .addColumn('invoice', 'text')
    .addColumn('invoice_key', 'varchar(64)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('linked_at', 'bigint')
    .execute()
  await db.schema.createIndex('attachments_request_idx').on('attachments').column('request_id').execute()
  await db.schema.createIndex('attachments_owner_idx').on('attachments').columns(['owner_id', 'created_at']).execute()
  await db.schema.createIndex('attachments_sha256_idx').on('attachments').column('sha256').execute()
  await db.schema.createIndex('attachments_invoice_key_idx').on('attachments').column('invoice_key').execute()

  await db.schema
    .createTable('app_settings')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    /** JSON of the setting's value. */
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'varchar(64)')
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('app_settings').ifExists().execute()
  await db.schema.dropTable('attachments').ifExists().execute()
}
