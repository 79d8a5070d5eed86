import type { Kysely } from 'kysely'
import type { Schema } from '../../../db/schema.js'
import type { Card } from '../../cards/card.js'
import type { ChatPlatform, MessageRef } from '../../platform.js'

export interface SimulatorItem {
  id: string
  at: string
  from: 'user' | 'bot'
  text?: string
  card?: Card
}

/**
 * The built-in chat: messages and cards are rows in `sim_messages`; updating a card rewrites its
 * row, so the inbox always shows each card's latest state, as a real client would.
 */
export class DevPlatform implements ChatPlatform {
  readonly name = 'dev'

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly now: () => number = Date.now,
  ) {}

  async sendText(userId: string, text: string): Promise<MessageRef> {
    return this.insert(userId, 'out', text, null)
  }

  async sendCard(userId: string, card: Card): Promise<MessageRef> {
    return this.insert(userId, 'out', null, card)
  }

  async updateCard(ref: MessageRef, card: Card): Promise<void> {
    await this.db.updateTable('sim_messages').set({ card: JSON.stringify(card) }).where('id', '=', Number(ref.messageId)).execute()
  }

  /** What the user typed, kept so the transcript reads like a chat. */
  async recordUserLine(userId: string, text: string): Promise<void> {
    await this.insert(userId, 'in', text, null)
  }

  async items(userId: string, options: { includeUserLines: boolean; ids?: readonly string[] }): Promise<SimulatorItem[]> {
    let query = this.db.selectFrom('sim_messages').selectAll().where('user_id', '=', userId)
    if (!options.includeUserLines) query = query.where('direction', '=', 'out')
    if (options.ids) {
      if (options.ids.length === 0) return []
      query = query.where('id', 'in', options.ids.map(Number))
    }
    const rows = await query.orderBy('id').execute()
    return rows.map((row) => ({
      id: String(row.id),
      at: new Date(Number(row.at)).toISOString(),
      from: row.direction === 'in' ? 'user' : 'bot',
      ...(row.text !== null ? { text: row.text } : {}),
      ...(row.card !== null ? { card: JSON.parse(row.card) as Card } : {}),
    }))
  }

  private async insert(userId: string, direction: 'in' | 'out', text: string | null, card: Card | null): Promise<MessageRef> {
    const result = await this.db
      .insertInto('sim_messages')
      .values({ user_id: userId, direction, text, card: card && JSON.stringify(card), at: this.now() })
      .executeTakeFirstOrThrow()
    return { platform: this.name, messageId: String(result.insertId) }
  }
}
