import type { Kysely } from 'kysely'

/** Written with the schema builder only, so MySQL/MariaDB and SQLite get tables of the same meaning. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('departments')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('parent_id', 'varchar(64)')
    .addColumn('head_user_id', 'varchar(64)')
    .addColumn('cost_center', 'varchar(64)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('users')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('employee_no', 'varchar(32)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('department_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('manager_id', 'varchar(64)')
    .addColumn('title', 'varchar(100)')
    .addColumn('level', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('roles', 'varchar(500)', (c) => c.notNull())
    .addColumn('mobile', 'varchar(32)')
    .addColumn('email', 'varchar(200)')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('user_identities')
    .addColumn('platform', 'varchar(16)', (c) => c.notNull())
    .addColumn('external_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_identities_pk', ['platform', 'external_id'])
    .execute()

  await db.schema
    .createTable('requests')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('request_no', 'varchar(32)', (c) => c.unique())
    .addColumn('type', 'varchar(32)', (c) => c.notNull())
    .addColumn('requester_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('title', 'varchar(200)', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('current_step', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('submitted_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute()
  await db.schema.createIndex('requests_requester_idx').on('requests').columns(['requester_id', 'created_at']).execute()

  await db.schema
    .createTable('approval_tasks')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('request_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('step', 'integer', (c) => c.notNull())
    .addColumn('approver_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('decided_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('approval_tasks_request_idx').on('approval_tasks').columns(['request_id', 'step']).execute()
  await db.schema.createIndex('approval_tasks_approver_idx').on('approval_tasks').columns(['approver_id', 'status']).execute()

  await db.schema
    .createTable('counters')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('cards')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('request_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('recipient_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('audience', 'varchar(16)', (c) => c.notNull())
    .addColumn('platform', 'varchar(16)', (c) => c.notNull())
    .addColumn('message_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('cards_request_idx').on('cards').column('request_id').execute()

  await db.schema
    .createTable('conversations')
    .addColumn('user_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('inbound_events')
    .addColumn('platform', 'varchar(16)', (c) => c.notNull())
    .addColumn('event_id', 'varchar(191)', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('inbound_events_pk', ['platform', 'event_id'])
    .execute()

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor_id', 'varchar(64)')
    .addColumn('action', 'varchar(64)', (c) => c.notNull())
    .addColumn('entity_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('entity_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('before_state', 'text')
    .addColumn('after_state', 'text')
    .execute()
  await db.schema.createIndex('audit_log_entity_idx').on('audit_log').columns(['entity_type', 'entity_id']).execute()

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('request_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('action_kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('idempotency_key', 'varchar(128)', (c) => c.notNull().unique())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('document_no', 'varchar(64)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('outbox_due_idx').on('outbox').columns(['status', 'next_attempt_at']).execute()

  await db.schema
    .createTable('ledger_accounts')
    .addColumn('code', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('ledger_vouchers')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('voucher_no', 'varchar(32)', (c) => c.notNull().unique())
    .addColumn('external_key', 'varchar(128)', (c) => c.notNull().unique())
    .addColumn('request_no', 'varchar(32)', (c) => c.notNull())
    .addColumn('voucher_date', 'varchar(10)', (c) => c.notNull())
    .addColumn('memo', 'varchar(500)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('ledger_lines')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('voucher_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('account_code', 'varchar(32)', (c) => c.notNull())
    .addColumn('partner', 'varchar(100)')
    .addColumn('debit_fen', 'bigint', (c) => c.notNull())
    .addColumn('credit_fen', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('ledger_lines_voucher_idx').on('ledger_lines').column('voucher_id').execute()

  await db.schema
    .createTable('sim_messages')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('direction', 'varchar(8)', (c) => c.notNull())
    .addColumn('text', 'text')
    .addColumn('card', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('sim_messages_user_idx').on('sim_messages').columns(['user_id', 'id']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'sim_messages', 'ledger_lines', 'ledger_vouchers', 'ledger_accounts', 'outbox', 'audit_log',
    'inbound_events', 'conversations', 'cards', 'counters', 'approval_tasks', 'requests',
    'user_identities', 'users', 'departments',
  ]) {
    await db.schema.dropTable(table).ifExists().execute()
  }
}
