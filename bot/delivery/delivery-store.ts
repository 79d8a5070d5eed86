import type { Kysely } from 'kysely'
import type { SqlDialectName } from '../../db/connect.js'
import type { ChatDeliveryRow, Schema } from '../../db/schema.js'
import { inTransaction } from '../../db/transaction.js'

/**
 * text: a message to a person; card: a new card (a request card is re-rendered at every try);
 * card_update: an edit of a card already delivered (re-rendered at every try, one row per card).
 */
export type DeliveryKind = 'text' | 'card' | 'card_update'

export interface NewDelivery {
  kind: DeliveryKind
  platform: string
  recipientId?: string
  /** For cards: our card id (a row in `cards` for request cards). */
  cardId?: string
  /** For card updates: the platform message the card is in. */
  messageId?: string
  /** The text, or the card JSON as first tried. */
  body: string
  idempotencyKey: string
  error: unknown
}

/** How long the queue keeps trying, and how often. */
export interface DeliveryPolicy {
  /** Wait before the first retry from the queue (the client already retried in memory). */
  firstRetryMs: number
  /** Back-off doubles per try up to this. */
  maxRetryMs: number
  /** After this long undelivered, a message is given up (status dead), logged. */
  giveUpAfterMs: number
  /** How long a claim holds: longer than one send with the client's own retries and timeouts. */
  leaseMs: number
  /** Rows claimed in one go. */
  batchSize: number
}

const HOUR_MS = 60 * 60_000
const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  firstRetryMs: 15_000,
  maxRetryMs: 5 * 60_000,
  giveUpAfterMs: 72 * HOUR_MS,
  leaseMs: 5 * 60_000,
  batchSize: 50,
}

/** What a row's message id reads while its card is waiting in the queue (cards.message_id, MessageRef). */
const QUEUED_PREFIX = 'queued:'

export const isQueued = (messageId: string) => messageId.startsWith(QUEUED_PREFIX)
export const queuedId = (deliveryId: string) => `${QUEUED_PREFIX}${deliveryId}`

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 2000)

/**
 * The delivery queue's table (chat_deliveries). Rows are claimed with a lease like the outbox's
 * (`FOR UPDATE SKIP LOCKED` on MySQL/MariaDB), so any number of instances and the Workers cron may
 * drain it side by side, and a row held by an instance that died is taken again when its lease ends.
 */
