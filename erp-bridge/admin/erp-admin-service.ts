import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { inTransaction } from '../../db/transaction.js'
import { appendAudit } from '../../workflow/audit.js'
import { EXPENSE_CATEGORY_LABELS, REQUEST_TYPES } from '../../workflow/request-types.js'
import { ADAPTER_KINDS, adapterKind } from '../connections/adapter-kinds.js'
import type { ErpConnectionInput, ErpConnectionStore, ErpConnectionView } from '../connections/erp-connection-store.js'
import { ErpError } from '../erp-adapter.js'
import type { ErpTargetSource } from '../erp-target.js'
import { checkMappings, type MappingCheckReport } from '../mapping/mapping-check.js'
import { localKeyResolver, parseMappingCsv } from '../mapping/mapping-csv.js'
import { MAPPING_KINDS, type MappingKind } from '../mapping/mapping-kinds.js'
import type { MappingEntry, MappingStore } from '../mapping/mapping-store.js'
import { POSTING_RETRIED, type OutboxStatus } from '../outbox-claim.js'

/** Rows an admin has to look at: refused by the ERP, out of retries, or not known to have landed. */
export const PROBLEM_STATUSES = ['failed', 'dead', 'unknown'] as const satisfies readonly OutboxStatus[]
export type ProblemStatus = (typeof PROBLEM_STATUSES)[number]

export interface PostingRow {
  id: string
  requestNo: string
  requestType: string
  requestTypeLabel: string
  requester: string
  status: OutboxStatus
  attempts: number
  /** What went wrong, in words (first line of the stored error). */
  reason: string | null
  /** The technical detail behind it (ERP message, HTTP status), for whoever fixes it. */
  detail: string | null
  documentNo: string | null
  nextAttemptAt: number
  updatedAt: number
}

export interface ConnectionTestResult {
  ok: boolean
  detail: string
  durationMs: number
}

export interface ErpAdminDeps {
  db: Kysely<Schema>
  connections: ErpConnectionStore
  mappings: MappingStore
  target: ErpTargetSource
  /** Wake the outbox worker after a retry. */
  kick: () => void
  now?: () => number
  /** How long a connection test may take before it counts as failed. */
  testTimeoutMs?: number
}

/**
 * What finance and admins do with the ERP bridge: connect and test an ERP, see postings that need
 * a person, retry or cancel them, and keep the master-data mappings complete. Every change is
 * written to the audit log with who did it.
 */
export class ErpAdminService {
  private readonly now: () => number

  constructor(private readonly deps: ErpAdminDeps) {
    this.now = deps.now ?? Date.now
  }

  adapterKinds(): { id: string; label: string; secretFields: readonly string[] }[] {
    return Object.values(ADAPTER_KINDS).map(({ id, label, secretFields }) => ({ id, label, secretFields }))
  }

  connections(): Promise<ErpConnectionView[]> {
    return this.deps.connections.list()
  }

  async saveConnection(input: ErpConnectionInput, actorId: string): Promise<ErpConnectionView> {
    // Refuse settings that would not even build an adapter, before they are stored.
    await adapterKind(input.adapter).create(await this.deps.connections.merged(input), { db: this.deps.db, mappings: this.deps.mappings })
    const saved = await this.deps.connections.save(input)
    await this.audit(actorId, 'erp.connection.saved', 'erp_connection', saved.id, { name: saved.name, adapter: saved.adapter, settings: saved.settings })
    return saved
  }

  async activateConnection(id: string | null, actorId: string): Promise<void> {
    await this.deps.connections.activate(id)
    await this.audit(actorId, 'erp.connection.activated', 'erp_connection', id ?? 'ledger', { active: id ?? 'ledger' })
    this.deps.kick()
  }

  async removeConnection(id: string, actorId: string): Promise<void> {
    await this.deps.connections.remove(id)
    await this.audit(actorId, 'erp.connection.removed', 'erp_connection', id, null)
  }

  /** Tests a stored connection (`id`), unsaved settings (`input`), or the one postings go to now (neither). */
  async testConnection(request: { id?: string; input?: ErpConnectionInput }): Promise<ConnectionTestResult> {
    const started = performance.now()
    const result = await this.runTest(request).then(
      (detail) => ({ ok: true, detail }),
      (error: unknown) => ({ ok: false, detail: error instanceof ErpError ? error.message : `连接测试出错：${String(error)}` }),
    )
    const id = request.id ?? request.input?.id
    if (id && !request.input) await this.deps.connections.recordTest(id, result.ok, result.detail)
    return { ...result, durationMs: Math.round(performance.now() - started) }
  }

