import type { Kysely } from 'kysely'
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

  /** Writes all entries or none (a CSV import is one change). */
  async save(entries: readonly Omit<MappingEntry, 'updatedAt'>[]): Promise<void> {
    if (entries.length === 0) return
    const now = this.now()
    await inTransaction(this.db, async (trx) => {
      for (const entry of entries) {
        const updated = await trx
          .updateTable('erp_mappings')
          .set({ erp_code: entry.erpCode, erp_name: entry.erpName, updated_at: now })
          .where('kind', '=', entry.kind)
          .where('local_key', '=', entry.localKey)
          .executeTakeFirst()
        if (Number(updated.numUpdatedRows) === 0) {
          await trx
            .insertInto('erp_mappings')
            .values({ kind: entry.kind, local_key: entry.localKey, erp_code: entry.erpCode, erp_name: entry.erpName, updated_at: now })
            .execute()
        }
      }
    })
  }

  async remove(kind: MappingKind, localKey: string): Promise<boolean> {
    const result = await this.db.deleteFrom('erp_mappings').where('kind', '=', kind).where('local_key', '=', localKey).executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  }

  /** The ERP codes of these refs, keyed by `codeKey(ref)`; one query however many refs. */
  async codesOf(refs: readonly MappingRef[]): Promise<Map<string, string>> {
    if (refs.length === 0) return new Map()
    const rows = await this.db
      .selectFrom('erp_mappings')
      .select(['kind', 'local_key', 'erp_code'])
      .where((eb) => eb.or(refs.map((ref) => eb.and([eb('kind', '=', ref.kind), eb('local_key', '=', ref.localKey)]))))
      .execute()
    return new Map(rows.map((r) => [keyOf(r.kind, r.local_key), r.erp_code]))
  }
}

export function codeKey(ref: Pick<MappingRef, 'kind' | 'localKey'>): string {
  return keyOf(ref.kind, ref.localKey)
}
