import type { Kysely } from 'kysely'
import type { Schema } from '../db/schema.js'
import type { Card } from './cards/card.js'
import type { ChatPlatform, MessageRef } from './platform.js'

/**
 * Sends to a person on whichever platform knows them: the platform they just wrote from when
 * replying, otherwise the first configured platform they have an identity on, otherwise the default.
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
    const identities = await this.db.selectFrom('user_identities').select('platform').where('user_id', '=', userId).execute()
    const known = new Set(identities.map((i) => i.platform))
    // Someone on several platforms is reached on the first one configured: deterministic, not row order.
    const preferred = [...this.platforms.keys()].find((name) => known.has(name))
    return this.platform(preferred ?? this.defaultPlatform)
  }

  private platform(name: string): ChatPlatform {
    const platform = this.platforms.get(name)
    if (!platform) throw new Error(`chat platform not enabled: ${name}`)
    return platform
  }
}
