import { sql, type Kysely } from 'kysely'
import type { Schema } from '../../db/schema.js'
import { inTransaction } from '../../db/transaction.js'
import { appendAudit } from '../../workflow/audit.js'

export const ANONYMISED_TEXT = '（已匿名）'

export interface AnonymisationReport {
  userId: string
  /** The pseudonym now standing in for the name and 工号. */
  pseudonym: string
  /** Rows changed or removed, per table. */
  changed: Record<string, number>
}

async function pseudonymFor(userId: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`anonymised:${userId}`))
  return [...new Uint8Array(digest).slice(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('').toUpperCase()
}

/**
 * Erasure on request (PIPL art. 47), done so the records the company must keep stay whole: the
 * employee's personal fields are replaced in every table but the audit log (name → 已匿名用户-XXXX,
 * 工号 → ANON-XXXX, mobile and e-mail removed, account deactivated), platform identities, open
 * dialogue, simulator transcript and chat messages still waiting to reach them are deleted, and their free text (comments, decision remarks,
 * delegation reasons, file names) is replaced, as is their name in other people's remarks and waiting
 * messages and in their ERP mapping. Requests, approvals, amounts and postings remain, now about a
 * pseudonym. The audit log is append-only and hash-chained, so it is not edited: the
 * anonymisation is appended to it as one more entry, and the chain still verifies.
 */
export async function anonymiseEmployee(db: Kysely<Schema>, userId: string, options: { actorId: string | null; now?: number }): Promise<AnonymisationReport | undefined> {
  const now = options.now ?? Date.now()
  const code = await pseudonymFor(userId)
  return inTransaction(db, async (trx) => {
    const user = await trx.selectFrom('users').select(['id', 'name']).where('id', '=', userId).executeTakeFirst()
    if (!user) return undefined
    const pseudonym = `已匿名用户-${code}`
    const count = (result: { numUpdatedRows?: bigint; numDeletedRows?: bigint } | undefined) => Number(result?.numUpdatedRows ?? result?.numDeletedRows ?? 0n)
    // Text other people wrote or are sent may name the person: it stays, naming the pseudonym instead.
    const renameIn = async (table: 'chat_deliveries' | 'approval_tasks' | 'request_comments', column: 'body' | 'comment' | 'text') => {
      const result = await sql`UPDATE ${sql.table(table)} SET ${sql.ref(column)} = replace(${sql.ref(column)}, ${user.name}, ${pseudonym}) WHERE ${sql.ref(column)} LIKE ${`%${user.name}%`}`.execute(trx)
      return Number(result.numAffectedRows ?? 0n)
    }
    const changed: Record<string, number> = {
      users: count(
        await trx
          .updateTable('users')
          .set({ name: pseudonym, employee_no: `ANON-${code}`, mobile: null, email: null, title: null, active: 0 })
          .where('id', '=', userId)
          .executeTakeFirst(),
      ),
      user_identities: count(await trx.deleteFrom('user_identities').where('user_id', '=', userId).executeTakeFirst()),
      conversations: count(await trx.deleteFrom('conversations').where('user_id', '=', userId).executeTakeFirst()),
      sim_messages: count(await trx.deleteFrom('sim_messages').where('user_id', '=', userId).executeTakeFirst()),
      request_comments: count(await trx.updateTable('request_comments').set({ text: ANONYMISED_TEXT }).where('author_id', '=', userId).executeTakeFirst()),
      approval_tasks: count(
        await trx.updateTable('approval_tasks').set({ comment: ANONYMISED_TEXT }).where('approver_id', '=', userId).where('comment', 'is not', null).executeTakeFirst(),
      ),
      delegations: count(
        await trx
          .updateTable('delegations')
          .set({ reason: null })
          .where((eb) => eb.or([eb('principal_id', '=', userId), eb('delegate_id', '=', userId)]))
          .where('reason', 'is not', null)
          .executeTakeFirst(),
      ),
      attachments: count(await trx.updateTable('attachments').set({ name: ANONYMISED_TEXT }).where('owner_id', '=', userId).executeTakeFirst()),
      chat_deliveries: count(await trx.deleteFrom('chat_deliveries').where('recipient_id', '=', userId).executeTakeFirst()),
      // Messages waiting for other people (「张三的差旅费…」), other people's remarks (李四's 「张三辛苦了」).
      other_chat_deliveries: await renameIn('chat_deliveries', 'body'),
      other_approval_tasks: await renameIn('approval_tasks', 'comment'),
      other_request_comments: await renameIn('request_comments', 'text'),
      // The ERP code stays (postings refer to it); the name beside it is the person's.
      erp_mappings: count(
        await trx.updateTable('erp_mappings').set({ erp_name: pseudonym }).where('kind', '=', 'employee').where('local_key', '=', userId).where('erp_name', 'is not', null).executeTakeFirst(),
      ),
      // Cards and lines in other people's simulator transcripts name the person too (dev mode only;
      // what a real platform delivered lives in Feishu/DingTalk: README, "Data lifecycle").
      other_transcripts: count(
        await trx
          .updateTable('sim_messages')
          .set((eb) => ({ text: eb.fn('replace', ['text', eb.val(user.name), eb.val(pseudonym)]), card: eb.fn('replace', ['card', eb.val(user.name), eb.val(pseudonym)]) }))
          .where((eb) => eb.or([eb('text', 'like', `%${user.name}%`), eb('card', 'like', `%${user.name}%`)]))
          .executeTakeFirst(),
      ),
    }
    await appendAudit(trx, {
      at: now,
      actorId: options.actorId,
      action: 'privacy.anonymised',
      entityType: 'user',
      entityId: userId,
      // Counts and the pseudonym only: the entry itself must hold no personal data.
      after: { pseudonym, changed },
    })
    return { userId, pseudonym, changed }
  })
}
