import { isDomainError } from '../../../workflow/errors.js'
import { fenToYuan } from '../../../workflow/money.js'
import type { StoredAttachment } from '../../../workflow/receipts/attachments/attachments.js'
import { checkBuyer } from '../../../workflow/receipts/invoices/buyer-check.js'
import { invoiceSummary, type ParsedInvoice } from '../../../workflow/receipts/invoices/invoice.js'
import { categoryOfInvoice } from '../../../workflow/receipts/invoices/invoice-category.js'
import { companyDate } from '../../../workflow/shanghai-time.js'
import type { Slots } from '../../nlu/command.js'
import type { InboundAttachment } from '../../platform.js'
import type { HandlerContext } from '../handler-context.js'
import { continueExpense, invoicesOf } from './expense-submit.js'

/** What the invoices say the claim is: their total, their day (or span), their category when they agree. */
function prefill(invoices: readonly ParsedInvoice[]): Slots {
  const days = invoices.map((i) => i.serviceDate ?? i.issueDate).sort()
  const categories = new Set(invoices.map(categoryOfInvoice))
  const category = categories.size === 1 ? [...categories][0] : undefined
  const first = days[0]!
  const last = days.at(-1)!
  return {
    amount: fenToYuan(invoices.reduce((sum, i) => sum + i.totalFen, 0)),
    ...(first === last ? { date: first } : { period: { from: first, to: last } }),
    ...(category ? { category } : {}),
  }
}

/**
 * Files sent to the bot: each is stored and read; e-invoices prefill a claim ("识别到发票：¥553.00，
 * 2026-11-20，高铁票") that what the person typed can still override; anything unreadable is kept
 * for the claim they type next, with a plain reason.
 */
export async function receiveReceipts(ctx: HandlerContext, files: readonly InboundAttachment[], typed: Slots): Promise<void> {
  const received = await storeFiles(ctx, files, `请手动输入金额和类别，例如「报销交通费 58元 ${companyDate(ctx.services.now())}」，提交时会附上这个文件`)
  if (!received) return
  if (received.lines.length > 0) await ctx.reply(received.lines.join('\n'))
  const invoices = received.stored.flatMap((f) => (f.invoice ? [f.invoice] : []))
  if (invoices.length > 0) await continueExpense(ctx, { ...prefill(invoices), ...typed })
}

/**
 * Files sent while an expense claim's card waits for 确认 (as the receipt-required check asks)
 * belong to that claim: attached, its invoices and receipt count updated, its checks run again.
 */
export async function attachToDraft(ctx: HandlerContext, files: readonly InboundAttachment[], draftId: string): Promise<void> {
  const received = await storeFiles(ctx, files, '它仍会附在这份申请上，金额请以卡片为准')
  if (!received) return
  const { attachments, requests, cards } = ctx.services
  await attachments.link(ctx.user.id, received.stored.map((f) => f.id), draftId)
  const all = await attachments.ofRequest(draftId)
  const invoices = invoicesOf(all)
  await requests.reviseDraft(draftId, ctx.user.id, { attachments: all.length, ...(invoices.length > 0 ? { invoices } : {}) })
  await cards.refresh(draftId)
  const attached = received.stored.length > 0 ? [`已附上 ${received.stored.length} 个文件，请核对后确认：`] : []
  await ctx.reply([...received.lines, ...attached].join('\n'))
  if (attached.length > 0) await ctx.replyWithRequestCard(draftId)
}

/**
 * Stores and reads each file, and says what came of each (`unreadable`: what to do about a file
 * that could not be read). Undefined when no file can be taken at all.
 */
async function storeFiles(ctx: HandlerContext, files: readonly InboundAttachment[], unreadable: string): Promise<{ stored: StoredAttachment[]; lines: string[] } | undefined> {
  const { attachments, settings } = ctx.services
  if (!attachments.enabled) {
    await ctx.reply('暂时不能接收文件：管理员尚未配置附件存储。请直接输入报销内容，例如「报销交通费 58元」')
    return undefined
  }
  const lines: string[] = []
  const stored: StoredAttachment[] = []
  for (const file of files) {
    let bytes: Uint8Array
    try {
      bytes = 'bytes' in file ? file.bytes : await file.fetch()
    } catch {
      lines.push(`文件「${file.name}」下载失败，请重新发送 / could not download the file, please send it again`)
      continue
    }
    try {
      stored.push(await attachments.receive(ctx.user.id, ctx.platform, { name: file.name, mimeType: file.mimeType, bytes }))
    } catch (error) {
      if (!isDomainError(error)) throw error
      lines.push(error.zh)
    }
  }
  const company = await settings.read('company')
  for (const file of stored) {
    if (!file.invoice) {
      lines.push(`已保存「${file.name}」，但无法自动识别：${file.readingNote}。${unreadable}。`)
      continue
    }
    lines.push(`识别到发票：${invoiceSummary(file.invoice)}`)
    const buyer = checkBuyer(file.invoice, company)
    if (buyer.status === 'other' || buyer.status === 'missing') lines.push(`⚠️ ${buyer.message}`)
  }
  return { stored, lines }
}
