import type { Kysely } from 'kysely'
import type { Schema } from '../db/schema.js'
import type { DecisionService } from '../workflow/decisions.js'
import type { OrgDirectory } from '../workflow/org.js'
import type { Attachments } from '../workflow/receipts/attachments/attachments.js'
import type { AppSettings } from '../workflow/receipts/settings/app-settings.js'
import type { RequestService } from '../workflow/request-service.js'
import type { RequestCards } from './cards/request-cards.js'
import type { ConversationStore } from './conversation/conversation-store.js'
import type { Messenger } from './messenger.js'
import type { CommandParser } from './nlu/command.js'

/** The domain services and chat plumbing every handler may use; built once by the server. */
export interface BotServices {
  db: Kysely<Schema>
  org: OrgDirectory
  requests: RequestService
  decisions: DecisionService
  parser: CommandParser
  messenger: Messenger
  cards: RequestCards
  conversations: ConversationStore
  /** Files sent to the bot: stored, read (e-invoices), linked to claims. */
  attachments: Attachments
  /** Admin settings read at run time: the company's tax ids, the pilot departments. */
  settings: AppSettings
  now: () => number
  /** Wake the outbox worker: a request was just approved. */
  requestPosting: () => void
  /** Where failures that must not reach the user (a notification that could not be sent) are recorded. */
  log: (message: string) => void
}
