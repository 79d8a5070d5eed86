import type { Kysely, Transaction } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { inTransaction } from '../../db/transaction.js'
import type { MappingKind, MappingRef } from './mapping-kinds.js'

export interface MappingEntry {
  kind: MappingKind
  localKey: string
  erpCode: string
  /** The ERP's name for the code, as the admin entered it; shown next to the code. */
  erpName: string | null
  updatedAt: number
}

const keyOf = (kind: string, localKey: string) => `${kind}\u0000${localKey}`

/** One mapping a save changed: what it was (null when new) and what it is now. */
export interface MappingChange {
  kind: MappingKind
  localKey: string
  before: { erpCode: string; erpName: string | null } | null
  after: { erpCode: string; erpName: string | null }
}

/** The mapping tables: one row per piece of our master data that has a code in the ERP. */
export class MappingStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly now: () => number = Date.now,
  ) {}

  async list(kind?: MappingKind): Promise<MappingEntry[]> {
    let query = this.db.selectFrom('erp_mappings').selectAll().orderBy('kind').orderBy('local_key')
    if (kind) query = query.where('kind', '=', kind)
    const rows = await query.execute()
    return rows.map((r) => ({ kind: r.kind as MappingKind, localKey: r.local_key, erpCode: r.erp_code, erpName: r.erp_name, updatedAt: Number(r.updated_at) }))
  }

  /**
   * Writes all entries or none (a CSV import is one change). Entries that change nothing are left
   * alone; `record` gets the changes inside the same transaction, so they are audited with the write.
   */
  async save(entries: readonly Omit<MappingEntry, 'updatedAt'>[], record?: (trx: Transaction<Schema>, changes: MappingChange[]) => Promise<void>): Promise<void> {
    if (entries.length === 0) return
    const now = this.now()
    await inTransaction(this.db, async (trx) => {
      // What is stored now, in a few queries; kept current as entries are written, so a key given twice is updated the second time.
      const stored = await storedMappings(trx, entries)
      const changes: MappingChange[] = []
      for (const entry of entries) {
        const key = keyOf(entry.kind, entry.localKey)
        const after = { erpCode: entry.erpCode, erpName: entry.erpName }
        const row = stored.get(key)
        if (row && row.erpCode === after.erpCode && row.erpName === after.erpName) continue
        if (row) {
          await trx.updateTable('erp_mappings').set({ erp_code: after.erpCode, erp_name: after.erpName, updated_at: now }).where('kind', '=', entry.kind).where('local_key', '=', entry.localKey).execute()
        } else {
          await trx.insertInto('erp_mappings').values({ kind: entry.kind, local_key: entry.localKey, erp_code: after.erpCode, erp_name: after.erpName, updated_at: now }).execute()
        }
        stored.set(key, after)
        changes.push({ kind: entry.kind, localKey: entry.localKey, before: row ?? null, after })
      }
      await record?.(trx, changes)
    })
  }

  async remove(kind: MappingKind, localKey: string): Promise<boolean> {
    const result = await this.db.deleteFrom('erp_mappings').where('kind', '=', kind).where('local_key', '=', localKey).executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  }

  /**
   * The ERP codes of these refs, keyed by `codeKey(ref)`: one `local_key IN (...)` query per kind
   * and chunk of keys, so a dry run over a whole org (thousands of refs) stays within what SQLite
   * and MariaDB accept in one statement, where one OR term per ref would not.
   */
  async codesOf(refs: readonly MappingRef[]): Promise<Map<string, string>> {
    return new Map([...(await storedMappings(this.db, refs))].map(([key, row]) => [key, row.erpCode]))
  }
}

/**
 * The stored mappings of these refs, keyed by `keyOf`: one `local_key IN (...)` query per kind and
 * chunk of keys, so thousands of refs stay within what SQLite and MariaDB accept in one statement,
 * where one OR term per ref would not.
 */
async function storedMappings(db: Kysely<Schema>, refs: readonly Pick<MappingRef, 'kind' | 'localKey'>[]): Promise<Map<string, { erpCode: string; erpName: string | null }>> {
  const stored = new Map<string, { erpCode: string; erpName: string | null }>()
  for (const [kind, keys] of keysByKind(refs)) {
    for (let start = 0; start < keys.length; start += KEYS_PER_QUERY) {
      const rows = await db
        .selectFrom('erp_mappings')
        .select(['local_key', 'erp_code', 'erp_name'])
        .where('kind', '=', kind)
        .where('local_key', 'in', keys.slice(start, start + KEYS_PER_QUERY))
        .execute()
      for (const row of rows) stored.set(keyOf(kind, row.local_key), { erpCode: row.erp_code, erpName: row.erp_name })
    }
  }
  return stored
}

/** Keys per query: far below SQLite's expression depth and bound-variable limits. */
const KEYS_PER_QUERY = 500

function keysByKind(refs: readonly Pick<MappingRef, 'kind' | 'localKey'>[]): Map<MappingKind, string[]> {
  const keys = new Map<MappingKind, Set<string>>()
  for (const ref of refs) keys.set(ref.kind, (keys.get(ref.kind) ?? new Set<string>()).add(ref.localKey))
  return new Map([...keys].map(([kind, set]) => [kind, [...set]]))
}

export function codeKey(ref: Pick<MappingRef, 'kind' | 'localKey'>): string {
  return keyOf(ref.kind, ref.localKey)
}
