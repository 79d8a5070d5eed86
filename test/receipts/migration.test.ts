import { describe, expect, it } from 'vitest'
import { DB_KINDS, freshDatabase } from '../helpers/databases.js'

describe.each(DB_KINDS)('receipts migration (%s)', (kind) => {
  it('creates attachments and app_settings, with room for a long file name and an invoice', async () => {
    const database = await freshDatabase(kind)
    try {
      const { db } = database
      await db
        .insertInto('attachments')
        .values({
          id: 'a1', owner_id: 'u1', request_id: null, platform: 'dev', name: `${'发票'.repeat(100)}.pdf`, mime_type: 'application/pdf', size_bytes: 12_345_678,
          sha256: 'f'.repeat(64), storage_key: 'ab/a1', reading: 'invoice', reading_note: null, invoice: JSON.stringify({ number: '1'.repeat(20) }), invoice_key: '1'.repeat(20),
          created_at: 1, linked_at: null,
        })
        .execute()
      await db.insertInto('app_settings').values({ name: 'company', value: '{"taxIds":[]}', updated_at: 1, updated_by: null }).execute()
      const row = await db.selectFrom('attachments').selectAll().where('invoice_key', '=', '1'.repeat(20)).executeTakeFirstOrThrow()
      expect(Number(row.size_bytes)).toBe(12_345_678)
      expect(row.name).toHaveLength(204)
      expect((await db.selectFrom('app_settings').selectAll().execute()).map((s) => s.name)).toEqual(['company'])
    } finally {
      await database.close()
    }
  })
})
