import type { SqlDialectName } from '../db/connect.js'
import type { Kysely } from 'kysely'
import type { Schema } from '../db/schema.js'
import { ErpAdminService } from './admin/erp-admin-service.js'
import type { LedgerAdapter } from './adapters/ledger/ledger-adapter.js'
import { ConfiguredErp } from './connections/configured-erp.js'
import { ErpConnectionStore } from './connections/erp-connection-store.js'
import type { SecretBox } from './connections/secret-box.js'
import type { ErpAdapter } from './erp-adapter.js'
import { fixedTarget, type ErpTargetSource } from './erp-target.js'
import { MappingStore } from './mapping/mapping-store.js'
import { OutboxWorker, type OutboxWorkerOptions, type PostingListener } from './outbox-worker.js'

export interface ErpBridgeOptions {
  db: Kysely<Schema>
  dialect: SqlDialectName
  ledger: LedgerAdapter
  listener: PostingListener
  /** Seals stored ERP secrets; without it, connections that have secrets cannot be saved or used. */
  secrets: SecretBox | null
  /** A fixed adapter instead of the configured connection (tests, benchmarks). */
  erp?: ErpAdapter
  now?: () => number
  worker?: Pick<OutboxWorkerOptions, 'pollMs' | 'batchSize' | 'concurrency' | 'leaseMs' | 'giveUpAfterMs' | 'maxAttempts' | 'baseBackoffMs' | 'maxBackoffMs' | 'reconcileAfterMs' | 'withinRow'>
  log?: (message: string) => void
  /** Wraps the ERP the worker posts through (the server's metrics and logs: server/observe/observed-erp.ts). */
  observeTarget?: (target: ErpTargetSource) => ErpTargetSource
}

export interface ErpBridge {
  /** The ERP postings go to now. */
  target: ErpTargetSource
  connections: ErpConnectionStore
  mappings: MappingStore
  worker: OutboxWorker
  admin: ErpAdminService
}

/** The ERP side wired once: configured connection (or a fixed adapter), mappings, outbox worker, admin service. */
export function createErpBridge(options: ErpBridgeOptions): ErpBridge {
  const { db, now } = options
  const mappings = new MappingStore(db, now)
  const connections = new ErpConnectionStore(db, options.secrets, now)
  const target = options.erp ? fixedTarget(options.erp, options.erp.mappingPolicy) : new ConfiguredErp(db, connections, mappings, options.ledger).current
  const worker = new OutboxWorker({ db, dialect: options.dialect, erp: options.observeTarget?.(target) ?? target, listener: options.listener, now, log: options.log, ...options.worker })
  const admin = new ErpAdminService({ db, connections, mappings, target, kick: () => worker.kick(), now })
  return { target, connections, mappings, worker, admin }
}
