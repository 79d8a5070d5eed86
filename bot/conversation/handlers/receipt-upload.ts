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
import { continueExpense } from './expense-submit.js'

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
  const { attachments, settings } = ctx.services
  if (!attachments.enabled) {
    await ctx.reply('暂时不能接收文件：管理员尚未配置附件存储。请直接输入报销内容，例如「报销交通费 58元」')
    return
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
  const example = `「报销交通费 58元 ${companyDate(ctx.services.now())}」`
  for (const file of stored) {
    if (!file.invoice) {
      lines.push(`已保存「${file.name}」，但无法自动识别：${file.readingNote}。请手动输入金额和类别，例如${example}，提交时会附上这个文件。`)
      continue
    }
    lines.push(`识别到发票：${invoiceSummary(file.invoice)}`)
    const buyer = checkBuyer(file.invoice, company)
    if (buyer.status === 'other' || buyer.status === 'missing') lines.push(`⚠️ ${buyer.message}`)
  }
  if (lines.length > 0) await ctx.reply(lines.join('\n'))
  const invoices = stored.flatMap((f) => (f.invoice ? [f.invoice] : []))
  if (invoices.length > 0) await continueExpense(ctx, { ...prefill(invoices), ...typed })
}
