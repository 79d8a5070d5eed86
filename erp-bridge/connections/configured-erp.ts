import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import type { LedgerAdapter } from '../adapters/ledger/ledger-adapter.js'
import type { ErpTarget } from '../erp-target.js'
import type { MappingKind } from '../mapping/mapping-kinds.js'
import type { MappingStore } from '../mapping/mapping-store.js'
import { adapterKind } from './adapter-kinds.js'
import type { ErpConnectionStore } from './erp-connection-store.js'

/**
 * The ERP the admin connected, built from the active erp_connections row (the built-in ledger
 * when none is active). Asked before every outbox batch: one small query, and the adapter is
 * rebuilt only when the connection (or, for adapters built from them, the mappings) changed, so
 * a change made in the admin app reaches every worker process without a restart.
 */
export class ConfiguredErp {
  private cached: { stamp: string; target: ErpTarget } | undefined

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly connections: ErpConnectionStore,
    private readonly mappings: MappingStore,
    private readonly ledger: LedgerAdapter,
  ) {}

  readonly current = async (): Promise<ErpTarget> => {
    const active = await this.db.selectFrom('erp_connections').select(['id', 'adapter', 'settings', 'secrets']).where('active', '=', 1).executeTakeFirst()
    if (!active) return { adapter: this.ledger, policy: this.ledger.mappingPolicy }
    const kind = adapterKind(active.adapter)
    // The stored settings themselves, not a timestamp: two saves within one millisecond still differ.
    const stamp = JSON.stringify([active.id, active.adapter, active.settings, active.secrets, kind.readsMappings.length ? await this.mappingsRead(kind.readsMappings) : null])
    if (this.cached?.stamp !== stamp) {
      const { settings } = await this.connections.fullSettings(active.id)
      this.cached = { stamp, target: await kind.create(settings, { db: this.db, mappings: this.mappings }) }
    }
    return this.cached.target
  }

  private async mappingsRead(kinds: readonly MappingKind[]): Promise<string> {
    const rows = await this.db.selectFrom('erp_mappings').select(['kind', 'local_key', 'erp_code']).where('kind', 'in', [...kinds]).orderBy('kind').orderBy('local_key').execute()
    return JSON.stringify(rows)
  }
}
