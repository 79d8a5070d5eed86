import type { PostingListener } from '../erp-bridge/outbox-worker.js'
import type { BotServices } from './bot-services.js'

/** Tells the requester what the ERP did with the approved request, and refreshes every card. */
export class PostingAnnouncer implements PostingListener {
  constructor(private readonly services: BotServices) {}

  async posted(event: { requestId: string; documentNo: string }): Promise<void> {
    const request = await this.requestOf(event.requestId)
    await this.services.cards.refresh(event.requestId)
    await this.services.messenger.sendText(request.requester_id, `已入账，凭证号 ${event.documentNo}（${request.request_no}）`)
  }

  async failed(event: { requestId: string; reason: string }): Promise<void> {
    const request = await this.requestOf(event.requestId)
    await this.services.cards.refresh(event.requestId)
    const finance = await this.services.org.withRole('finance')
    const told = finance.map((e) => e.name).join('、') || '管理员'
    await this.services.messenger.sendText(request.requester_id, `${request.request_no} 入账失败：${event.reason}。已通知 ${told} 处理。`)
    await Promise.all(
      finance.map((e) => this.services.messenger.sendText(e.id, `⚠️ ${request.request_no} 入账失败：${event.reason}。请在管理后台处理后重试。`)),
    )
  }

  private async requestOf(requestId: string) {
    return this.services.db.selectFrom('requests').select(['requester_id', 'request_no']).where('id', '=', requestId).executeTakeFirstOrThrow()
  }
}
