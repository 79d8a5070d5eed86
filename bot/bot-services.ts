import type { Kysely } from 'kysely'
import type { Schema } from '../db/schema.js'
import type { DecisionService } from '../workflow/decisions.js'
import type { OrgDirectory } from '../workflow/org.js'
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
  now: () => number
  /** Wake the outbox worker: a request was just approved. */
  requestPosting: () => void
}
