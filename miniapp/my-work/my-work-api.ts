import { zValidator } from '@hono/zod-validator'
import { Hono } from 'hono'
import { z } from 'zod'
import type { BotServices } from '../../bot/bot-services.js'
import { decideAndAnnounce } from '../../bot/conversation/request-effects.js'
import { loadRequestView } from '../../workflow/request-view.js'
import { requireRole } from '../auth/require-role.js'
import { roleAllows } from '../auth/roles.js'
import { viewerOf, type AdminEnv } from '../auth/viewer.js'
import { domainErrorResponse, validationFailed } from '../http/api-errors.js'
import { myPendingTasks, myRequests, parseCursor, takesPartIn } from './my-work-data.js'

const myRequestsQuery = z.object({
  before: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return undefined
      const cursor = parseCursor(text)
      if (!cursor) ctx.addIssue({ code: 'custom', message: 'before 应为 创建时间:编号 / before is createdAt:id of the last row' })
      return cursor
    }),
  limit: z.coerce.number().int().min(1).max(200).optional(),
})

const decisionBody = z.object({ decision: z.enum(['approve', 'reject']), comment: z.string().trim().max(1000).optional() })

/** My requests and my approvals: everyone signed in, about themselves only. */
export function myWorkApi(services: BotServices): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>()

  // Still a bare array, which older clients read; the next page is ?before=<createdAt>:<id> of the last row, until a page comes back short.
  app.get('/api/admin/my/requests', requireRole('employee'), zValidator('query', myRequestsQuery, validationFailed), async (c) => {
    const { before, limit } = c.req.valid('query')
    return c.json(await myRequests(services.db, viewerOf(c).id, { before, limit }))
  })

  app.get('/api/admin/my/tasks', requireRole('employee'), async (c) => c.json(await myPendingTasks(services.db, viewerOf(c).id)))

  // One request with its route and tasks: for the people on it, and for roles that oversee all requests.
  app.get('/api/admin/requests/:id', requireRole('employee'), async (c) => {
    const viewer = viewerOf(c)
    const id = c.req.param('id')
    if (!roleAllows(viewer.roles, ['finance', 'auditor']) && !(await takesPartIn(services.db, id, viewer.id))) {
      return c.json({ ok: false, code: 'FORBIDDEN', message: '你无权查看该申请 / you may not see this request' }, 403)
    }
    return c.json(await loadRequestView(services.db, id))
  })

  // The same domain call as a card tap: only the holder of a pending task on the current step wins.
  app.post('/api/admin/my/tasks/:requestId/decision', requireRole('employee'), zValidator('json', decisionBody, validationFailed), async (c) => {
    const { decision, comment } = c.req.valid('json')
    const message = await decideAndAnnounce(services, { requestId: c.req.param('requestId'), actorId: viewerOf(c).id, decision, comment: comment || undefined })
    return c.json({ ok: true, message })
  })

  app.onError(domainErrorResponse)
  return app
}
