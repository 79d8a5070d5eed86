import type { Transaction } from 'kysely'
import type { Schema } from './schema.js'

/**
 * Next value of a named counter, inside the caller's transaction. The UPDATE comes first: when the
 * row exists it takes the exclusive lock straight away. (INSERT IGNORE first would take a shared
 * lock on the existing row, and two submitters upgrading their shared locks deadlock on MySQL.)
 */
export async function takeNextNumber(trx: Transaction<Schema>, name: string): Promise<number> {
  await bump(trx, name)
  const row = await trx.selectFrom('counters').select('value').where('name', '=', name).executeTakeFirstOrThrow()
  return Number(row.value)
}

/**
 * Takes named locks (counter rows) in a stable order, with writes only. Call it before the
 * transaction's first read: on MySQL that read fixes the snapshot, so reading only after every
 * lock is held means seeing everything the previous holder committed.
 */
export async function takeNamedLocks(trx: Transaction<Schema>, names: readonly string[]): Promise<void> {
  for (const name of [...new Set(names)].sort()) await bump(trx, name)
}

async function bump(trx: Transaction<Schema>, name: string): Promise<void> {
  const bumped = await trx.updateTable('counters').set((eb) => ({ value: eb('value', '+', 1) })).where('name', '=', name).executeTakeFirst()
  if (Number(bumped.numUpdatedRows) > 0) return
  await trx.insertInto('counters').orIgnore().values({ name, value: 0 }).execute()
  await trx.updateTable('counters').set((eb) => ({ value: eb('value', '+', 1) })).where('name', '=', name).execute()
}
