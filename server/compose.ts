import type { DbHandle } from '../db/connect.js'
import type { BotServices } from '../bot/bot-services.js'
import { RequestCards } from '../bot/cards/request-cards.js'
import { Conversation } from '../bot/conversation/conversation.js'
import { ConversationStore } from '../bot/conversation/conversation-store.js'
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
import { RequestService } from '../workflow/request-service.js'
import { createWorkflowContext } from '../workflow/workflow-context.js'

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
  outboxPollMs?: number
  outboxBaseBackoffMs?: number
  log?: (message: string) => void
}

/** Everything the app needs, wired once: domain services, chat plumbing, ERP bridge. */
export interface System {
  services: BotServices
  conversation: Conversation
  devPlatform: DevPlatform
  ledger: LedgerAdapter
  outbox: OutboxWorker
  erp: ErpBridge
  integrations: ChatIntegration[]
}

export async function composeSystem(options: SystemOptions): Promise<System> {
  const { db, dialect } = options.database
  const now = options.now ?? Date.now
  const workflow = createWorkflowContext(db, now)
  const devPlatform = new DevPlatform(db, now)
  const integrations = options.integrations ?? []
  const platforms = new Map<string, ChatPlatform>([[devPlatform.name, devPlatform], ...integrations.map((i) => [i.platform.name, i.platform] as const)])
  // People without a platform identity are reached on the first configured platform.
  const messenger = new Messenger(db, platforms, integrations[0]?.platform.name ?? devPlatform.name)
  const cards = new RequestCards(db, messenger, now, options.log)
  const ledger = new LedgerAdapter(db)
  await ledger.installChart()

  let outbox: OutboxWorker | undefined
  const services: BotServices = {
    db,
    org: workflow.org,
    requests: new RequestService(workflow),
    decisions: new DecisionService(workflow),
    parser: options.parser,
    messenger,
    cards,
    conversations: new ConversationStore(db, now),
    now,
    requestPosting: () => outbox?.kick(),
  }
  const erp = createErpBridge({
    db,
    dialect,
    ledger,
    erp: options.erp,
    secrets: options.erpSecrets ?? null,
    listener: new PostingAnnouncer(services),
    now,
    worker: { pollMs: options.outboxPollMs, baseBackoffMs: options.outboxBaseBackoffMs },
    log: options.log,
  })
  outbox = erp.worker
  return { services, conversation: new Conversation(services), devPlatform, ledger, outbox, erp, integrations }
}
