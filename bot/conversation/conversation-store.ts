import type { Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import type { Intent, Slots } from '../nlu/command.js'

/**
 * A half-filled command waiting for the user's answer to one question, or a whole one waiting for
 * 确认 / 修改 / 取消 ('confirmation'): a draft's card, or a withdrawal we asked to confirm.
 */
export interface PendingCommand {
  intent: Intent
  slots: Slots
  awaiting: keyof Slots | 'confirmation'
  /** The draft the confirmation card shows. */
  draftId?: string
  /** The field the person asked to change (「修改金额」) and whose new value comes next. */
  editing?: keyof Slots
  /**
   * An expense claim being filled in: the files sent for it (the e-invoice that started it, more
   * sent meanwhile), held so that only its draft takes them.
   */
  files?: string[]
}

const TTL_MS = 30 * 60_000

/** Dialogue state lives in the DB so any instance can continue a conversation, and it expires. */
export class ConversationStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly now: () => number = Date.now,
  ) {}

  async get(userId: string): Promise<PendingCommand | null> {
    const row = await this.db.selectFrom('conversations').selectAll().where('user_id', '=', userId).executeTakeFirst()
    if (!row || Number(row.expires_at) < this.now()) return null
    return JSON.parse(row.state) as PendingCommand
  }

  async save(userId: string, state: PendingCommand): Promise<void> {
    const now = this.now()
    const values = { state: JSON.stringify(state), expires_at: now + TTL_MS, updated_at: now }
    const updated = await this.db.updateTable('conversations').set(values).where('user_id', '=', userId).executeTakeFirst()
    if (Number(updated.numUpdatedRows) === 0) {
      await this.db.insertInto('conversations').orIgnore().values({ user_id: userId, ...values }).execute()
    }
  }

  async clear(userId: string): Promise<void> {
    await this.db.deleteFrom('conversations').where('user_id', '=', userId).execute()
  }
}
