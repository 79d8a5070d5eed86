import { zValidator } from '@hono/zod-validator'
import { Hono } from 'hono'
import { z } from 'zod'
import { fenToYuan } from '../../../workflow/money.js'
import { isDomainError } from '../../../workflow/errors.js'
import type { BotServices } from '../../bot-services.js'
import type { Conversation } from '../../conversation/conversation.js'
import { HTTP_STATUS_OF } from '../../http-errors.js'
import type { DevPlatform } from './dev-platform.js'
import { renderDevPage } from './dev-page.js'

/** A file as the simulator page sends it; the app's 1 MB body limit keeps one to about 700 KB. */
const upload = z.object({
  name: z.string().trim().min(1).max(255),
  mimeType: z.string().max(100).default('application/octet-stream'),
  contentBase64: z.string().min(1).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'not base64'),
})
/** The original `{userId, text}` still works; `attachments` is optional, and then `text` may be empty. */
const messageBody = z
  .object({ userId: z.string().min(1), text: z.string().trim().max(2000).default(''), attachments: z.array(upload).max(5).optional() })
  .refine((body) => body.text.length > 0 || (body.attachments?.length ?? 0) > 0, { path: ['text'], message: '请输入文字或附上文件 / text or an attachment is required' })

const bytesOf = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
/** taskId: the card's actsOn, which the simulator page sends back as Feishu's buttons do. */
const actionBody = z.object({ userId: z.string().min(1), comment: z.string().max(1000).optional(), taskId: z.string().min(1).max(64).optional() })

const badInput = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }, c: { json: (b: unknown, s: 400) => Response }) => {
  if (!result.success) {
    const detail = result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    return c.json({ ok: false, code: 'VALIDATION', message: `请求格式不正确 / invalid request: ${detail}` }, 400)
  }
}

/** The simulator contract (DESIGN.md): `/dev` page and `/api/dev/*`, mounted only in dev mode. */
export function devRoutes(services: BotServices, conversation: Conversation, platform: DevPlatform): Hono {
  const app = new Hono()

  app.get('/dev', (c) => c.html(renderDevPage()))

  app.get('/api/dev/users', async (c) => {
    const [employees, departments] = await Promise.all([services.org.employees(), services.org.departments()])
    const departmentName = new Map(departments.map((d) => [d.id, d.name]))
    return c.json(
      employees.map((e) => ({
        id: e.id,
        name: e.name,
        department: departmentName.get(e.departmentId) ?? e.departmentId,
        roles: e.roles,
        title: e.title,
        managerId: e.managerId,
      })),
    )
  })

  app.post('/api/dev/messages', zValidator('json', messageBody, badInput), async (c) => {
    const { userId, text, attachments } = c.req.valid('json')
    if (!(await services.org.employee(userId))) {
      return c.json({ ok: false, code: 'NOT_FOUND', message: `没有这个用户：${userId} / unknown user` }, 404)
    }
    const files = (attachments ?? []).map((a) => ({ name: a.name, mimeType: a.mimeType, bytes: bytesOf(a.contentBase64) }))
    await platform.recordUserLine(userId, [text, ...files.map((f) => `📎 ${f.name}`)].filter(Boolean).join('\n'))
    const refs = await conversation.handleMessage({ platform: 'dev', userId, text, ...(files.length > 0 ? { attachments: files } : {}) })
    const messages = await platform.items(userId, { includeUserLines: false, ids: refs.filter((r) => r.platform === 'dev').map((r) => r.messageId) })
    return c.json({ messages })
  })

  app.get('/api/dev/inbox/:userId', async (c) => c.json(await platform.items(c.req.param('userId'), { includeUserLines: false })))

  app.get('/api/dev/transcript/:userId', async (c) => c.json(await platform.items(c.req.param('userId'), { includeUserLines: true })))

  app.post('/api/dev/cards/:cardId/actions/:actionId', zValidator('json', actionBody, badInput), async (c) => {
    const { userId, comment, taskId } = c.req.valid('json')
    const outcome = await conversation.handleCardAction({
      platform: 'dev',
      userId,
      cardId: c.req.param('cardId'),
      actionId: c.req.param('actionId'),
      comment,
      ...(taskId ? { taskId } : {}),
    })
    if (outcome.ok) return c.json({ ok: true, message: outcome.message, card: outcome.card })
    const status = outcome.error ? HTTP_STATUS_OF[outcome.error.code] : 400
    return c.json({ ok: false, code: outcome.error?.code, message: outcome.message }, status)
  })

  app.get('/api/dev/erp/vouchers', async (c) => {
    const vouchers = await services.db.selectFrom('ledger_vouchers').selectAll().orderBy('created_at').orderBy('voucher_no').execute()
    const lines = vouchers.length
      ? await services.db
          .selectFrom('ledger_lines')
          .innerJoin('ledger_accounts', 'ledger_accounts.code', 'ledger_lines.account_code')
          .select(['voucher_id', 'line_no', 'account_code', 'ledger_accounts.name as account_name', 'partner', 'debit_fen', 'credit_fen'])
          .where('voucher_id', 'in', vouchers.map((v) => v.id))
          .orderBy('line_no')
          .execute()
      : []
    return c.json(
      vouchers.map((v) => ({
        voucherNo: v.voucher_no,
        requestNo: v.request_no,
        date: v.voucher_date,
        memo: v.memo,
        lines: lines
          .filter((l) => l.voucher_id === v.id)
          .map((l) => ({
            account: `${l.account_code} ${l.account_name}`,
            accountCode: l.account_code,
            partner: l.partner,
            debit: fenToYuan(Number(l.debit_fen)),
            credit: fenToYuan(Number(l.credit_fen)),
          })),
      })),
    )
  })

  app.onError((error, c) => {
    if (isDomainError(error)) return c.json({ ok: false, code: error.code, message: error.message }, HTTP_STATUS_OF[error.code])
    throw error
  })

  return app
}
