import type { Kysely } from 'kysely'

/**
 * The ERP bridge's own tables: the configured ERP connection (secrets encrypted at rest), the
 * master-data mappings from our codes to the ERP's, and the built-in ledger's register of
 * non-accounting documents. Schema builder only, so both dialects get the same tables.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('erp_connections')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('adapter', 'varchar(32)', (c) => c.notNull())
    /** JSON of the adapter's settings without secrets. */
    .addColumn('settings', 'text', (c) => c.notNull())
    /** AES-GCM sealed JSON of the secret settings (passwords, signing keys). */
    .addColumn('secrets', 'text')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_tested_at', 'bigint')
    .addColumn('last_test_ok', 'integer')
    .addColumn('last_test_detail', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('erp_mappings')
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('local_key', 'varchar(191)', (c) => c.notNull())
    .addColumn('erp_code', 'varchar(128)', (c) => c.notNull())
    .addColumn('erp_name', 'varchar(200)')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('erp_mappings_pk', ['kind', 'local_key'])
    .execute()

  await db.schema
    .createTable('ledger_documents')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('document_no', 'varchar(32)', (c) => c.notNull().unique())
    .addColumn('external_key', 'varchar(128)', (c) => c.notNull().unique())
    .addColumn('request_no', 'varchar(32)', (c) => c.notNull())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('document_date', 'varchar(10)', (c) => c.notNull())
    /** JSON of what the document records (items, budget, employee change...). */
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema.alterTable('ledger_lines').addColumn('cost_center', 'varchar(64)').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('ledger_lines').dropColumn('cost_center').execute()
  for (const table of ['ledger_documents', 'erp_mappings', 'erp_connections']) {
    await db.schema.dropTable(table).ifExists().execute()
  }
}
