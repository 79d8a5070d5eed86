import type { Kysely } from 'kysely'
import type { Schema } from '../db/schema.js'
import type { Log } from './logging/log.js'
import type { AppMetrics } from './metrics/app-metrics.js'
import { enforceRetention, type RetentionPolicy, type RetentionReport } from './retention/retention.js'

export interface MaintenanceDeps {
  db: Kysely<Schema>
  retention: RetentionPolicy
  now: () => number
  log: Log
  metrics?: AppMetrics
}

/**
 * One maintenance pass: the retention policy enforced (old event ids, dialogues, transcript and,
 * past its minimum, the audit log's oldest rows). The Node entry runs it every
 * MAINTENANCE_INTERVAL_MS, a Workers deployment from its cron, an operator with `npm run maintenance`.
 */
export async function runMaintenance(deps: MaintenanceDeps): Promise<RetentionReport> {
  const started = deps.now()
  const report = await enforceRetention(deps.db, deps.retention, started)
  for (const [table, rows] of Object.entries(report)) if (rows > 0) deps.metrics?.retentionDeleted.inc({ table }, rows)
  deps.metrics?.maintenanceLastRun.set({}, Math.round(deps.now() / 1000))
  const removed = Object.entries(report).filter(([, rows]) => rows > 0)
  deps.log(`maintenance: retention enforced${removed.length ? `, removed ${removed.map(([t, n]) => `${n} ${t}`).join(', ')}` : ', nothing to remove'}`, { ...report })
  return report
}
