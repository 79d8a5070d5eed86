import type { Transaction } from 'kysely'
import type { Schema } from './schema.js'

/**
 * Next value of a named gap-free counter (request numbers, voucher numbers). Must run inside the
 * caller's transaction: the UPDATE takes the row lock on MySQL, SQLite has a single writer.
 */
export async function nextCounterValue(trx: Transaction<Schema>, name: string): Promise<number> {
  await trx.insertInto('counters').orIgnore().values({ name, value: 0 }).execute()
  await trx
    .updateTable('counters')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('name', '=', name)
    .execute()
  const row = await trx.selectFrom('counters').select('value').where('name', '=', name).executeTakeFirstOrThrow()
  return Number(row.value)
}
