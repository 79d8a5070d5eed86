import { isDomainError } from '../../../workflow/errors.js'
import { fenToYuan, formatYuan } from '../../../workflow/money.js'
import type { StoredAttachment } from '../../../workflow/receipts/attachments/attachments.js'
import { checkBuyer } from '../../../workflow/receipts/invoices/buyer-check.js'
import { invoiceSummary, type ParsedInvoice } from '../../../workflow/receipts/invoices/invoice.js'
import { categoryOfInvoice } from '../../../workflow/receipts/invoices/invoice-category.js'
import { companyDate } from '../../../workflow/shanghai-time.js'
import type { Slots } from '../../nlu/command.js'
import type { InboundAttachment } from '../../platform.js'
import type { PendingCommand } from '../conversation-store.js'
import type { HandlerContext } from '../handler-context.js'
import { continueExpense, filesPayload, invoicesIn } from './expense-submit.js'

const totalOf = (invoices: readonly ParsedInvoice[]) => invoices.reduce((sum, i) => sum + i.totalFen, 0)

/**
 * Whether a draft's amount is its invoices' total rather than a sum the person typed: such an
 * amount follows the invoices as more are added. A typed sum that happens to equal it is taken
 * for it too; the card shows the result either way.
 */
const followsInvoices = (amountFen: number, invoices: readonly ParsedInvoice[]) => invoices.length > 0 && amountFen === totalOf(invoices)

/** What the invoices say the claim is: their total, their day (or span), their category when they agree. */
function prefill(invoices: readonly ParsedInvoice[]): Slots {
  const days = invoices.map((i) => i.serviceDate ?? i.issueDate).sort()
  const categories = new Set(invoices.map(categoryOfInvoice))
  const category = categories.size === 1 ? [...categories][0] : undefined
  const first = days[0]!
  const last = days.at(-1)!
  return {
    amount: fenToYuan(totalOf(invoices)),
    ...(first === last ? { date: first } : { period: { from: first, to: last } }),
    ...(category ? { category } : {}),
  }
}

/**
 * Files sent to the bot: each is stored and read; e-invoices prefill a claim ("识别到发票：¥553.00，
 * 2026-11-20，高铁票") that what the person typed can still override. Files sent with an e-invoice,
 * or while an expense claim is being filled in (`claim`), are held for that claim alone; anything
 * else unreadable waits for the claim they type next, with a plain reason.
 */
export async function receiveReceipts(ctx: HandlerContext, files: readonly InboundAttachment[], typed: Slots, claim: PendingCommand | undefined): Promise<void> {
  const received = await storeFiles(ctx, files, `请手动输入金额和类别，例如「报销交通费 58元 ${companyDate(ctx.services.now())}」，提交时会附上这个文件`)
  if (!received) return
  if (received.lines.length > 0) await ctx.reply(received.lines.join('\n'))
  const invoiced = received.stored.some((f) => f.invoice)
  if (!invoiced && !claim) return
  const { attachments, conversations } = ctx.services
  await attachments.hold(ctx.user.id, received.stored.map((f) => f.id))
  const before = await attachments.unlinked(ctx.user.id, claim?.files ?? [])
  const held = [...before, ...received.stored]
  const ids = held.map((f) => f.id)
  if (claim && !invoiced) {
    // The question asked stands; the files go with the claim its answer completes.
    await conversations.save(ctx.user.id, { ...claim, files: ids })
    return
  }
  // What the earlier invoices gave (their total, their day) is worked out again from all of them; what was typed or answered stays.
  const earlier = invoicesIn(before)
  const given: Slots = earlier.length > 0 ? prefill(earlier) : {}
  const answered = Object.fromEntries(Object.entries(claim?.slots ?? {}).filter(([slot, value]) => JSON.stringify(value) !== JSON.stringify(given[slot as keyof Slots])))
  await continueExpense(ctx, { ...prefill(invoicesIn(held)), ...answered, ...typed }, ids)
}

/**
 * Files sent while an expense claim's card waits for 确认 (as the receipt-required check asks)
 * belong to that claim: attached, its invoices and receipt count updated (and its amount, when it
 * was its invoices' total), its checks run again.
 */
export async function attachToDraft(ctx: HandlerContext, files: readonly InboundAttachment[], draftId: string): Promise<void> {
  const received = await storeFiles(ctx, files, '它仍会附在这份申请上，金额请以卡片为准')
  if (!received) return
  const { attachments, requests, cards, db } = ctx.services
  const added = new Set(received.stored.map((f) => f.id))
  await attachments.link(ctx.user.id, [...added], draftId)
  const all = await attachments.ofRequest(draftId)
  const before = all.filter((f) => !added.has(f.id))
  // requests.amount_fen is kept equal to the payload's amountFen (reviseDraft).
  const draft = await db.selectFrom('requests').select('amount_fen').where('id', '=', draftId).executeTakeFirstOrThrow()
  const amountFen = Number(draft.amount_fen)
  const total = totalOf(invoicesIn(all))
  const recount = followsInvoices(amountFen, invoicesIn(before)) && total !== amountFen
  await requests.reviseDraft(draftId, ctx.user.id, { ...filesPayload(all), ...(recount ? { amountFen: total } : {}) })
  await cards.refresh(draftId)
  const attached = received.stored.length > 0 ? [`已附上 ${received.stored.length} 个文件${recount ? `，金额按发票合计改为 ¥${formatYuan(total)}` : ''}，请核对后确认：`] : []
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
