import type { DbHandle } from '../db/connect.js'
import type { BotServices } from '../bot/bot-services.js'
import { RequestCards } from '../bot/cards/request-cards.js'
import type { Conversation } from '../bot/conversation/conversation.js'
import { ConversationStore } from '../bot/conversation/conversation-store.js'
import { ChatDeliveryStore, type DeliveryPolicy } from '../bot/delivery/delivery-store.js'
import { ChatDeliveryWorker } from '../bot/delivery/delivery-worker.js'
import { Messenger } from '../bot/messenger.js'
import type { CommandParser } from '../bot/nlu/command.js'
import type { ChatIntegration } from '../bot/chat-integration.js'
import type { ChatPlatform } from '../bot/platform.js'
import { DevPlatform } from '../bot/platforms/dev/dev-platform.js'
import { PostingAnnouncer } from '../bot/posting-announcer.js'
import { LedgerAdapter } from '../erp-bridge/adapters/ledger/ledger-adapter.js'
import type { SecretBox } from '../erp-bridge/connections/secret-box.js'
import type { ErpAdapter } from '../erp-bridge/erp-adapter.js'
import { createErpBridge, type ErpBridge } from '../erp-bridge/erp-bridge.js'
import type { OutboxWorker } from '../erp-bridge/outbox-worker.js'
import { DecisionService } from '../workflow/decisions.js'
import type { AttachmentStore } from '../workflow/receipts/attachments/attachment-store.js'
import { Attachments } from '../workflow/receipts/attachments/attachments.js'
import type { PdfTextReader } from '../workflow/receipts/invoices/pdf-text.js'
import { AppSettings } from '../workflow/receipts/settings/app-settings.js'
import type { RequestSummariser } from '../workflow/receipts/summaries/request-summary.js'
import { RequestSummaries } from '../workflow/receipts/summaries/request-summaries.js'
import { summariseOnSubmit } from '../workflow/receipts/summaries/summarise-on-submit.js'
import { RequestService } from '../workflow/request-service.js'
import { createWorkflowContext } from '../workflow/workflow-context.js'
import type { Log } from '../ops/logging/log.js'
import { AppMetrics } from '../ops/metrics/app-metrics.js'
import type { RateLimits } from '../ops/rate-limit.js'
import { currentRequestContext, runOutsideRequestContext } from '../ops/request-context.js'
import { ObservedErp } from './observe/observed-erp.js'
import { observeParser } from './observe/observed-parser.js'
import { meterSummariser } from './observe/observed-summariser.js'
import { observePlatform } from './observe/observed-platform.js'
import { observeWorkflow } from './observe/observed-workflow.js'
import { OperatedConversation } from './observe/operated-conversation.js'
import { withinRowTrace } from './observe/request-trace.js'

export interface SystemOptions {
  database: DbHandle
  parser: CommandParser
  now?: () => number
  /** A fixed ERP adapter; by default the connection configured in the admin app (the built-in ledger until one is). */
  erp?: ErpAdapter
  /** Seals ERP secrets at rest (key derived from APP_SECRET_KEY). */
  erpSecrets?: SecretBox
  /** Configured chat platforms (Feishu, DingTalk); the simulator is always there for dev mode. */
  integrations?: ChatIntegration[]
  /** Where files sent to the bot are kept (Node: ./data/attachments); without one, files are declined politely. */
  attachments?: AttachmentStore
  /** Reads e-invoice PDFs (pdf.js on Node); without one, PDFs are kept for manual entry. */
  pdfText?: PdfTextReader
  outboxPollMs?: number
  outboxBaseBackoffMs?: number
  /** How long a posting is retried before it is given up as dead; 72 h by default (outbox-worker.ts). */
  outboxGiveUpAfterMs?: number
  /** The chat delivery queue's timing (messages a platform refused for now); production defaults otherwise. */
  chatDelivery?: Partial<DeliveryPolicy>
  log?: Log
  /** Where the hooks count (GET /metrics); a fresh set by default. */
  metrics?: AppMetrics
  /** Per-user and per-tenant chat and LLM limits; none by default (tests, tools). */
  limits?: RateLimits
  /** Writes the AI summary approvers see on long requests (an LLM); without one, cards keep the context line only. */
  summariser?: RequestSummariser
}

