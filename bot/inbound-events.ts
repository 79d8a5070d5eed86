import type { Kysely } from 'kysely'
import { isConnectionFailure } from '../db/connection-failure.js'
import type { Schema } from '../db/schema.js'

interface Delivery {
  platform: string
  /** Every id this delivery is known by; recorded together or not at all. */
  ids: string[]
  at: number
  settle: (first: boolean) => void
  fail: (error: unknown) => void
}

/**
 * Ids whose write met a lost connection: it may have committed without our hearing so, and then
 * a redelivery would find them stored and be dropped although the event was never handled. Such
 * stored ids are this instance's own, so a redelivery reaching this instance is first after all.
 * (With several instances, one reaching another instance is still dropped.) Kept for a day.
 */
const unconfirmed = new Map<string, number>()
const UNCONFIRMED_FOR_MS = 24 * 60 * 60_000
const UNCONFIRMED_LIMIT = 100_000
const keyOf = (platform: string, id: string) => `${platform}\n${id}`

function markUnconfirmed(deliveries: Delivery[]): void {
  for (const d of deliveries) for (const id of d.ids) unconfirmed.set(keyOf(d.platform, id), d.at + UNCONFIRMED_FOR_MS)
  // Oldest first (insertion order): drop what has expired, and the oldest beyond the limit.
  for (const [key, until] of unconfirmed) {
    if (until > Date.now() && unconfirmed.size <= UNCONFIRMED_LIMIT) break
    unconfirmed.delete(key)
  }
}

const isUnconfirmed = (platform: string, id: string) => (unconfirmed.get(keyOf(platform, id)) ?? 0) > Date.now()

/** Per database: deliveries waiting for the next commit, and whether one is due or under way. */
const queues = new WeakMap<Kysely<Schema>, { waiting: Delivery[]; busy: boolean }>()

/**
 * After the requests that arrived together have all been read. The embedded driver is synchronous,
 * so a commit ends before the next request is even parsed: waiting one turn is what lets a burst
 * share a commit. setImmediate is Node's; Workers have setTimeout.
 */
const afterThisTurn: (run: () => void) => void = typeof setImmediate === 'function' ? (run) => setImmediate(run) : (run) => setTimeout(run, 0)

/**
 * Records a platform event's ids; true the first time, false for a redelivery. The primary key
 * does the de-duplication, so two instances receiving the same event cannot both process it.
 * An event known by two ids (Feishu: its event id, and its message id, which the same message
 * keeps when it arrives again over the long connection) passes both at once: they are recorded
 * together or not at all, so a failure between the two writes cannot leave the event marked
 * as seen but never handled.
 *
 * Every callback waits for this write, and a commit is a disk flush (on the embedded SQLite one
 * that blocks the event loop), so one commit per event capped the ack path at ~100 events/s.
 * Deliveries that arrive together, or while a commit is under way, share one commit instead
 * (bench/callback-ack-bench.ts).
 */
export function firstDelivery(db: Kysely<Schema>, platform: string, eventId: string | readonly string[], now = Date.now()): Promise<boolean> {
  return new Promise((settle, fail) => {
    let queue = queues.get(db)
    if (!queue) queues.set(db, (queue = { waiting: [], busy: false }))
    queue.waiting.push({ platform, ids: [...new Set(typeof eventId === 'string' ? [eventId] : eventId)], at: now, settle, fail })
    if (queue.busy) return
    queue.busy = true
    afterThisTurn(() => void commitWaiting(db, queue))
  })
}

/** Deliveries per batch: a few parameters each, well inside every driver's limit. */
const MAX_BATCH = 250

async function commitWaiting(db: Kysely<Schema>, queue: { waiting: Delivery[]; busy: boolean }): Promise<void> {
  while (queue.waiting.length > 0) {
    const batch = queue.waiting.splice(0, MAX_BATCH)
    let failure: unknown
    const firsts = batch.length > 1 ? await insertAllNew(db, batch).then((all) => all ?? recordBatch(db, batch)).catch((error: unknown) => void (failure = error)) : undefined
    if (firsts) {
      for (const delivery of batch) settle(delivery, firsts.get(delivery)!)
      continue
    }
    if (failure !== undefined && isConnectionFailure(failure)) {
      // The commit may have happened: nobody handles these now, and a redelivery will be ours.
      markUnconfirmed(batch)
      for (const delivery of batch) delivery.fail(failure)
      continue
    }
    // One delivery, or a batch that lost a race with another instance: one by one.
    for (const delivery of batch) {
      await record(db, delivery).then(
        (first) => settle(delivery, first),
        (error: unknown) => {
          if (isConnectionFailure(error)) markUnconfirmed([delivery])
          delivery.fail(error)
        },
      )
    }
  }
  queue.busy = false
}

