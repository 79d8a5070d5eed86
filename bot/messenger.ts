import type { Kysely } from 'kysely'
import type { Schema } from '../db/schema.js'
import type { Card } from './cards/card.js'
import type { ChatPlatform, MessageRef } from './platform.js'

/**
 * Sends to a person on whichever platform knows them: the platform they just wrote from when
 * replying, otherwise the first platform they have an identity on, otherwise the default.
 */
export class Messenger {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly platforms: ReadonlyMap<string, ChatPlatform>,
    private readonly defaultPlatform: string,
  ) {}

  async sendText(userId: string, text: string, via?: string): Promise<MessageRef> {
    return (await this.platformFor(userId, via)).sendText(userId, text)
  }

  async sendCard(userId: string, card: Card, via?: string): Promise<MessageRef> {
    return (await this.platformFor(userId, via)).sendCard(userId, card)
  }

  async updateCard(ref: MessageRef, card: Card): Promise<void> {
    await this.platform(ref.platform).updateCard(ref, card)
  }

  private async platformFor(userId: string, via?: string): Promise<ChatPlatform> {
    if (via && this.platforms.has(via)) return this.platform(via)
    const identity = await this.db.selectFrom('user_identities').select('platform').where('user_id', '=', userId).executeTakeFirst()
    return this.platform(identity && this.platforms.has(identity.platform) ? identity.platform : this.defaultPlatform)
  }

  private platform(name: string): ChatPlatform {
    const platform = this.platforms.get(name)
    if (!platform) throw new Error(`chat platform not enabled: ${name}`)
    return platform
  }
}
