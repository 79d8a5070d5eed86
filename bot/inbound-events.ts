import type { Kysely } from 'kysely'
import type { Schema } from '../db/schema.js'

/** Platforms redeliver for hours (Feishu: up to ~7.1 h); keep ids well beyond that. */
export const INBOUND_EVENT_RETENTION_MS = 24 * 60 * 60_000

/**
 * Records a platform event id; true the first time, false for a redelivery. The primary key does
 * the de-duplication, so two instances receiving the same event cannot both process it.
 */
export async function firstDelivery(db: Kysely<Schema>, platform: string, eventId: string, now = Date.now()): Promise<boolean> {
  const result = await db.insertInto('inbound_events').orIgnore().values({ platform, event_id: eventId, received_at: now }).executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1
}

export async function forgetOldInboundEvents(db: Kysely<Schema>, now = Date.now()): Promise<void> {
  await db.deleteFrom('inbound_events').where('received_at', '<', now - INBOUND_EVENT_RETENTION_MS).execute()
}
