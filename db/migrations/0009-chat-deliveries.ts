import type { Kysely } from 'kysely'

/**
 * Outbound chat messages the platform refused for a while (429, 5xx, no answer), kept until they go
 * out: texts, new cards and card updates, with what is needed to redo each one idempotently. A row
 * is deleted once delivered; rows that cannot be delivered stay as `failed`/`dead` for a while, for
 * the operator. Schema builder only, so both dialects (and D1/Durable Objects) get the same table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('chat_deliveries')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    /** text | card | card_update */
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    /** The platform the first attempt went to; retries stay on it. */
    .addColumn('platform', 'varchar(16)', (c) => c.notNull())
    /** Our employee id (texts and new cards). */
    .addColumn('recipient_id', 'varchar(64)')
    /** A request card (row in `cards`): re-rendered at every try, so it shows the request as it is then. */
    .addColumn('card_id', 'varchar(36)')
    /** For a card update: the platform message the card is in (a request card's row in `cards` says it too). */
    .addColumn('message_id', 'varchar(191)')
    /** The text, or the card's JSON as first tried (a card not about one request is sent as it was). */
    .addColumn('body', 'text')
    /** Sent with every try where the platform de-duplicates (Feishu's `uuid`). */
    .addColumn('idempotency_key', 'varchar(64)', (c) => c.notNull())
    /** One row per card for updates (`update:<card id>`): later changes join it instead of queueing more. */
    .addColumn('coalesce_key', 'varchar(64)', (c) => c.unique())
    /** Bumped when a later change joins the row: a try that started earlier does not settle it. */
    .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(0))
    /** pending | sending | failed (the platform refused for good) | dead (gave up after the retry window) */
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('chat_deliveries_due_idx').on('chat_deliveries').columns(['status', 'next_attempt_at']).execute()
}

/** Its indexes go with the table. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('chat_deliveries').ifExists().execute()
}
