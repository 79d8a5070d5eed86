import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { MetricsRegistry, type Gauge } from './registry.js'

/** Seconds: sub-second callback and ERP latencies up to the 30 s an outbound call may take. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
/** Seconds from submission to the final decision: minutes to a month. */
const DECISION_BUCKETS = [60, 300, 900, 3600, 4 * 3600, 8 * 3600, 86400, 3 * 86400, 7 * 86400, 30 * 86400]

/** Outbox states that still owe the ERP a document. */
const UNPOSTED = ['pending', 'sending', 'unknown'] as const
/** Chat messages a platform refused for now, still to be sent. */
const UNDELIVERED = ['pending', 'sending'] as const

/**
 * Every metric the app exports (README, "Operations runbook" lists what each one means and which
 * alert to build on it). Instruments are fed by small hooks around the modules (server/observe.ts),
 * not from inside them; the outbox figures are read from the database at scrape time.
 */
export class AppMetrics {
  readonly registry = new MetricsRegistry()

  readonly callbacks = this.registry.counter('approval_bridge_callbacks_total', 'HTTP callbacks from chat platforms, by platform, route and HTTP status', ['platform', 'route', 'status'])
  readonly callbackSeconds = this.registry.histogram('approval_bridge_callback_duration_seconds', 'Time to answer a platform callback (Feishu allows 3 s)', ['platform', 'route'], LATENCY_BUCKETS)
  readonly chatEvents = this.registry.counter('approval_bridge_chat_events_total', 'Chat lines and card taps handled, any transport (HTTP, WS, Stream), by outcome', ['platform', 'kind', 'outcome'])
  readonly chatSeconds = this.registry.histogram('approval_bridge_chat_handling_duration_seconds', 'Time to handle a chat line or card tap, replies included', ['platform', 'kind'], LATENCY_BUCKETS)
  readonly parses = this.registry.counter('approval_bridge_parses_total', 'Chat lines understood, by parse source (rules, llm) and intent', ['source', 'intent'])
  readonly llmCalls = this.registry.counter('approval_bridge_llm_calls_total', 'LLM calls, by result (ok, failed, rate_limited)', ['result'])
  readonly llmSeconds = this.registry.histogram('approval_bridge_llm_duration_seconds', 'LLM call latency', [], LATENCY_BUCKETS)
  readonly rateLimited = this.registry.counter('approval_bridge_rate_limited_total', 'Chat lines and LLM calls refused by a rate limit, by what and scope (user, tenant)', ['what', 'scope'])
  readonly workflowActions = this.registry.counter('approval_bridge_workflow_actions_total', 'Workflow actions, by action and outcome (approved, rejected, advanced, recorded, ...)', ['action', 'outcome'])
  readonly approvals = this.registry.counter('approval_bridge_approvals_total', 'Approval decisions by outcome (approve or reject taps and commands)', ['decision', 'outcome'])
  readonly timeToDecision = this.registry.histogram('approval_bridge_time_to_decision_seconds', 'From submission to the final approve or reject, by request type and outcome', ['type', 'outcome'], DECISION_BUCKETS)
  readonly outboundMessages = this.registry.counter('approval_bridge_outbound_messages_total', 'Messages and cards sent or updated on a platform, by result', ['platform', 'kind', 'result'])
  readonly erpCalls = this.registry.counter('approval_bridge_erp_calls_total', 'ERP adapter calls, by adapter, operation (post, find) and result (ok, transient, permanent, unknown)', ['adapter', 'operation', 'result'])
  readonly erpSeconds = this.registry.histogram('approval_bridge_erp_call_duration_seconds', 'ERP adapter call latency', ['adapter', 'operation'], LATENCY_BUCKETS)
  readonly postings = this.registry.counter('approval_bridge_erp_postings_total', 'Outbox rows settled, by adapter and result (posted, failed, dead)', ['adapter', 'result'])
  readonly outboxRows = this.registry.gauge('approval_bridge_outbox_rows', 'Outbox rows not yet posted, by status (pending, sending, unknown, failed, dead)', ['status'])
  readonly outboxOldest = this.registry.gauge('approval_bridge_outbox_oldest_unposted_age_seconds', 'Age of the oldest row still waiting to be posted (pending, sending or unknown)')
  readonly chatDeliveryRows = this.registry.gauge('approval_bridge_chat_deliveries_rows', 'Chat messages and cards a platform refused for now, by status (pending, sending; failed and dead: given up)', ['status'])
  readonly chatDeliveryOldest = this.registry.gauge('approval_bridge_chat_deliveries_oldest_waiting_age_seconds', 'Age of the oldest chat message still waiting to be delivered (pending or sending)')
  readonly retentionDeleted = this.registry.counter('approval_bridge_retention_deleted_total', 'Rows removed by the retention job, by table', ['table'])
  readonly maintenanceLastRun = this.registry.gauge('approval_bridge_maintenance_last_success_timestamp_seconds', 'When the maintenance job last completed')
  readonly collectErrors = this.registry.counter('approval_bridge_metrics_collect_errors_total', 'Scrapes whose database figures could not be read')
  readonly startTime = this.registry.gauge('process_start_time_seconds', 'Start time of the process since unix epoch in seconds')

  constructor() {
    this.startTime.set({}, Math.round(Date.now() / 1000))
  }

  /** Outbox and chat-delivery depth and age come from their tables, so every instance reports the shared truth. */
  watchQueues(db: Kysely<Schema>, now: () => number): void {
    this.registry.collectBeforeScrape(async () => {
      try {
        await readQueue(db, 'outbox', UNPOSTED, now, this.outboxRows, this.outboxOldest)
        await readQueue(db, 'chat_deliveries', UNDELIVERED, now, this.chatDeliveryRows, this.chatDeliveryOldest)
      } catch {
        this.collectErrors.inc()
      }
    })
  }
}

/** Rows by status (those still waiting, then those given up) and the age of the oldest waiting one, in one query. */
async function readQueue(db: Kysely<Schema>, table: 'outbox' | 'chat_deliveries', waiting: readonly string[], now: () => number, rows: Gauge<'status'>, oldest: Gauge): Promise<void> {
  const statuses = [...waiting, 'failed', 'dead']
  const byStatus = await db
    .selectFrom(table)
    .select(['status', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.min<number>('created_at').as('first')])
    .where('status', 'in', statuses)
    .groupBy('status')
    .execute()
  rows.reset()
  for (const status of statuses) rows.set({ status }, Number(byStatus.find((r) => r.status === status)?.n ?? 0))
  const firsts = byStatus.filter((r) => waiting.includes(r.status)).map((r) => Number(r.first))
  oldest.set({}, firsts.length === 0 ? 0 : Math.max(0, (now() - Math.min(...firsts)) / 1000))
}
