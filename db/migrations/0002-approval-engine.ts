import type { Kysely } from 'kysely'

/**
 * The approval engine: versioned flow templates, richer tasks (rounds, delegation, timers), the
 * hash-chained audit log, delegations, policies, invoice index and comments. Schema builder only.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('flow_templates')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('type', 'varchar(32)', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'varchar(64)')
    .execute()
  await db.schema.createIndex('flow_templates_type_version_uq').on('flow_templates').columns(['type', 'version']).unique().execute()

  // SQLite adds one column per ALTER TABLE.
  const requestColumns: Array<[string, 'integer' | 'bigint' | 'text' | 'varchar(10)', boolean]> = [
    ['template_version', 'integer', false],
    ['round', 'integer', true],
    ['route_round', 'integer', true],
    ['policy_findings', 'text', false],
    ['routing_notes', 'text', false],
    ['occurred_on', 'varchar(10)', false],
    ['last_urged_at', 'bigint', false],
  ]
  for (const [name, type, zero] of requestColumns) {
    await db.schema.alterTable('requests').addColumn(name, type, (c) => (zero ? c.notNull().defaultTo(0) : c)).execute()
  }
  await db.schema.createIndex('requests_requester_occurred_idx').on('requests').columns(['requester_id', 'occurred_on']).execute()

  const taskColumns: Array<[string, 'integer' | 'bigint' | 'varchar(64)' | 'varchar(200)', boolean]> = [
    ['round', 'integer', true],
    ['delegated_from', 'varchar(64)', false],
    ['auto_reason', 'varchar(200)', false],
    ['remind_at', 'bigint', false],
    ['reminded_at', 'bigint', false],
    ['due_at', 'bigint', false],
  ]
  for (const [name, type, zero] of taskColumns) {
    await db.schema.alterTable('approval_tasks').addColumn(name, type, (c) => (zero ? c.notNull().defaultTo(0) : c)).execute()
  }
  await db.schema.createIndex('approval_tasks_due_idx').on('approval_tasks').columns(['status', 'due_at']).execute()
  await db.schema.createIndex('approval_tasks_remind_idx').on('approval_tasks').columns(['status', 'remind_at']).execute()

  await db.schema.alterTable('audit_log').addColumn('seq', 'bigint').execute()
  await db.schema.alterTable('audit_log').addColumn('prev_hash', 'varchar(64)').execute()
  await db.schema.alterTable('audit_log').addColumn('hash', 'varchar(64)').execute()
  await db.schema.createIndex('audit_log_seq_uq').on('audit_log').column('seq').unique().execute()
  // One row: the head of the chain. Appenders update it first, which serialises them.
  await db.schema
    .createTable('audit_chain')
    .addColumn('id', 'varchar(16)', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('last_hash', 'varchar(64)', (c) => c.notNull())
    .execute()
  await chainExistingAuditRows(db)

  await db.schema
    .createTable('delegations')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('principal_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('delegate_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'varchar(200)')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute()
  await db.schema.createIndex('delegations_principal_idx').on('delegations').columns(['principal_id', 'starts_at']).execute()

  await db.schema
    .createTable('policies')
    .addColumn('code', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('severity', 'varchar(8)', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('request_invoices')
    .addColumn('invoice_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('request_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('request_invoices_pk', ['invoice_key', 'request_id'])
    .execute()
  await db.schema.createIndex('request_invoices_request_idx').on('request_invoices').column('request_id').execute()

  await db.schema
    .createTable('request_comments')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('request_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('author_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('request_comments_request_idx').on('request_comments').columns(['request_id', 'at']).execute()
}

const GENESIS = '0'.repeat(64)

/**
 * Rows written before the chain existed join it in id order, so the whole log is covered. This is a
 * frozen copy of the v1 hash (workflow/audit-chain.ts): a migration must mean the same forever.
 */
async function chainExistingAuditRows(db: Kysely<any>): Promise<void> {
  const rows = (await db.selectFrom('audit_log').selectAll().orderBy('id').execute()) as Array<Record<string, unknown>>
  let prev = GENESIS
  let seq = 0
  for (const row of rows) {
    seq++
    const content = JSON.stringify([
      seq,
      Number(row.at),
      row.actor_id ?? null,
      row.action,
      row.entity_type,
      row.entity_id,
      row.before_state ?? null,
      row.after_state ?? null,
      prev,
    ])
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(content))
    const hash = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
    await db.updateTable('audit_log').set({ seq, prev_hash: prev, hash }).where('id', '=', row.id).execute()
    prev = hash
  }
  await db.insertInto('audit_chain').values({ id: 'audit', seq, last_hash: prev }).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['request_comments', 'request_invoices', 'policies', 'delegations', 'audit_chain', 'flow_templates']) {
    await db.schema.dropTable(table).ifExists().execute()
  }
  const indexes: Array<[string, string]> = [
    ['audit_log_seq_uq', 'audit_log'],
    ['approval_tasks_due_idx', 'approval_tasks'],
    ['approval_tasks_remind_idx', 'approval_tasks'],
    ['requests_requester_occurred_idx', 'requests'],
  ]
  for (const [index, table] of indexes) await db.schema.dropIndex(index).on(table).execute()
  const columns: Record<string, string[]> = {
    audit_log: ['seq', 'prev_hash', 'hash'],
    approval_tasks: ['round', 'delegated_from', 'auto_reason', 'remind_at', 'reminded_at', 'due_at'],
    requests: ['template_version', 'round', 'route_round', 'policy_findings', 'routing_notes', 'occurred_on', 'last_urged_at'],
  }
  for (const [table, names] of Object.entries(columns)) {
    for (const name of names) await db.schema.alterTable(table).dropColumn(name).execute()
  }
}
