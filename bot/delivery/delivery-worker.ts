import { isConnectionFailure } from '../../db/connection-failure.js'
import type { ChatDeliveryRow, CardRow } from '../../db/schema.js'
import { sameCard, type Card } from '../cards/card.js'
import type { Messenger } from '../messenger.js'
import type { MessageRef } from '../platform.js'
import { type ChatDeliveryStore, isQueued, queuedId } from './delivery-store.js'
import { isRetryableSend } from './retryable.js'

/** The request cards a queued card or card update is about (RequestCards). */
export interface CardSource {
  find(cardId: string): Promise<CardRow | undefined>
  /** The card as its recipient should see it now. */
  render(card: CardRow): Promise<Card>
  /** The queued card went out as `ref`: its row gets the message id (false if the row no longer reads `queuedAs`). */
  placed(cardId: string, queuedAs: string, ref: MessageRef): Promise<boolean>
}

export interface DrainReport {
  claimed: number
  delivered: number
  /** Still refused for now: due again after their back-off (or given up, see `gaveUp`). */
  waiting: number
  /** Refused for good by the platform. */
  failed: number
  gaveUp: number
}

/**
 * Sends what the delivery queue holds, from the periodic job on Node and the cron on Workers. Each
 * row is redone as it would be now: a request card is rendered from the request's current state, a
 * card update renders the latest state (so updates converge, never replay a stale body), and every
 * try carries the row's idempotency key. The first retryable refusal from a platform ends that
 * platform's turn in this run (its other rows wait their back-off): an outage costs one try per run.
 */
export class ChatDeliveryWorker {
  private stopping = false

  constructor(
    private readonly store: ChatDeliveryStore,
    private readonly messenger: Messenger,
    private readonly cards: CardSource,
    private readonly log: (message: string) => void = () => {},
  ) {}

  /**
   * A shutdown: the send under way finishes, the rest of the batch is handed back at once (due
   * now, for the next instance or the restart) instead of sitting claimed until its lease ends,
   * and no further batch starts. The run itself is awaited by whoever drives it (Periodic.stop).
   */
  stop(): void {
    this.stopping = true
  }

  /** Batch after batch until nothing is due, a platform is still down, `maxBatches` ran, or stop(). */
  async drain(maxBatches = Number.POSITIVE_INFINITY): Promise<DrainReport> {
    const total: DrainReport = { claimed: 0, delivered: 0, waiting: 0, failed: 0, gaveUp: 0 }
    for (let batch = 0; batch < maxBatches && !this.stopping; batch++) {
      const report = await this.drainOnce()
      for (const key of Object.keys(total) as (keyof DrainReport)[]) total[key] += report[key]
      if (report.claimed < this.store.policy.batchSize || report.waiting > 0) break
    }
    return total
  }

  private async drainOnce(): Promise<DrainReport> {
    const rows = await this.store.claimDue()
    const report: DrainReport = { claimed: rows.length, delivered: 0, waiting: 0, failed: 0, gaveUp: 0 }
    const down = new Map<string, { error: unknown; at: number }>()
    // Slow sends must not outlast the claim, or another instance would take the rest and send them too.
    const deadline = performance.now() + this.store.policy.leaseMs / 2
    for (const [i, row] of rows.entries()) {
      if (this.stopping || performance.now() > deadline) {
        await this.store.release(rows.slice(i))
        break
      }
      const outage = down.get(row.platform)
      if (outage) {
        await this.store.retryLater(row, outage.error, { tried: false, at: outage.at })
        report.waiting++
        continue
      }
      try {
        await this.redo(row)
      } catch (error) {
        // Our own database blinking (reading the card) is no reason to give the message up either.
        if (isRetryableSend(error) || isConnectionFailure(error)) {
          report.waiting++
          const { dead, at } = await this.store.retryLater(row, error)
          if (isRetryableSend(error)) down.set(row.platform, { error, at })
          if (dead) {
            report.gaveUp++
            this.log(`chat delivery ${row.id} (${row.kind} via ${row.platform}) given up after ${row.attempts + 1} tries since ${new Date(row.created_at).toISOString()}: ${message(error)}`)
          }
        } else {
          report.failed++
          await this.store.failed(row, error)
          this.log(`chat delivery ${row.id} (${row.kind} via ${row.platform}) refused, not retried: ${message(error)}`)
        }
        continue
      }
      await this.store.delivered(row)
      report.delivered++
    }
    if (report.claimed > 0) this.log(`chat deliveries: ${report.delivered} delivered, ${report.waiting} waiting, ${report.failed} refused of ${report.claimed}`)
    return report
  }

  private async redo(row: ChatDeliveryRow): Promise<void> {
    const platform = this.messenger.platform(row.platform)
    const options = { idempotencyKey: row.idempotency_key }
    switch (row.kind) {
      case 'text':
        await platform.sendText(recipientOf(row), row.body ?? '', options)
        return
      case 'card': {
        const queuedAs = queuedId(row.id)
        const cardRow = row.card_id ? await this.cards.find(row.card_id) : undefined
        // Sent by an earlier run whose row outlived it (a crash after the send): nothing to redo.
        if (cardRow && cardRow.message_id !== queuedAs) return
        const first = JSON.parse(row.body ?? '{}') as Card
        const card = cardRow ? await this.cards.render(cardRow) : first
        const ref = await platform.sendCard(recipientOf(row), card, options)
        if (!cardRow || !(await this.cards.placed(cardRow.id, queuedAs, ref))) return
        await this.converge(cardRow, ref, [first, card])
        return
      }
      case 'card_update': {
        const cardRow = row.card_id ? await this.cards.find(row.card_id) : undefined
        // Still waiting to go out itself: it will be rendered as it is then.
        if (cardRow && isQueued(cardRow.message_id)) return
        const ref = cardRow ? { platform: cardRow.platform, messageId: cardRow.message_id } : { platform: row.platform, messageId: row.message_id ?? '' }
        const card = cardRow ? await this.cards.render(cardRow) : (JSON.parse(row.body ?? '{}') as Card)
        await this.messenger.platform(ref.platform).updateCard(ref, card)
        return
      }
      default:
        throw new Error(`unknown chat delivery kind ${row.kind}`)
    }
  }

  /**
   * The platform may show an older state than the request has now: the request moved while the
   * card waited, or an earlier try (its answer lost) landed first and the platform de-duplicated
   * this one. Then the card is updated to the latest state (queued again if that fails for now).
   */
  private async converge(cardRow: CardRow, ref: MessageRef, shown: Card[]): Promise<void> {
    try {
      const latest = await this.cards.render(cardRow)
      if (shown.every((card) => sameCard(card, latest))) return
      await this.messenger.updateCard(ref, latest)
    } catch (error) {
      this.log(`chat delivery: card ${cardRow.id} went out but could not be brought up to date: ${message(error)}`)
    }
  }
}

function recipientOf(row: ChatDeliveryRow): string {
  if (!row.recipient_id) throw new Error(`chat delivery ${row.id} has no recipient`)
  return row.recipient_id
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error))