export class ChatDeliveryStore {
  readonly policy: DeliveryPolicy

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly dialect: SqlDialectName,
    policy: Partial<DeliveryPolicy> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.policy = { ...DEFAULT_DELIVERY_POLICY, ...policy }
  }

  /**
   * Queues a message; returns its id. Updates of one card join one row: the latest state is rendered when it goes.
   * `db` is a transaction when the queue row must land with another write (Messenger's queued card and its record).
   */
  async enqueue(item: NewDelivery, id: string = crypto.randomUUID(), db: Kysely<Schema> = this.db): Promise<string> {
    const now = this.now()
    if (item.kind === 'card_update' && item.cardId) return this.joinCardUpdate(item, now)
    await db.insertInto('chat_deliveries').values(this.newRow(id, item, now, null)).execute()
    return id
  }

  private newRow(id: string, item: NewDelivery, now: number, coalesceKey: string | null) {
    return {
      id,
      kind: item.kind,
      platform: item.platform,
      recipient_id: item.recipientId ?? null,
      card_id: item.cardId ?? null,
      message_id: item.messageId ?? null,
      body: item.body,
      idempotency_key: item.idempotencyKey,
      coalesce_key: coalesceKey,
      status: 'pending',
      next_attempt_at: now + this.policy.firstRetryMs,
      locked_until: null,
      last_error: describe(item.error),
      created_at: now,
      updated_at: now,
    }
  }

  private async joinCardUpdate(item: NewDelivery, now: number): Promise<string> {
    const key = `update:${item.cardId}`
    const existing = await this.updateCoalesced(key, item, now)
    if (existing) return existing
    const id = crypto.randomUUID()
    try {
      await this.db.insertInto('chat_deliveries').values(this.newRow(id, item, now, key)).execute()
      return id
    } catch (error) {
      // Another instance queued the same card's update at the same moment: join that row.
      const raced = await this.updateCoalesced(key, item, now)
      if (raced) return raced
      throw error
    }
  }

  /** Joins the card's queued update, if there is one; its id, or undefined. */
  private async updateCoalesced(key: string, item: NewDelivery, now: number): Promise<string | undefined> {
    const row = await this.db.selectFrom('chat_deliveries').select(['id', 'status']).where('coalesce_key', '=', key).executeTakeFirst()
    if (!row) return undefined
    const givenUp = row.status === 'failed' || row.status === 'dead'
    const joined = await this.db
      .updateTable('chat_deliveries')
      .set((eb) => ({
        // A try in progress keeps going; the new generation tells it that it is not the last word.
        generation: eb('generation', '+', 1),
        body: item.body,
        message_id: item.messageId ?? null,
        last_error: describe(item.error),
        updated_at: now,
        // A row given up on starts over: the platform failed again, with a newer state to show.
        ...(givenUp ? { status: 'pending', attempts: 0, created_at: now, next_attempt_at: now + this.policy.firstRetryMs, locked_until: null } : {}),
      }))
      .where('id', '=', row.id)
      .where('status', '=', row.status)
      .executeTakeFirst()
    // Delivered (deleted) or claimed between the two statements: look again.
    if (Number(joined.numUpdatedRows) === 0) return this.updateCoalesced(key, item, now)
    return row.id
  }

  /** Claims up to `limit` due rows (and rows whose claimer's lease ran out), oldest first. */
  async claimDue(limit: number = this.policy.batchSize): Promise<ChatDeliveryRow[]> {
    const now = this.now()
    return inTransaction(this.db, async (trx) => {
      let query = trx
        .selectFrom('chat_deliveries')
        .selectAll()
        .where((eb) =>
          eb.or([eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]), eb.and([eb('status', '=', 'sending'), eb('locked_until', '<', now)])]),
        )
        .orderBy('next_attempt_at')
        .orderBy('created_at')
        .limit(limit)
      if (this.dialect === 'mysql') query = query.forUpdate().skipLocked()
      const rows = await query.execute()
      if (rows.length === 0) return []
      const lockedUntil = now + this.policy.leaseMs
      await trx
        .updateTable('chat_deliveries')
        .set({ status: 'sending', locked_until: lockedUntil, updated_at: now })
        .where('id', 'in', rows.map((r) => r.id))
        .execute()
      return rows
        .map((r) => ({ ...r, status: 'sending', locked_until: lockedUntil, attempts: Number(r.attempts), generation: Number(r.generation), created_at: Number(r.created_at) }))
        .sort((a, b) => a.created_at - b.created_at)
    })
  }

  /** Delivered: the row goes, unless a newer change joined it meanwhile (then it is due again now). */
  async delivered(row: ChatDeliveryRow): Promise<void> {
    const gone = await this.db.deleteFrom('chat_deliveries').where('id', '=', row.id).where('generation', '=', row.generation).executeTakeFirst()
    if (Number(gone.numDeletedRows) > 0) return
    await this.db.updateTable('chat_deliveries').set({ status: 'pending', next_attempt_at: this.now(), locked_until: null, updated_at: this.now() }).where('id', '=', row.id).execute()
  }

  /**
   * Tried and refused for now: due again after the back-off (or at `at`), or given up once the retry
   * window is over. `tried: false` puts back a row not tried this run (its platform was down), due
   * with the one that was, so the order people are written to is kept.
   */
  async retryLater(row: ChatDeliveryRow, error: unknown, options: { tried?: boolean; at?: number } = {}): Promise<{ dead: boolean; at: number }> {
    const now = this.now()
    const tried = options.tried ?? true
    const attempts = row.attempts + (tried ? 1 : 0)
    const dead = tried && now - row.created_at >= this.policy.giveUpAfterMs
    const at = options.at ?? now + this.backoff(attempts)
    await this.db
      .updateTable('chat_deliveries')
      .set({ status: dead ? 'dead' : 'pending', attempts, next_attempt_at: at, locked_until: null, last_error: describe(error), updated_at: now })
      .where('id', '=', row.id)
      .execute()
    return { dead, at }
  }

  /** Not tried after all (this run ran out of time, or the process is stopping): due again now, for whoever claims them next. */
  async release(rows: ChatDeliveryRow[]): Promise<void> {
    if (rows.length === 0) return
    const ids = rows.map((row) => row.id)
    await this.db.updateTable('chat_deliveries').set({ status: 'pending', next_attempt_at: this.now(), locked_until: null }).where('id', 'in', ids).where('status', '=', 'sending').execute()
  }

  /** The platform refused for good (unknown user, bad content): kept for the operator, never tried again. */
  async failed(row: ChatDeliveryRow, error: unknown): Promise<void> {
    const now = this.now()
    await this.db
      .updateTable('chat_deliveries')
      .set({ status: 'failed', attempts: row.attempts + 1, locked_until: null, last_error: describe(error), updated_at: now })
      .where('id', '=', row.id)
      .execute()
  }

  /** After the queue's n-th try: first × 2ⁿ up to the maximum, with ±20 % jitter so instances that failed together do not retry together. */
  private backoff(attempts: number): number {
    const { firstRetryMs, maxRetryMs } = this.policy
    const base = Math.min(maxRetryMs, firstRetryMs * 2 ** Math.max(1, attempts))
    return Math.round(base * (0.8 + Math.random() * 0.4))
  }
}
