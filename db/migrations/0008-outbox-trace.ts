import type { Kysely } from 'kysely'

/**
 * The request id (x-request-id) of the callback that approved the request, kept with its posting,
 * so the ERP posting logs under it whichever process drains the row and whenever: another outbox
 * worker, this one after a restart, the Workers cron (README, "Logs"). Nullable: rows written
 * outside a callback (approval timers) and by an older release have none.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('trace_id', 'varchar(255)').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox').dropColumn('trace_id').execute()
}
