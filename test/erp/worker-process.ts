/**
 * One outbox worker as its own OS process, for the crash tests: it opens DATABASE_URL, posts to
 * the ERP connection configured there (secrets opened with ERP_SECRET_KEY_HEX), prints "ready"
 * once it is draining, and runs until it is killed. Nothing here handles SIGKILL: that is the point.
 */
import { connectDatabase } from '../../db/connect.js'
import { LedgerAdapter } from '../../erp-bridge/adapters/ledger/ledger-adapter.js'
import { SecretBox } from '../../erp-bridge/connections/secret-box.js'
import { createErpBridge } from '../../erp-bridge/erp-bridge.js'

const database = connectDatabase(process.env.DATABASE_URL)
const secrets = await SecretBox.fromKey(Uint8Array.from(Buffer.from(process.env.ERP_SECRET_KEY_HEX ?? '', 'hex')))
const bridge = createErpBridge({
  db: database.db,
  dialect: database.dialect,
  ledger: new LedgerAdapter(database.db),
  secrets,
  listener: { posted: async () => {}, failed: async (event) => console.error(`failed ${event.requestId}: ${event.reason}`) },
  worker: { batchSize: 5, concurrency: 5, leaseMs: Number(process.env.LEASE_MS ?? 1500), pollMs: 20, baseBackoffMs: 20, maxBackoffMs: 200, maxAttempts: 1000 },
  log: (message) => console.error(message),
})
bridge.worker.start()
console.log('ready')
