/**
 * The webhook fake ERP as a process of its own, so a benchmark's workers do not share a CPU with
 * "the ERP". Settings from the environment (ERP_SECRET, ERP_LATENCY_MS, ERP_DEDUPE=0|1); prints
 * `{"url": …}` once listening; answers an IPC "stats" message with its counts.
 */
import { startWebhookErp } from './webhook-erp.js'

const erp = await startWebhookErp({
  secret: process.env.ERP_SECRET ?? '',
  latencyMs: Number(process.env.ERP_LATENCY_MS ?? 0),
  dedupe: process.env.ERP_DEDUPE !== '0',
})
process.on('message', (message) => {
  if (message === 'stats') process.send?.({ documents: erp.documents.length, duplicates: erp.duplicates().length, lookups: erp.lookups })
})
process.on('disconnect', () => void erp.close().then(() => process.exit(0)))
console.log(JSON.stringify({ url: erp.url }))
