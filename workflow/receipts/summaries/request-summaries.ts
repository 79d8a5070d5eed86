import type { Kysely } from 'kysely'
import type { Schema } from '../../../db/schema.js'
import { inTransaction } from '../../../db/transaction.js'
import { checkSummary, sha256Hex, summaryInputOf, type RequestSummariser, type SummaryInput } from './request-summary.js'

const inputDigest = (input: SummaryInput) => sha256Hex(JSON.stringify([input.typeLabel, input.title, input.text]))

/**
 * Short summaries of long requests for approvers, written once per text when the request is
 * submitted (after its transaction, before the approvers' cards go out) and stored. Display only:
 * routing, policies and decisions never read them. Any failure means no summary, never an error.
 */
export class RequestSummaries {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly summariser: RequestSummariser,
    private readonly now: () => number = Date.now,
    private readonly log: (message: string) => void = () => {},
  ) {}

  /** Writes the summary of a long request unless one of its current text exists. */
  async prepare(requestId: string): Promise<void> {
    try {
      const request = await this.db.selectFrom('requests').select(['type', 'title', 'payload']).where('id', '=', requestId).executeTakeFirst()
      const input = request && summaryInputOf(request)
      if (!input) return
      const digest = await inputDigest(input)
      const stored = await this.db.selectFrom('request_summaries').select('text_sha256').where('request_id', '=', requestId).executeTakeFirst()
      if (stored?.text_sha256 === digest) return
      const raw = await this.withDeadline(input)
      if (raw === undefined) return
      const checked = checkSummary(raw)
      if (!checked.ok) {
        // The reason only: the request's text and the model's answer stay out of the logs.
        this.log(`request summary not used for ${requestId}: ${checked.reason}`)
        return
      }
      await inTransaction(this.db, async (trx) => {
        await trx.deleteFrom('request_summaries').where('request_id', '=', requestId).execute()
        await trx.insertInto('request_summaries').values({ request_id: requestId, summary: checked.summary, text_sha256: digest, model: this.summariser.model, created_at: this.now() }).execute()
      })
    } catch (error) {
      this.log(`request summary not written for ${requestId}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  /** The summariser's answer, or undefined when it failed or missed the deadline (it is aborted then). */
  private async withDeadline(input: SummaryInput): Promise<string | undefined> {
    const controller = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    const deadline = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        controller.abort()
        resolve(undefined)
      }, this.summariser.timeoutMs)
    })
    try {
      return await Promise.race([this.summariser.summarise(input, controller.signal), deadline])
    } catch (error) {
      this.log(`request summary failed: ${error instanceof Error ? error.message : String(error)}`)
      return undefined
    } finally {
      clearTimeout(timer)
    }
  }
}

/** The stored summary while it still describes the request's text; undefined otherwise. */
export async function loadRequestSummary(db: Kysely<Schema>, requestId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('request_summaries')
    .innerJoin('requests', 'requests.id', 'request_summaries.request_id')
    .select(['request_summaries.summary', 'request_summaries.text_sha256', 'requests.type', 'requests.title', 'requests.payload'])
    .where('request_summaries.request_id', '=', requestId)
    .executeTakeFirst()
  if (!row) return undefined
  const input = summaryInputOf(row)
  return input && (await inputDigest(input)) === row.text_sha256 ? row.summary : undefined
}