function settle(delivery: Delivery, first: boolean): void {
  if (first) for (const id of delivery.ids) unconfirmed.delete(keyOf(delivery.platform, id))
  delivery.settle(first)
}

const rowsOf = (deliveries: Delivery[]) => deliveries.flatMap((d) => d.ids.map((id) => ({ platform: d.platform, event_id: id, received_at: d.at })))

/**
 * A batch in one statement when all of it is new, as nearly all of it is; no transaction, whose
 * begin and commit were two more round trips per batch on MariaDB. Ids of ours whose write lost
 * its answer, an id twice in the batch, or one stored already send it to recordBatch.
 */
async function insertAllNew(db: Kysely<Schema>, batch: Delivery[]): Promise<Map<Delivery, boolean> | undefined> {
  const rows = rowsOf(batch)
  const keys = new Set(rows.map((row) => keyOf(row.platform, row.event_id)))
  if (keys.size !== rows.length || rows.some((row) => isUnconfirmed(row.platform, row.event_id))) return undefined
  try {
    await insertRows(db, rows)
  } catch (error) {
    if (isConnectionFailure(error)) throw error
    return undefined
  }
  return new Map(batch.map((delivery) => [delivery, true]))
}

/**
 * A batch with a redelivery in it, in two statements whatever its size: which ids are stored
 * already, then one multi-row insert of the rest. If another instance got some ids in between,
 * the insert fails on the primary key and stores nothing, and the batch is recorded one by one,
 * where the primary key decides.
 */
async function recordBatch(db: Kysely<Schema>, batch: Delivery[]): Promise<Map<Delivery, boolean>> {
  const firsts = new Map<Delivery, boolean>()
  const fresh: Delivery[] = []
  const stored = new Set<string>()
  for (const platform of new Set(batch.map((d) => d.platform))) {
    const deliveries = batch.filter((d) => d.platform === platform)
    const ids = [...new Set(deliveries.flatMap((d) => d.ids))]
    const found = await storedIds(db, platform, ids)
    for (const id of found) stored.add(keyOf(platform, id))
    // Stored by a write of ours that lost its answer: not a sign the event was handled.
    const taken = new Set([...found].filter((id) => !isUnconfirmed(platform, id)))
    for (const delivery of deliveries) {
      const first = delivery.ids.every((id) => !taken.has(id))
      for (const id of delivery.ids) taken.add(id)
      firsts.set(delivery, first)
      if (first) fresh.push(delivery)
    }
  }
  const rows = rowsOf(fresh).filter((row) => !stored.has(keyOf(row.platform, row.event_id)))
  if (rows.length > 0) await insertRows(db, rows)
  return firsts
}

async function storedIds(db: Kysely<Schema>, platform: string, ids: string[]): Promise<Set<string>> {
  const rows = await db.selectFrom('inbound_events').select('event_id').where('platform', '=', platform).where('event_id', 'in', ids).execute()
  return new Set(rows.map((row) => row.event_id))
}

/** One multi-row insert: a single statement is atomic on both databases, so a duplicate id anywhere fails it and stores nothing. */
async function insertRows(db: Kysely<Schema>, rows: ReturnType<typeof rowsOf>): Promise<void> {
  // Sorted, so two instances inserting overlapping ids take their locks in the same order.
  rows.sort((a, b) => (a.platform + a.event_id < b.platform + b.event_id ? -1 : 1))
  await db.insertInto('inbound_events').values(rows).execute()
}

/**
 * One statement, so all of a delivery's ids are recorded or none; first only if every one was
 * new, or stored by a write of ours that lost its answer.
 */
async function record(db: Kysely<Schema>, delivery: Delivery): Promise<boolean> {
  const ours = delivery.ids.filter((id) => isUnconfirmed(delivery.platform, id))
  const stored = ours.length ? await storedIds(db, delivery.platform, ours) : new Set<string>()
  const rows = rowsOf([delivery]).filter((row) => !stored.has(row.event_id))
  if (rows.length === 0) return true
  try {
    await insertRows(db, rows)
    return true
  } catch (error) {
    if (isConnectionFailure(error)) throw error
    // Refused for an id stored already (the primary key), or for something else, which must not pass for a redelivery.
    if ((await storedIds(db, delivery.platform, rows.map((row) => row.event_id))).size > 0) return false
    throw error
  }
}