  private async runTest(request: { id?: string; input?: ErpConnectionInput }): Promise<string> {
    const deps = { db: this.deps.db, mappings: this.deps.mappings }
    let adapter
    if (request.input) {
      adapter = (await adapterKind(request.input.adapter).create(await this.deps.connections.merged(request.input), deps)).adapter
    } else if (request.id) {
      const { adapter: kind, settings } = await this.deps.connections.fullSettings(request.id)
      adapter = (await adapterKind(kind).create(settings, deps)).adapter
    } else {
      adapter = (await this.deps.target()).adapter
    }
    const timeoutMs = this.deps.testTimeoutMs ?? 20_000
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ErpError('transient', `ERP 在 ${timeoutMs / 1000} 秒内没有应答。The ERP did not answer in time.`)), timeoutMs)
    })
    try {
      return (await Promise.race([adapter.testConnection(), timeout])).detail
    } finally {
      clearTimeout(timer)
    }
  }

  /** Counts per outbox status, for the dashboard. */
  async postingCounts(): Promise<Record<string, number>> {
    const rows = await this.deps.db.selectFrom('outbox').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute()
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))
  }

  /** Postings that need a person (failed, dead, unknown by default), newest first. */
  async postings(options: { statuses?: readonly OutboxStatus[]; limit?: number } = {}): Promise<PostingRow[]> {
    const rows = await this.deps.db
      .selectFrom('outbox')
      .innerJoin('requests', 'requests.id', 'outbox.request_id')
      .innerJoin('users', 'users.id', 'requests.requester_id')
      .select([
        'outbox.id', 'outbox.status', 'outbox.attempts', 'outbox.last_error', 'outbox.document_no', 'outbox.next_attempt_at', 'outbox.updated_at',
        'requests.request_no', 'requests.type', 'users.name as requester',
      ])
      .where('outbox.status', 'in', [...(options.statuses ?? PROBLEM_STATUSES)])
      .orderBy('outbox.updated_at', 'desc')
      .limit(Math.min(options.limit ?? 100, 500))
      .execute()
    return rows.map((r) => {
      const [reason, ...detail] = (r.last_error ?? '').split('\n')
      return {
        id: r.id,
        requestNo: r.request_no ?? '',
        requestType: r.type,
        requestTypeLabel: (REQUEST_TYPES as Record<string, { label: string }>)[r.type]?.label ?? r.type,
        requester: r.requester,
        status: r.status as OutboxStatus,
        attempts: Number(r.attempts),
        reason: reason || null,
        detail: detail.join('\n') || null,
        documentNo: r.document_no,
        nextAttemptAt: Number(r.next_attempt_at),
        updatedAt: Number(r.updated_at),
      }
    })
  }

  /**
   * Sends a failed, dead or cancelled posting again, with a fresh set of attempts. A row that was
   * ever sent goes back as `unknown`, so the worker asks the ERP for the key before posting, and
   * not before the time the worker set for that lookup: a call that timed out may still be on its
   * way into the ERP, and a lookup that missed it would post a second document.
   */
  async retry(outboxId: string, actorId: string): Promise<void> {
    const now = this.now()
    await this.transition(outboxId, actorId, POSTING_RETRIED, ['failed', 'dead', 'cancelled', 'unknown'], (row) =>
      row.attempts > 0 ? { status: 'unknown', attempts: 0, next_attempt_at: Math.max(now, row.nextAttemptAt) } : { status: 'pending', attempts: 0, next_attempt_at: now },
    )
    this.deps.kick()
  }

  /**
   * Gives up on a posting that was handled outside the bridge. Not for `unknown` rows: one of
   * those may be in the ERP, so it is retried (which reconciles) rather than forgotten.
   */
  async cancel(outboxId: string, actorId: string, note?: string): Promise<void> {
    await this.transition(outboxId, actorId, 'erp.posting.cancelled', ['failed', 'dead'], () => ({ status: 'cancelled' }), note)
  }

  private async transition(
    outboxId: string,
    actorId: string,
    action: string,
    from: readonly OutboxStatus[],
    change: (row: { attempts: number; nextAttemptAt: number }) => { status: OutboxStatus; attempts?: number; next_attempt_at?: number },
    note?: string,
  ): Promise<void> {
    await inTransaction(this.deps.db, async (trx) => {
      const row = await trx.selectFrom('outbox').select(['id', 'status', 'attempts', 'next_attempt_at', 'request_id']).where('id', '=', outboxId).executeTakeFirst()
      if (!row) throw new ErpError('permanent', '找不到该入账记录。No such posting.', outboxId)
      if (!from.includes(row.status as OutboxStatus)) {
        throw new ErpError('permanent', `该入账记录当前状态为「${STATUS_LABELS[row.status as OutboxStatus] ?? row.status}」，不能进行此操作。Not allowed in status ${row.status}.`)
      }
      const next = change({ attempts: Number(row.attempts), nextAttemptAt: Number(row.next_attempt_at) })
      const now = this.now()
      // Conditional on the status read above: a worker or another admin acting at the same moment wins, not both.
      const updated = await trx
        .updateTable('outbox')
        .set({ ...next, locked_until: null, updated_at: now })
        .where('id', '=', outboxId)
        .where('status', '=', row.status)
        .executeTakeFirst()
      if (Number(updated.numUpdatedRows) !== 1) throw new ErpError('permanent', '该入账记录刚被其他人处理过，请刷新。The posting changed meanwhile; reload.')
      await appendAudit(trx, {
        at: now,
        actorId,
        action,
        entityType: 'outbox',
        entityId: outboxId,
        before: { status: row.status, attempts: Number(row.attempts) },
        after: { status: next.status, ...(note ? { note } : {}) },
      })
    })
  }

  // ---- mappings ----

  /** Mappings with the name of what is mapped, for display. */
  async mappingList(kind?: MappingKind): Promise<(MappingEntry & { localLabel: string })[]> {
    const entries = await this.deps.mappings.list(kind)
    const users = new Map((await this.deps.db.selectFrom('users').select(['id', 'name', 'employee_no']).execute()).map((u) => [u.id, `${u.name}（${u.employee_no}）`]))
    const departments = new Map((await this.deps.db.selectFrom('departments').select(['id', 'name']).execute()).map((d) => [d.id, d.name]))
    const categories: Record<string, string> = EXPENSE_CATEGORY_LABELS
    return entries.map((entry) => ({
      ...entry,
      localLabel:
        (entry.kind === 'employee' ? users.get(entry.localKey) : entry.kind === 'department' ? departments.get(entry.localKey) : entry.kind === 'expense_category' ? categories[entry.localKey] : entry.localKey) ??
        entry.localKey,
    }))
  }

  /**
   * Keys are stored as postings look them up, however they were written (工号 or a name for an
   * employee, a department's name, 差旅费 for a category, an item in any case and spacing), as the
   * CSV import stores them; a key that names nobody is refused, not saved to match nothing.
   */
  async saveMappings(entries: readonly Omit<MappingEntry, 'updatedAt'>[], actorId: string): Promise<void> {
    const resolve = await localKeyResolver(this.deps.db)
    const resolved = entries.map((entry) => {
      if (!entry.erpCode.trim()) throw new ErpError('permanent', `${MAPPING_KINDS[entry.kind].local} ${entry.localKey} 的 ERP 编码为空。Empty ERP code.`)
      const key = resolve(entry.kind, entry.localKey.trim())
      if ('error' in key) throw new ErpError('permanent', `${key.error}。Unknown ${entry.kind}: ${entry.localKey}`)
      return { ...entry, localKey: key.localKey, erpCode: entry.erpCode.trim() }
    })
    await this.saveResolved(resolved, actorId)
  }

  /** Entries whose keys are already stored as postings look them up (saveMappings, or the CSV import's parse). */
  private async saveResolved(resolved: readonly Omit<MappingEntry, 'updatedAt'>[], actorId: string): Promise<void> {
    // One audit row per mapping changed, with its code before and after: a batch summary hid both.
    await this.deps.mappings.save(resolved, async (trx, changes) => {
      for (const change of changes) {
        await appendAudit(trx, { at: this.now(), actorId, action: 'erp.mappings.saved', entityType: 'erp_mapping', entityId: `${change.kind}:${change.localKey}`, before: change.before ?? undefined, after: change.after })
      }
    })
  }

  async removeMapping(kind: MappingKind, localKey: string, actorId: string): Promise<boolean> {
    const removed = await this.deps.mappings.remove(kind, localKey)
    if (removed) await this.audit(actorId, 'erp.mappings.removed', 'erp_mapping', `${kind}:${localKey}`, null)
    return removed
  }

  /** All rows or none: a file with any error changes nothing, and says which lines to fix. */
  async importMappingsCsv(text: string, actorId: string, options: { kind?: MappingKind; dryRun?: boolean } = {}): Promise<{ imported: number; errors: string[] }> {
    const { entries, errors } = await parseMappingCsv(this.deps.db, text, options.kind)
    if (errors.length > 0 || options.dryRun) return { imported: errors.length ? 0 : entries.length, errors }
    // parseMappingCsv already resolved every key and checked every code.
    await this.saveResolved(entries, actorId)
    return { imported: entries.length, errors: [] }
  }

  /** The `npm run erp:check` dry run, for the configured ERP. */
  async check(): Promise<MappingCheckReport> {
    return checkMappings(this.deps.db, this.deps.mappings, await this.deps.target())
  }

  private async audit(actorId: string, action: string, entityType: string, entityId: string, after: unknown): Promise<void> {
    await inTransaction(this.deps.db, (trx) => appendAudit(trx, { at: this.now(), actorId, action, entityType, entityId, after: after ?? undefined }))
  }
}

export const STATUS_LABELS: Record<OutboxStatus, string> = {
  pending: '待入账',
  sending: '入账中',
  posted: '已入账',
  failed: '入账失败',
  unknown: '待核对',
  dead: '已停止重试',
  cancelled: '已取消',
}