/** Everything the app needs, wired once: domain services, chat plumbing, ERP bridge. */
export interface System {
  services: BotServices
  conversation: Conversation
  devPlatform: DevPlatform
  ledger: LedgerAdapter
  outbox: OutboxWorker
  /** Sends what chat platforms refused for now (chat_deliveries): the Node periodic job and the Workers cron drain it. */
  deliveries: ChatDeliveryWorker
  erp: ErpBridge
  integrations: ChatIntegration[]
  metrics: AppMetrics
  /** The ERP calls in flight, for a shutdown that runs out of time (server/shutdown.ts). */
  erpCalls: ObservedErp
}

const withSummaries = (requests: RequestService, summaries: RequestSummaries | undefined) => (summaries ? summariseOnSubmit(requests, summaries) : requests)

export async function composeSystem(options: SystemOptions): Promise<System> {
  const { db, dialect } = options.database
  const now = options.now ?? Date.now
  const log: Log = options.log ?? (() => {})
  const metrics = options.metrics ?? new AppMetrics()
  metrics.watchQueues(db, now)
  const erpCalls = new ObservedErp(metrics, log)
  // A posting written by an approval keeps the approving callback's request id (outbox.trace_id).
  const workflow = createWorkflowContext(db, now, () => currentRequestContext()?.requestId)
  const devPlatform = new DevPlatform(db, now)
  const integrations = options.integrations ?? []
  const platforms = new Map<string, ChatPlatform>(
    [devPlatform as ChatPlatform, ...integrations.map((i) => i.platform)].map((platform) => [platform.name, observePlatform(platform, metrics, log)]),
  )
  // People without a platform identity are reached on the first configured platform.
  // A send refused for now (429, 5xx, no answer) waits in chat_deliveries instead of being dropped.
  const deliveryStore = new ChatDeliveryStore(db, dialect, options.chatDelivery)
  const messenger = new Messenger(db, platforms, integrations[0]?.platform.name ?? devPlatform.name, deliveryStore, log)
  const cards = new RequestCards(db, messenger, now, options.log)
  const deliveries = new ChatDeliveryWorker(deliveryStore, messenger, cards, log)
  const ledger = new LedgerAdapter(db)
  await ledger.installChart()

  let outbox: OutboxWorker | undefined
  const services: BotServices = {
    db,
    org: workflow.org,
    requests: withSummaries(observeWorkflow(new RequestService(workflow), { metrics, log }), options.summariser && new RequestSummaries(db, meterSummariser(options.summariser, metrics, options.limits, now), now, log)),
    decisions: observeWorkflow(new DecisionService(workflow), { metrics, log }),
    parser: observeParser(options.parser, metrics, log),
    messenger,
    cards,
    conversations: new ConversationStore(db, now),
    attachments: new Attachments(db, options.attachments, options.pdfText, now),
    settings: new AppSettings(db, now),
    now,
    // The worker's loop must not carry the request id of the callback that happened to wake it.
    requestPosting: () => runOutsideRequestContext(() => outbox?.kick()),
    log,
  }
  const erp = createErpBridge({
    db,
    dialect,
    ledger,
    erp: options.erp,
    secrets: options.erpSecrets ?? null,
    listener: erpCalls.listener(new PostingAnnouncer(services)),
    now,
    worker: {
      pollMs: options.outboxPollMs,
      baseBackoffMs: options.outboxBaseBackoffMs,
      giveUpAfterMs: options.outboxGiveUpAfterMs,
      // Each posting logs under the request id of the callback that approved it, stored on its row.
      withinRow: withinRowTrace,
    },
    log: options.log,
    observeTarget: (target) => erpCalls.target(target),
  })
  outbox = erp.worker
  const conversation = new OperatedConversation(services, { metrics, log, limits: options.limits, now })
  return { services, conversation, devPlatform, ledger, outbox, deliveries, erp, integrations, metrics, erpCalls }
}
